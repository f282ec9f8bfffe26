// The load tests' graph for the JavaScript server: one node that waits sleep_ms and fails on fail,
// as tools/langgraph-server/app/graph.py does for the Python one.
import { StateGraph, Annotation, START, END } from "@langchain/langgraph";

const State = Annotation.Root({
  sleep_ms: Annotation<number>(),
  fail: Annotation<boolean>(),
  answer: Annotation<string>(),
});

export const graph = new StateGraph(State)
  .addNode("llm", async (state) => {
    await new Promise((r) => setTimeout(r, state.sleep_ms ?? 50));
    if (state.fail) throw new Error("load-test graph: failure requested");
    return { answer: "done" };
  })
  .addEdge(START, "llm")
  .addEdge("llm", END)
  .compile();
