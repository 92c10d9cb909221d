/**
 * A throwaway PostgreSQL server for tests (vitest globalSetup) and benches (bench/replicas.mjs): initdb in a temporary directory, on a free
 * loopback port, stopped and removed afterwards. initdb refuses to run as root, so as root the
 * server runs as the `postgres` user (Debian's package creates it). Needs the server binaries
 * (Debian: apt-get install postgresql; .ci/run does it).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

/** @returns {string | undefined} the bin directory of the newest installed server */
export function findPostgresBin() {
  const root = "/usr/lib/postgresql";
  if (process.env.CONNECT_MCP_TEST_PG_BIN) return process.env.CONNECT_MCP_TEST_PG_BIN;
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], "bin") : undefined;
}

/** @returns {Promise<number>} */
async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * @returns {Promise<{ url: string, stop(): void }>} url: postgres://postgres@127.0.0.1:<port>/postgres
 *   (trust auth, loopback only); stop() stops the server and removes its directory.
 */
export async function startPostgres() {
  const bin = findPostgresBin();
  if (!bin) throw new Error("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: install them (Debian: apt-get install -y postgresql) to run the store tests against PostgreSQL.");
  const asRoot = userInfo().uid === 0;
  const dir = mkdtempSync(join(tmpdir(), "connect-mcp-pg-"));
  const data = join(dir, "data");
  // As root: everything as the postgres user, in a directory it owns.
  const run = (cmd, args) => {
    const full = asRoot ? ["-u", "postgres", "--", join(bin, cmd), ...args] : args;
    const r = spawnSync(asRoot ? "runuser" : join(bin, cmd), full, { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr || r.stdout}`);
  };
  if (asRoot) {
    const id = (flag) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
    chownSync(dir, id("-u"), id("-g"));
  }
  try {
    run("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
    const port = await freePort();
    // fsync off: a test server holds nothing worth keeping after a crash.
    const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
    run("pg_ctl", ["-D", data, "-o", opts, "-l", join(dir, "server.log"), "-w", "-t", "60", "start"]);
    let stopped = false;
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      stop() {
        if (stopped) return;
        stopped = true;
        try {
          run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
