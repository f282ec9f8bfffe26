// Custom auth as an image ships it: the key in X-Api-Key; none 401, another than
// LOADTEST_API_KEY 403. The JavaScript server checks /ok with it too.
import { Auth, HTTPException } from "@langchain/langgraph-sdk/auth";

export const auth = new Auth().authenticate(async (request: Request) => {
  const key = request.headers.get("x-api-key");
  if (!key) throw new HTTPException(401, { message: "Missing authentication" });
  if (key !== process.env.LOADTEST_API_KEY) throw new HTTPException(403, { message: "Invalid API key" });
  return "loadtest-user";
});
