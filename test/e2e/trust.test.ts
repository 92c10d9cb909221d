/**
 * Issue 9's trust holes, end to end (official client → built server → emulator):
 * - policy on every path: a restricted key of the same end user cannot use a handle another key
 *   opened (describe, options, set, run), nor reach denied apps through sub-agent steps;
 * - honest outcomes: a run whose outcome is unknown is reported as such, its handle moves to
 *   `unknown` and runs again only with `rerun: true`; rows left `running` by a crash become
 *   `unknown` at start-up; concurrent runs of one handle send one run;
 * - bad input: oversized or malformed `app` never goes upstream and is not echoed whole.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/client";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { apiKey, tempConfig } from "../auth-helpers.js";
import { call, connectHttp, connectStdio, emulatorEnv, emulatorPerFile, fault, startHttp, type HttpServerProcess } from "../helpers.js";
import { startScriptedModel, type ScriptedModel } from "../support/scripted-model.js";

const files = emulatorPerFile("connect-mcp-trust-");
const tempDb = files.tempDb;
let emu: RunningEmulator;
beforeAll(() => {
  emu = files.emu();
});

/** Connect requests that touch a user's data or act: options, prop reloads, runs, proxy, accounts. */
const userTraffic = () => emu.requests().filter((r) => /\/actions\/(configure|props|run)$|\/proxy\/|\/accounts/.test(r.path));

describe("policy on every use of a handle", () => {
  const KEYS = {
    open: apiKey("open", "demo-user"),
    slackReadOnly: apiKey("slack-ro", "demo-user", { allowApps: ["slack"], readOnly: true }),
  };
  let server: HttpServerProcess;
  let cfg: ReturnType<typeof tempConfig>;

  beforeAll(async () => {
    cfg = tempConfig({ apiKeys: Object.values(KEYS).map((k) => k.entry) });
    server = await startHttp(emulatorEnv(emu, { CONNECT_MCP_CONFIG: cfg.path, CONNECT_MCP_DB: tempDb(), PIPEDREAM_EXTERNAL_USER_ID: "" }));
  });
  afterAll(async () => {
    await server?.stop();
    cfg?.cleanup();
  });

  async function as<T>(key: keyof typeof KEYS, fn: (c: Client) => Promise<T>): Promise<T> {
    const client = await connectHttp(server.url, "modern", KEYS[key].header);
    try {
      return await fn(client);
    } finally {
      await client.close();
    }
  }

  it("a restricted key cannot describe, list options of, set or run a handle another key of the same user opened", async () => {
    const handle = await as("open", async (c) => {
      const r = await call(c, "describe_action", { action: "github-create-issue", account_id: "apn_github_work" });
      expect(r.isError, r.text).toBe(false);
      return r.structured!.configuration_id as string;
    });
    await fetch(`${emu.url}/__emulator/requests`, { method: "DELETE" });

    await as("slackReadOnly", async (c) => {
      const attempts = [
        ["describe_action", { configuration_id: handle, prop: "repo" }],
        ["describe_action", { configuration_id: handle, prop: "repo", query: "octo" }],
        ["describe_action", { configuration_id: handle }],
        ["describe_action", { configuration_id: handle, configured_props: { title: "x" } }],
        ["describe_action", { configuration_id: handle, account_id: "apn_github_work" }],
        ["run_action", { configuration_id: handle, configured_props: { repo: "octo/repo", title: "x" } }],
        ["run_action", { configuration_id: handle }],
        ["describe_action", { action: "github-create-issue" }],
        ["describe_action", { action: "github-create-issue", prop: "repo" }],
      ] as const;
      for (const [tool, args] of attempts) {
        const r = await call(c, tool, args);
        expect(r.isError, `${tool} ${JSON.stringify(args)}: ${r.text}`).toBe(true);
        expect(r.text).toMatch(/Refused by policy "allow-apps" \(API key "slack-ro"\): app "github"/);
        expect(r.text).not.toMatch(/octo\/|apn_github/);
      }
      // Listing never shows the denied app's actions either.
      const list = await call(c, "list_actions", { query: "create issue" });
      expect((list.structured!.actions as Array<{ app: string }>).every((a) => a.app === "slack")).toBe(true);
    });
    expect(userTraffic()).toEqual([]);

    // The handle is untouched for the key allowed to use it.
    await as("open", async (c) => {
      const r = await call(c, "describe_action", { configuration_id: handle, prop: "repo" });
      expect(r.isError, r.text).toBe(false);
      expect((r.structured!.options as unknown[]).length).toBeGreaterThan(0);
    });
  });
});

describe("policy on every sub-agent step", () => {
  let model: ScriptedModel;
  let cfg: ReturnType<typeof tempConfig>;
  let s: Awaited<ReturnType<typeof connectStdio>>;

  beforeAll(async () => {
    model = await startScriptedModel();
    cfg = tempConfig({ allowApps: ["slack"] });
    s = await connectStdio(
      emulatorEnv(emu, {
        CONNECT_MCP_CONFIG: cfg.path,
        CONNECT_MCP_TOOL_MODE: "sub-agent",
        CONNECT_MCP_LLM_BASE_URL: model.baseUrl,
        CONNECT_MCP_LLM_MODEL: "scripted-1",
        CONNECT_MCP_LLM_API_KEY: "sk-test-trust",
      }),
    );
  });
  afterAll(async () => {
    await s?.close();
    await model?.close();
    cfg?.cleanup();
  });

  const shownToModel = () => JSON.stringify(model.requests.map((r) => r.body.messages));

  it("the model's list_accounts / configure_action on a denied app stop the run; no data of it reaches the model", async () => {
    for (const step of [
      { tool: "list_accounts", arguments: { app: "github" } },
      { tool: "configure_action", arguments: { action: "github-create-issue" } },
      { tool: "configure_action", arguments: { action: "github-create-issue", account_id: "apn_github_work" } },
    ]) {
      await fetch(`${emu.url}/__emulator/requests`, { method: "DELETE" });
      model.script([step, { tool: "get_options", arguments: { prop: "repo" } }, { tool: "run_action" }]);
      const r = await call(s.client, "run_action", { instruction: "Open an issue in octo/repo titled 'bug'" });
      expect(r.isError, `${step.tool}: ${r.text}`).toBe(true);
      expect(r.text).toMatch(/Refused by policy "allow-apps" \(deployment\): app "github"/);
      expect(model.requests).toHaveLength(1); // no further model call after the refusal
      expect(shownToModel()).not.toMatch(/apn_github|octo\/repo"|"value"/);
      expect(userTraffic()).toEqual([]);
    }
  });

  it("a cancelled call stops the sub-agent before any further model call or run", async () => {
    await fetch(`${emu.url}/__emulator/requests`, { method: "DELETE" });
    model.script([
      { tool: "configure_action", arguments: { action: "slack-send-message" }, delay_ms: 1500 },
      { tool: "set_props", arguments: { values: { channel: "C01GENERAL", text: "never" } } },
      { tool: "run_action" },
    ]);
    const controller = new AbortController();
    const pending = s.client.callTool({ name: "run_action", arguments: { instruction: "Post 'never' in #general" } }, { signal: controller.signal });
    await waitFor(() => model.requests.length === 1);
    controller.abort("user stop");
    await expect(pending).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 2500)); // past the slow model answer
    expect(model.requests).toHaveLength(1);
    expect(emu.requests().filter((q) => /\/actions\/(configure|run)$/.test(q.path))).toEqual([]);
  });

  it("find_actions shows the model only allowed apps' actions", async () => {
    model.script([{ tool: "find_actions", arguments: { query: "create issue" } }, { tool: "ask_user", arguments: { question: "Which one?" } }]);
    const r = await call(s.client, "run_action", { instruction: "Create an issue" });
    expect(r.structured).toMatchObject({ outcome: "needs_input" });
    const toolReply = model.requests[1]!.body.messages.find((m) => m.role === "tool")!;
    expect(toolReply.content).not.toMatch(/github-/);
  });
});

describe("honest outcomes for runs", () => {
  it("a run that may or may not have happened is outcome unknown; its handle needs rerun: true", async () => {
    const s = await connectStdio(emulatorEnv(emu, { CONNECT_MCP_DB: tempDb() }));
    try {
      await fault(emu, { path_contains: "/actions/run", status: 502 });
      const r = await call(s.client, "run_action", { action: "slack-send-message", configured_props: { channel: "C01GENERAL", text: "maybe" } });
      expect(r.isError).toBe(true);
      expect(r.structured).toMatchObject({ outcome: "unknown", action: "slack-send-message", configuration_id: expect.stringMatching(/^cfg_/) });
      expect(r.text).toMatch(/may or may not have run.*Check in the app whether it took effect/s);
      const handle = r.structured!.configuration_id as string;
      expect(emu.requests().filter((q) => q.path.endsWith("/actions/run"))).toHaveLength(1);

      // Running it again by accident is refused, with what to do.
      const again = await call(s.client, "run_action", { configuration_id: handle });
      expect(again.isError).toBe(true);
      expect(again.text).toMatch(/outcome is unknown.*rerun: true/s);
      const described = await call(s.client, "describe_action", { configuration_id: handle });
      expect(described.isError).toBe(true);
      expect(emu.requests().filter((q) => q.path.endsWith("/actions/run"))).toHaveLength(1);

      // Explicitly: it runs once more and closes.
      const rerun = await call(s.client, "run_action", { configuration_id: handle, rerun: true });
      expect(rerun.isError, rerun.text).toBe(false);
      expect(rerun.structured).toMatchObject({ outcome: "ok" });
      expect(emu.requests().filter((q) => q.path.endsWith("/actions/run"))).toHaveLength(2);
    } finally {
      await s.close();
    }
  });

  it("an unreadable 200 answer to a run is unknown, never success", async () => {
    const s = await connectStdio(emulatorEnv(emu, { CONNECT_MCP_TOOL_MODE: "tools-only" }));
    try {
      await fault(emu, { path_contains: "/actions/run", status: 200, body: "<html>upstream proxy error</html>" });
      const r = await call(s.client, "run_action", { action: "slack-send-message", configured_props: { channel: "C01GENERAL", text: "garbled" } });
      expect(r.isError, r.text).toBe(true);
      expect(r.structured).toMatchObject({ outcome: "unknown", action: "slack-send-message" });
      expect(r.text).toMatch(/may or may not have run/);
    } finally {
      await s.close();
    }
  });

  it("a run timing out is unknown", async () => {
    // Generous for the reads before the run (a loaded CI machine), short of the run's 6 s.
    const s = await connectStdio(emulatorEnv(emu, { CONNECT_MCP_UPSTREAM_TIMEOUT_MS: "2500" }));
    try {
      await fault(emu, { path_contains: "/actions/run", delay_ms: 6000, status: 200, body: { exports: {}, ret: {}, os: [] } });
      const r = await call(s.client, "run_action", { action: "slack-send-message", configured_props: { channel: "C01GENERAL", text: "slow" } });
      expect(r.structured, r.text).toMatchObject({ outcome: "unknown" });
    } finally {
      await s.close();
    }
  });

  it("a run left 'running' by a killed server is unknown after restart", async () => {
    const db = tempDb();
    const env = emulatorEnv(emu, { CONNECT_MCP_DB: db });
    const first = await startHttp(env);
    const c = await connectHttp(first.url);
    const start = await call(c, "run_action", { action: "slack-send-message", configured_props: { channel: "C01GENERAL" } });
    const handle = start.structured!.configuration_id as string;
    await fault(emu, { path_contains: "/actions/run", delay_ms: 10_000, status: 200, body: { exports: {}, ret: {}, os: [] } });
    const inFlight = call(c, "run_action", { configuration_id: handle, configured_props: { text: "crash" } }).catch(() => undefined);
    await waitFor(() => emu.requests().some((q) => q.path.endsWith("/actions/run")));
    first.child.kill("SIGKILL");
    await first.exited;
    await inFlight;
    await c.close().catch(() => undefined);

    const second = await startHttp(env);
    try {
      expect(second.stderr()).toMatch(/runs left 'running' by a stopped process are now 'unknown'/);
      const c2 = await connectHttp(second.url);
      const again = await call(c2, "run_action", { configuration_id: handle });
      expect(again.isError).toBe(true);
      expect(again.text).toMatch(/outcome is unknown/);
      await fetch(`${emu.url}/__emulator/faults`, { method: "DELETE" });
      const rerun = await call(c2, "run_action", { configuration_id: handle, rerun: true });
      expect(rerun.structured).toMatchObject({ outcome: "ok" });
      await c2.close();
    } finally {
      await second.stop();
    }
  });

  it("two concurrent runs of one handle send one run", async () => {
    const s = await connectStdio(emulatorEnv(emu, { CONNECT_MCP_DB: tempDb() }));
    try {
      const start = await call(s.client, "run_action", { action: "slack-send-message", configured_props: { channel: "C01GENERAL", text: "once" } });
      expect(start.isError).toBe(false); // ran already: use a fresh handle instead
      const open = await call(s.client, "describe_action", { action: "slack-send-message", configured_props: { channel: "C01GENERAL", text: "once" } });
      const handle = open.structured!.configuration_id as string;
      await fetch(`${emu.url}/__emulator/requests`, { method: "DELETE" });
      await fault(emu, { path_contains: "/actions/run", delay_ms: 500, status: 200, body: { exports: { $summary: "sent" }, ret: {}, os: [] } });
      const results = await Promise.all([1, 2, 3].map(() => call(s.client, "run_action", { configuration_id: handle })));
      expect(results.filter((r) => !r.isError)).toHaveLength(1);
      for (const r of results.filter((x) => x.isError)) expect(r.text).toMatch(/running right now|already running or closed|no longer open/);
      expect(emu.requests().filter((q) => q.path.endsWith("/actions/run"))).toHaveLength(1);
    } finally {
      await s.close();
    }
  });
});

describe("cancellation reaches upstream", () => {
  for (const era of ["legacy", "modern"] as const) {
    it(`a cancelled api_proxy POST aborts the request at Connect (stdio, ${era})`, async () => {
      const s = await connectStdio(emulatorEnv(emu), era);
      try {
        const controller = new AbortController();
        const pending = s.client.callTool(
          { name: "api_proxy", arguments: { method: "POST", url: "https://slack.com/__emulator/delay/4000", app: "slack", body: { text: "slow" } } },
          { signal: controller.signal },
        );
        await waitFor(() => emu.requests().some((q) => q.path.includes("/proxy/")));
        const cancelledAt = Date.now();
        controller.abort("user stop");
        await expect(pending).rejects.toThrow();
        await waitFor(() => emu.requests().some((q) => q.path.includes("/proxy/") && q.endedAt !== undefined));
        const proxied = emu.requests().filter((q) => q.path.includes("/proxy/"));
        expect(proxied).toHaveLength(1);
        // The emulator saw the connection closed long before its 4 s answer: nothing completed upstream.
        expect(proxied[0]).toMatchObject({ method: "POST", aborted: true });
        expect(Date.parse(proxied[0]!.endedAt!) - cancelledAt).toBeLessThan(2000);
      } finally {
        await s.close();
      }
    });
  }
});

describe("shutdown", () => {
  it("SIGTERM with a call in flight: the call completes, then the server exits 0", async () => {
    const server = await startHttp(emulatorEnv(emu, { CONNECT_MCP_DB: tempDb() }));
    const c = await connectHttp(server.url);
    try {
      const inFlight = call(c, "api_proxy", { method: "GET", url: "https://slack.com/__emulator/delay/1200", app: "slack" });
      await waitFor(() => emu.requests().some((q) => q.path.includes("/proxy/")));
      server.child.kill("SIGTERM");
      const r = await inFlight;
      expect(r.isError, r.text).toBe(false);
      expect(r.structured).toMatchObject({ outcome: "ok", status: 200 });
      expect(await server.exited).toBe(0);
    } finally {
      await c.close().catch(() => undefined);
      await server.stop();
    }
  });
});

describe("bad input never goes upstream whole", () => {
  it("an oversized or malformed app is refused before Connect, quoting at most ~100 characters", async () => {
    const s = await connectStdio(emulatorEnv(emu));
    try {
      for (const app of ["x".repeat(100_000), "slack/../../admin", "sl ack"]) {
        for (const [tool, args] of [
          ["list_accounts", { app }],
          ["list_actions", { app }],
          ["api_proxy", { method: "GET", url: "https://slack.com/api/auth.test", app }],
        ] as const) {
          const r = await call(s.client, tool, args);
          expect(r.isError).toBe(true);
          expect(r.text).toMatch(/is not an app slug/);
          expect(r.text.length).toBeLessThan(600);
        }
      }
      expect(emu.requests()).toEqual([]);
      const longAccount = await call(s.client, "api_proxy", { method: "GET", url: "https://slack.com/api/auth.test", account_id: "apn_".padEnd(50_000, "z") });
      expect(longAccount.isError).toBe(true);
      expect(longAccount.text.length).toBeLessThan(600);
    } finally {
      await s.close();
    }
  });
});

async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
