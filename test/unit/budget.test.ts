/** Result budget (pure): token estimate vs o200k, fields, shape-keeping cuts; read retries. */
import { getEncoding } from "js-tiktoken";
import { describe, expect, it } from "vitest";
import { estimateTokens, fitToBudget, selectFields } from "../../src/core/budget.js";
import { argumentsHash } from "../../src/core/idempotency.js";
import { shapeResult } from "../../src/core/result-shaping.js";
import { isJsonMirror, success } from "../../src/core/results.js";
import { withRetries } from "../../src/core/retries.js";
import { ProviderError } from "../../src/providers/provider.js";

const o200k = getEncoding("o200k_base");
const tokens = (v: unknown) => o200k.encode(JSON.stringify(v)).length;

describe("estimateTokens", () => {
  const samples: Record<string, unknown> = {
    list: { items: Array.from({ length: 300 }, (_, i) => ({ id: `item_${String(i).padStart(6, "0")}`, n: i, name: `Item ${i}` })) },
    numbers: Array.from({ length: 800 }, (_, i) => (i * 7919) % 1000003),
    floats: Array.from({ length: 300 }, (_, i) => ({ x: Math.sin(i), y: Math.cos(i) })),
    base64: Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 193) % 256)).toString("base64"),
    hex: Array.from({ length: 60 }, (_, i) => (BigInt(i + 1) * 0x9e3779b97f4a7c15n).toString(16).padStart(16, "0").repeat(2)),
    messages: { messages: Array.from({ length: 100 }, (_, i) => ({ user: `U0${i}ABCD`, text: `The deploy #${i} finished; please check the dashboard.`, ts: `1700000${i}.000200` })) },
    cjk: "東京都の天気は晴れです。".repeat(50),
    emoji: "🎉🚀✨".repeat(100),
  };
  for (const [name, value] of Object.entries(samples)) {
    it(`never under-counts o200k (${name}), and is not wildly over`, () => {
      const real = tokens(value);
      const est = estimateTokens(JSON.stringify(value));
      expect(est).toBeGreaterThanOrEqual(real);
      expect(est).toBeLessThan(real * 1.7);
    });
  }
});

describe("selectFields", () => {
  it("keeps dotted paths, traversing arrays implicitly", () => {
    const body = { ok: true, messages: [{ ts: "1", text: "a", user: "U1", files: [{ id: "F1", name: "x" }] }, { ts: "2", text: "b" }], next: "c" };
    expect(selectFields(body, ["messages.ts", "messages.files.id", "next"])).toEqual({ messages: [{ ts: "1", files: [{ id: "F1" }] }, { ts: "2" }], next: "c" });
    expect(selectFields(body, ["nope.deeper"])).toEqual({});
    expect(selectFields([{ a: 1, b: 2 }], ["a"])).toEqual([{ a: 1 }]);
  });
});

describe("fitToBudget", () => {
  const big = { status: 200, body: { count: 5000, items: Array.from({ length: 5000 }, (_, i) => ({ id: `item_${i}`, text: `Item number ${i}` })) } };

  it("leaves a result under budget alone", () => {
    expect(fitToBudget({ a: 1 }, 100)).toEqual({ value: { a: 1 }, omitted: [] });
  });

  it("cuts the largest list, keeping shape, and says where to continue", () => {
    const fit = fitToBudget(big, 2000);
    const value = fit.value as typeof big;
    expect(value.status).toBe(200);
    expect(value.body.count).toBe(5000);
    expect(value.body.items.length).toBeGreaterThan(50);
    expect(tokens(value)).toBeLessThanOrEqual(2000);
    expect(fit.omitted).toEqual([{ path: "body.items", items: 5000 - value.body.items.length }]);
    expect(fit.page).toEqual({ path: "body.items", offset: 0, total: 5000, next_offset: value.body.items.length });
  });

  it("pages from an offset to the end without losing an item", () => {
    const seen: string[] = [];
    let offset: number | undefined = 0;
    while (offset !== undefined) {
      const fit = fitToBudget(big, 1500, { offset });
      seen.push(...(fit.value as typeof big).body.items.map((i) => i.id));
      offset = fit.page?.next_offset;
    }
    expect(seen).toEqual(big.body.items.map((i) => i.id));
  });

  it("cuts long strings with their length when there is no list to cut", () => {
    const text = Array.from({ length: 10_000 }, (_, i) => `word${i % 97} `).join("");
    const fit = fitToBudget({ body: { data: text, kind: "text" } }, 500);
    expect(tokens(fit.value)).toBeLessThanOrEqual(500);
    expect((fit.value as { body: { kind: string } }).body.kind).toBe("text");
    expect(fit.omitted).toEqual([{ path: "body.data", chars: text.length }]);
  });

  it("cuts wide objects and nested lists too", () => {
    const wide = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`key_${i}`, `value ${i}`]));
    const fit = fitToBudget({ map: wide, nested: [{ deep: Array.from({ length: 2000 }, (_, i) => i) }] }, 800);
    expect(tokens(fit.value)).toBeLessThanOrEqual(800);
    expect(fit.omitted.length).toBeGreaterThan(0);
  });
});

describe("idempotency argument hash", () => {
  it("ignores key order and arguments that do not change the call", () => {
    const a = argumentsHash("run_action", { action: "x", configured_props: { a: 1, b: 2 }, idempotency_key: "k1", fields: ["a"] });
    const b = argumentsHash("run_action", { configured_props: { b: 2, a: 1 }, action: "x", idempotency_key: "k2", confirmation_token: "cfm_x" });
    expect(a).toBe(b);
    expect(argumentsHash("run_action", { action: "y" })).not.toBe(argumentsHash("run_action", { action: "x" }));
    expect(argumentsHash("api_proxy", { action: "x" })).not.toBe(argumentsHash("run_action", { action: "x" }));
  });
});

describe("withRetries", () => {
  const clock = () => {
    let t = 0;
    const waits: number[] = [];
    return { now: () => t, sleep: async (ms: number) => void (waits.push(ms), (t += ms)), waits, advance: (ms: number) => (t += ms) };
  };

  it("retries 503 with Retry-After and backoff, then succeeds", async () => {
    const c = clock();
    let n = 0;
    const out = await withRetries({ budgetMs: 60_000, maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 10_000, now: c.now, sleep: c.sleep, random: () => 0.5 }, undefined, async () => {
      if (++n < 3) throw new ProviderError("upstream", "503", { status: 503, retryAfterSeconds: n === 1 ? 2 : undefined });
      return { ok: true, value: "done" };
    });
    expect(out).toEqual({ value: "done", attempts: 3, reasons: ["503", "503"] });
    expect(c.waits).toEqual([2000, 250]); // Retry-After first, then 0.5 × 250 × 2
  });

  it("never retries what is not a blip, and stops within the budget", async () => {
    const c = clock();
    let n = 0;
    await expect(
      withRetries({ budgetMs: 60_000, maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 10_000, now: c.now, sleep: c.sleep }, undefined, async () => {
        n++;
        throw new ProviderError("bad_request", "400", { status: 400 });
      }),
    ).rejects.toThrow("400");
    expect(n).toBe(1);
    n = 0;
    await expect(
      withRetries({ budgetMs: 3_000, maxAttempts: 10, baseDelayMs: 250, maxDelayMs: 10_000, now: c.now, sleep: c.sleep }, undefined, async () => {
        n++;
        throw new ProviderError("rate_limited", "429", { status: 429, retryAfterSeconds: 5 });
      }),
    ).rejects.toThrow("429");
    expect(n).toBe(1); // a 5 s Retry-After does not fit a 3 s budget: no retry
  });
});

describe("shapeResult's length-only fast path", () => {
  it("no text estimates above 1.25 tokens per character, so a short result fits without an estimate", () => {
    const worst = [
      "1,2,3,4,5,6,7,8,9,0,".repeat(50),
      "a1b2c3d4".repeat(100),
      "é".repeat(400),
      "\u0001".repeat(300),
      '{"a":1,"b":[1,2,3],"c":"x"}'.repeat(40),
      "aBcDeFgH".repeat(100),
      "😀".repeat(200),
    ];
    for (const text of worst) expect(estimateTokens(text)).toBeLessThanOrEqual(Math.max(24, text.length * 1.25));
  });

  it("a result that fits comes back as it was; one over the budget is still cut", () => {
    const small = { outcome: "ok", accounts: [{ id: "apn_1", app: "slack" }] };
    const result = { content: [{ type: "text" as const, text: JSON.stringify(small) }], structuredContent: small };
    expect(shapeResult(result, { maxTokens: 1000, store: () => "never" })).toBe(result);
    const big = { outcome: "ok", accounts: Array.from({ length: 400 }, (_, i) => ({ id: `apn_${i}`, app: "slack", name: `Workspace number ${i}` })) };
    const cut = shapeResult({ content: [{ type: "text", text: JSON.stringify(big) }], structuredContent: big }, { maxTokens: 1000, store: () => "res_1" });
    expect(cut.structuredContent).toMatchObject({ truncated: { result_id: "res_1" } });
  });

  it("a success() result is cut like any other, its text taken as the JSON mirror it is", () => {
    const big = { outcome: "ok", accounts: Array.from({ length: 400 }, (_, i) => ({ id: `apn_${i}`, app: "slack", name: `Workspace number ${i}` })) };
    const built = success(big);
    expect(isJsonMirror(built)).toBe(true);
    expect(isJsonMirror({ ...built })).toBe(false);
    const cut = shapeResult(built, { maxTokens: 1000, store: () => "res_2" });
    expect(cut.structuredContent).toMatchObject({ truncated: { result_id: "res_2" } });
    expect(JSON.parse(cut.content[0]!.text)).toEqual(cut.structuredContent);
    const small = success({ outcome: "ok" });
    expect(shapeResult(small, { maxTokens: 1000, store: () => "never" })).toBe(small);
  });
});
