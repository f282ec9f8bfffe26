"""The load tests' graph: one node that waits like an LLM call and fails when asked.

Input keys (the run request's "input"): sleep_ms, how long the node waits (default 50);
fail, true to raise after the wait (the run then fails: __error__ or `event: error`).
"""

import asyncio
from typing import TypedDict

from langgraph.graph import END, START, StateGraph


class State(TypedDict, total=False):
    sleep_ms: int
    fail: bool
    answer: str


async def llm(state: State) -> State:
    await asyncio.sleep(state.get("sleep_ms", 50) / 1000)
    if state.get("fail"):
        raise RuntimeError("load-test graph: failure requested")
    return {"answer": "done"}


builder = StateGraph(State)
builder.add_node("llm", llm)
builder.add_edge(START, "llm")
builder.add_edge("llm", END)
graph = builder.compile()
