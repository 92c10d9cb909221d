/**
 * A deterministic OpenAI-compatible chat-completions server on loopback, for sub-agent tests.
 * Each completion request takes the next scripted step: a tool call, a text answer, or an HTTP
 * error. Every request is recorded so tests can check what the model was shown.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One scripted answer; `delay_ms` holds it back that long (to test timeouts and cancellation). */
export type Step = ({ tool: string; arguments?: Record<string, unknown> } | { text: string } | { status: number }) & { delay_ms?: number };

export interface RecordedCompletion {
  authorization?: string;
  body: { model: string; messages: Array<{ role: string; content?: string | null; tool_calls?: unknown[] }>; tools?: Array<{ function: { name: string } }> };
}

export interface ScriptedModel {
  baseUrl: string;
  /** Replace the queue of steps; `repeat` keeps answering with the last step forever. */
  script(steps: Step[], options?: { repeat?: boolean }): void;
  requests: RecordedCompletion[];
  close(): Promise<void>;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

export async function startScriptedModel(): Promise<ScriptedModel> {
  let queue: Step[] = [];
  let repeat = false;
  let counter = 0;
  const requests: RecordedCompletion[] = [];
  const server: Server = createServer(async (req, res) => {
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
      res.writeHead(404).end();
      return;
    }
    const body = (await readJson(req)) as RecordedCompletion["body"];
    requests.push({ authorization: req.headers.authorization, body });
    const step: Step = (repeat && queue.length === 1 ? queue[0] : queue.shift()) ?? { text: "(script exhausted)" };
    if (step.delay_ms) await new Promise((r) => setTimeout(r, step.delay_ms));
    if (res.destroyed || res.socket?.destroyed) return; // the caller gave up (cancelled) meanwhile
    if ("status" in step) {
      res.writeHead(step.status, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "scripted failure", type: "server_error" } }));
      return;
    }
    counter++;
    // Deterministic usage: a token per 4 characters of the prompt, 20 per answer.
    const usage = { prompt_tokens: Math.ceil(JSON.stringify(body.messages).length / 4), completion_tokens: 20, total_tokens: 0 };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    const message =
      "tool" in step
        ? { role: "assistant", content: null, tool_calls: [{ id: `call_${counter}`, type: "function", function: { name: step.tool, arguments: JSON.stringify(step.arguments ?? {}) } }] }
        : { role: "assistant", content: step.text };
    res.writeHead(200, { "content-type": "application/json" }).end(
      JSON.stringify({ id: `chatcmpl-${counter}`, object: "chat.completion", created: 0, model: body.model, choices: [{ index: 0, message, finish_reason: "tool" in step ? "tool_calls" : "stop" }], usage }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    script(steps, options = {}) {
      queue = [...steps];
      repeat = options.repeat ?? false;
      requests.length = 0;
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
