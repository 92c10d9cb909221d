/**
 * Rate-limit defaults that fit the transport: over stdio the one local user is never throttled
 * unless a limit is configured; over HTTP each user gets a share (60 / min, bursts of 30) of a
 * server-wide budget (180 / min, bursts of 90) sized under Connect's per-project quota.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { apiKey, tempConfig } from "../auth-helpers.js";
import { call, connectHttp, connectStdio, emulator, emulatorEnv, startHttp } from "../helpers.js";

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await emulator();
});
afterAll(async () => {
  await emu?.close();
});

describe("stdio", () => {
  it("no per-user limit by default: 130 quick calls all succeed", async () => {
    const s = await connectStdio(emulatorEnv(emu));
    try {
      for (let i = 1; i <= 130; i++) {
        const r = await call(s.client, "list_accounts", { app: "slack" });
        expect(r.isError, `call ${i}: ${r.text}`).toBe(false);
      }
    } finally {
      await s.close();
    }
  });

  it("an explicitly configured limit still applies", async () => {
    const s = await connectStdio(emulatorEnv(emu, { CONNECT_MCP_RATE_LIMIT_PER_MINUTE: "6", CONNECT_MCP_RATE_LIMIT_BURST: "3" }));
    try {
      for (let i = 0; i < 3; i++) expect((await call(s.client, "list_accounts", { app: "slack" })).isError).toBe(false);
      const r = await call(s.client, "list_accounts", { app: "slack" });
      expect(r.isError).toBe(true);
      expect(r.text).toMatch(/this user may make 6 tool calls per minute \(bursts of 3\); retry after \d+ s/);
    } finally {
      await s.close();
    }
  });
});

describe("HTTP defaults", () => {
  it("one user gets bursts of 30 (60 per minute)", async () => {
    const token = "rate-token-0123456789abcdef";
    const server = await startHttp(emulatorEnv(emu, { CONNECT_MCP_HTTP_TOKEN: token }));
    const client = await connectHttp(server.url, "modern", { Authorization: `Bearer ${token}` });
    try {
      const started = Date.now();
      const results = await Promise.all(Array.from({ length: 45 }, () => call(client, "list_accounts", { app: "slack" })));
      const seconds = (Date.now() - started) / 1000;
      const ok = results.filter((r) => !r.isError).length;
      const refused = results.filter((r) => r.isError);
      expect(ok).toBeGreaterThanOrEqual(30);
      expect(ok).toBeLessThanOrEqual(30 + Math.ceil(seconds) + 1); // the burst plus what refilled meanwhile
      expect(refused.length).toBeGreaterThan(0);
      for (const r of refused) expect(r.text).toMatch(/Rate limit \(policy "rate-limit", deployment\): this user may make 60 tool calls per minute \(bursts of 30\); retry after \d+ s\./);
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it("all users together stay within the server-wide budget (bursts of 90, 180 per minute)", async () => {
    const keys = [1, 2, 3, 4, 5].map((n) => apiKey(`k${n}`, `rate-user-${n}`));
    const cfg = tempConfig({ apiKeys: keys.map((k) => k.entry) });
    const server = await startHttp(emulatorEnv(emu, { CONNECT_MCP_CONFIG: cfg.path, PIPEDREAM_EXTERNAL_USER_ID: "" }));
    try {
      const started = Date.now();
      // Five users, 30 calls each (within each one's own burst), at the same time.
      const perUser = await Promise.all(
        keys.map(async (k) => {
          const client = await connectHttp(server.url, "modern", k.header);
          try {
            const out = [];
            for (let i = 0; i < 30; i++) out.push(await call(client, "list_accounts"));
            return out;
          } finally {
            await client.close();
          }
        }),
      );
      const seconds = (Date.now() - started) / 1000;
      const all = perUser.flat();
      const ok = all.filter((r) => !r.isError).length;
      const refused = all.filter((r) => r.isError);
      expect(refused.length).toBeGreaterThan(0);
      for (const r of refused) {
        expect(r.text).toMatch(/all users of this server together may make 180 tool calls per minute \(bursts of 90\), to stay within the Pipedream project's quota; retry after \d+ s\./);
      }
      expect(ok).toBeLessThanOrEqual(90 + Math.ceil(3 * seconds) + 1); // the burst plus what refilled meanwhile
      expect(ok).toBeGreaterThanOrEqual(90);
    } finally {
      await server.stop();
      cfg.cleanup();
    }
  });
});
