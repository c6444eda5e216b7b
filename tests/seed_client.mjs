// The minimal client of the seed document: submit a program, follow the job's
// Server-Sent-Events stream until it completes, print the video URL.
// Usage: VARG_RENDER_URL=http://127.0.0.1:8080 VARG_API_KEY=... node seed_client.mjs
import { readFileSync } from "node:fs";

const BASE = process.env.VARG_RENDER_URL;
const KEY = process.env.VARG_API_KEY;
const code = process.env.VARG_CODE_FILE
  ? readFileSync(process.env.VARG_CODE_FILE, "utf8")
  : `export default <Render><Clip><Image prompt="a cat in space" /></Clip></Render>;`;

async function render(code) {
  const res = await fetch(`${BASE}/api/render`, {
    method: "POST",
    headers: { Authorization: `Bearer ${KEY}`, "Content-Type": "application/json" },
    body: JSON.stringify({ code }),
  });
  if (!res.ok) throw new Error(`submit failed: ${res.status} ${await res.text()}`);
  const { job_id } = await res.json();

  const stream = await fetch(`${BASE}/api/render/jobs/${job_id}/stream`, {
    headers: { Authorization: `Bearer ${KEY}`, Accept: "text/event-stream" },
  });
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of stream.body) {
    buffer += decoder.decode(chunk, { stream: true });
    const parts = buffer.split("\n\n");
    buffer = parts.pop();
    for (const part of parts) {
      const data = part.split("\n").find((line) => line.startsWith("data: "));
      if (!data) continue;
      const event = JSON.parse(data.slice(6));
      if (event.status === "completed") return event.output_url;
      if (event.status === "failed") throw new Error(event.error);
    }
  }
  throw new Error("the stream ended before the job did");
}

console.log(await render(code));
