/**
 * Optional semantic re-ranking of list_actions, end to end through the official MCP client to the
 * built CLI, against the emulator serving Pipedream's published actions and a fake
 * OpenAI-compatible embeddings endpoint on loopback: the fused ranking reaches the client, action
 * vectors are cached in SQLite (a restarted server embeds only the request), and a failing
 * endpoint leaves the lexical ranking.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator/index.js";
// @ts-expect-error plain JS module shared with the bench scripts
import { WIRE_ACTIONS, WIRE_APPS } from "../../bench/search-catalog.mjs";
import { call, connectStdio, emulatorEnv } from "../helpers.js";

/** A toy model: a text's vector counts the concepts its words name, over a small floor. */
const CONCEPTS: Record<string, number> = { remove: 0, off: 0, delete: 0, add: 1, email: 2 };
function vector(text: string): number[] {
  const v = new Array(6).fill(0.01);
  for (const w of text.toLowerCase().split(/[^a-z]+/)) if (w in CONCEPTS) v[CONCEPTS[w]!] += 1;
  return v;
}

interface EmbeddingsCall {
  model: string;
  input: string[];
}

let emu: RunningEmulator;
let fake: Server;
let fakeUrl: string;
const calls: EmbeddingsCall[] = [];
let failing = false;
let dir: string;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, extraCatalog: { apps: WIRE_APPS, components: WIRE_ACTIONS, withoutSeedComponents: true } });
  fake = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/v1/embeddings") {
        res.writeHead(404).end();
        return;
      }
      const parsed = JSON.parse(body) as { model: string; input: string | string[] };
      const input = Array.isArray(parsed.input) ? parsed.input : [parsed.input];
      calls.push({ model: parsed.model, input });
      if (failing) {
        res.writeHead(503, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "overloaded" } }));
        return;
      }
      const data = input.map((text, index) => ({ object: "embedding", index, embedding: vector(text) }));
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ object: "list", model: parsed.model, data, usage: { prompt_tokens: 1, total_tokens: 1 } }));
    });
  });
  await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
  fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}/v1`;
  dir = mkdtempSync(join(tmpdir(), "connect-mcp-semantic-"));
});
afterAll(async () => {
  await emu?.close();
  await new Promise<void>((resolve) => (fake ? fake.close(() => resolve()) : resolve()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// A request the lexical ranking gets wrong ("put" reads as creating; "label" and "email" are in
// both actions' names) and the fake embeddings (remove/off vs add) get right.
const QUERY = { query: "put the urgent label on an email off", app: "microsoft_outlook" };

describe("semantic re-ranking with an embeddings endpoint", () => {
  const env = () =>
    emulatorEnv(emu, {
      CONNECT_MCP_DB: join(dir, "state.db"),
      CONNECT_MCP_EMBEDDINGS_MODEL: "fake-embed",
      CONNECT_MCP_EMBEDDINGS_BASE_URL: fakeUrl,
      CONNECT_MCP_RATE_LIMIT_PER_MINUTE: "0",
    });
  const keys = async (s: Awaited<ReturnType<typeof connectStdio>>, q: { query: string; app?: string }): Promise<string[]> => {
    const r = await call(s.client, "list_actions", { ...q, limit: 5 });
    expect(r.isError, r.text).toBe(false);
    return (r.structured!.actions as Array<{ key: string }>).map((a) => a.key);
  };

  it("fuses the embedding rank into the lexical one, and caches action vectors in SQLite", async () => {
    const s = await connectStdio(env());
    try {
      // Lexically "add label" comes first (the endpoint fails: the lexical ranking stands).
      failing = true;
      const lexical = await keys(s, { ...QUERY, query: `${QUERY.query}!` });
      expect(lexical[0]).toBe("microsoft_outlook-add-label-to-email");
      expect(lexical).toContain("microsoft_outlook-remove-label-from-email");
      failing = false;
      calls.length = 0;
      const fused = await keys(s, QUERY);
      expect(fused[0]).toBe("microsoft_outlook-remove-label-from-email");
      expect(fused.every((k) => k.startsWith("microsoft_outlook-"))).toBe(true);
      // The candidates' texts in one call, then the request; all for the configured model.
      expect(calls.map((c) => c.input.length)).toEqual([expect.any(Number), 1]);
      expect(calls[0]!.input.length).toBeGreaterThan(5);
      expect(calls[0]!.input.some((t) => t.startsWith("Remove Label from Email"))).toBe(true);
      expect(calls.every((c) => c.model === "fake-embed")).toBe(true);
      // The same request again: nothing to embed.
      calls.length = 0;
      expect(await keys(s, QUERY)).toEqual(fused);
      expect(calls).toEqual([]);
    } finally {
      await s.close();
    }
    // A new process over the same database embeds only the request.
    const again = await connectStdio(env());
    try {
      calls.length = 0;
      expect((await keys(again, QUERY))[0]).toBe("microsoft_outlook-remove-label-from-email");
      expect(calls.map((c) => c.input)).toEqual([[QUERY.query]]);
    } finally {
      await again.close();
    }
  });
});
