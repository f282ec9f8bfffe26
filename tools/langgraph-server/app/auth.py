"""Custom auth as an image ships it (langgraph.json auth.path): the caller's key in X-Api-Key.

No key: 401; a key other than LOADTEST_API_KEY: 403.
"""

import hmac
import os

from langgraph_sdk import Auth

auth = Auth()


@auth.authenticate
async def authenticate(headers: dict) -> str:
    key = headers.get(b"x-api-key")
    if not key:
        raise Auth.exceptions.HTTPException(status_code=401, detail="Missing authentication")
    if not hmac.compare_digest(key.decode(), os.environ["LOADTEST_API_KEY"]):
        raise Auth.exceptions.HTTPException(status_code=403, detail="Invalid API key")
    return "loadtest-user"
