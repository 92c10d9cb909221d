/**
 * The README's quick start, run as a newcomer would from a clean checkout: the code blocks marked
 * `<!-- quickstart:NAME -->` in README.md are executed (so the README cannot drift from what
 * works): the demo, the emulator, doctor + one call of each tool, HTTP with a token, and the
 * full-config walkthrough.
 *
 * The checkout is the repository's tracked files only (`git ls-files`: no dist/, no
 * node_modules/, nothing untracked), copied from the working tree. `npm install` is replaced by a
 * link to this repository's node_modules (installing takes minutes); everything else — building
 * dist/ included — happens in the copy. Ports: 0 / a free port instead of 4010 and 3333, so runs
 * never collide.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const README = readFileSync(join(ROOT, "README.md"), "utf8");

/** The bash blocks of the README marked `<!-- quickstart:NAME -->`, by name. */
const BLOCKS = Object.fromEntries([...README.matchAll(/<!-- quickstart:(\w+) -->\n```bash\n([\s\S]*?)```/g)].map((m) => [m[1]!, m[2]!]));

function block(name: string): string {
  const text = BLOCKS[name];
  if (!text) throw new Error(`README.md has no block marked <!-- quickstart:${name} -->`);
  return text;
}

let dir: string;
const children: ChildProcess[] = [];
/** A newcomer's environment: nothing from the developer's shell but PATH and HOME. */
const baseEnv = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", npm_config_update_notifier: "false", npm_config_fund: "false" };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "connect-mcp-quickstart-"));
  const files = execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" }).split("\0").filter(Boolean);
  for (const f of files) {
    if (!existsSync(join(ROOT, f))) continue; // deleted in the working tree
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(join(ROOT, f), join(dir, f));
  }
  expect(existsSync(join(dir, "dist"))).toBe(false);
  symlinkSync(realpathSync(join(ROOT, "node_modules")), join(dir, "node_modules"));
});
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.pid) killGroup(c, "SIGKILL");
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal); // npm → sh → node: the whole group
  } catch {
    // already gone
  }
}

/** Start a long-running command (in its own process group) and wait until its output matches. */
async function startUntil(command: string, env: Record<string, string>, until: RegExp, ms = 120_000) {
  const child = spawn("bash", ["-c", command], { cwd: dir, env: { ...baseEnv, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  children.push(child);
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`"${command}" did not print ${until} in ${ms} ms:\n${out}`)), ms);
    const check = () => {
      if (until.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", check);
    child.stderr!.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`"${command}" exited with ${code}:\n${out}`));
    });
  });
  return {
    output: () => out,
    async stop(): Promise<number | null> {
      killGroup(child, "SIGINT");
      return exited;
    },
  };
}

/** Run a README block in bash (stopping at the first failing command); its output and exit code. */
function runBlock(script: string, env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn("bash", ["-e", "-c", script], { cwd: dir, env: { ...baseEnv, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.once("exit", (code) => resolve({ code, out }));
  });
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

describe("the README's quick start, from a clean checkout", () => {
  it("npm install && npm run demo prints the URL and one ok line per tool", { timeout: 180_000 }, async () => {
    expect(block("demo")).toMatch(/^npm install && npm run demo\b/m);
    const demo = await startUntil("npm run demo", { CONNECT_MCP_PORT: "0" }, /until Ctrl-C/);
    const out = demo.output();
    expect(out).toMatch(/MCP endpoint[^\n]*http:\/\/127\.0\.0\.1:\d+\/mcp/);
    for (const tool of ["list_accounts", "api_proxy", "list_actions", "describe_action", "run_action"]) expect(out).toMatch(new RegExp(`^  ok +${tool} `, "m"));
    await demo.stop(); // (test/e2e/demo.test.ts checks that Ctrl-C drains and exits 0)
  });

  it("the emulator, doctor and one call of each tool, HTTP with a token, the full-config walkthrough", { timeout: 180_000 }, async () => {
    expect(block("emulator").trim()).toBe("npm run emulator");
    const emulator = await startUntil("npm run emulator -- --port 0", {}, /^export CONNECT_MCP_LLM_MODEL=.*$/m);
    try {
      // What the emulator printed, as a person pastes it into the second terminal.
      const exports = Object.fromEntries([...emulator.output().matchAll(/^export (\w+)=(\S+)/gm)].map((m) => [m[1]!, m[2]!]));
      expect(Object.keys(exports)).toEqual(expect.arrayContaining(["PIPEDREAM_BASE_URL", "PIPEDREAM_CLIENT_ID", "PIPEDREAM_EXTERNAL_USER_ID", "CONNECT_MCP_DB"]));

      const tried = await runBlock(block("try"), exports);
      expect(tried.code, tried.out).toBe(0);
      expect(tried.out).toMatch(/ok +end user "demo-user" has 6 connected account/);
      expect(tried.out).toContain("every tool answered ok");

      const http = await runBlock(block("http").replaceAll("3333", String(await freePort())), exports);
      expect(http.code, http.out).toBe(0);
      expect(http.out).toMatch(/over HTTP at http:\/\/127\.0\.0\.1:\d+\/mcp \(with CONNECT_MCP_HTTP_TOKEN\)/);
      expect(http.out).toContain("every tool answered ok");

      const walk = await runBlock(block("walkthrough"), exports);
      expect(walk.code, walk.out).toBe(0);
      expect(walk.out).toContain('{"label":"Sheet1","value":0}');
      expect(walk.out).toContain('"name":"col_0002"');
      expect(walk.out.match(/^Added 1 row to Budget 2026$/gm)).toHaveLength(2);
    } finally {
      await emulator.stop();
    }
  });
});
