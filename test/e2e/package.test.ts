/**
 * `npm pack` makes a package that runs: the tarball holds what the CLI needs (compiled code, the
 * README and docs — no sources or tests), and its bin answers --help from the unpacked files. The
 * registry install (`npx ./connect-mcp-*.tgz`) is replaced by this repository's node_modules.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

it("npm pack makes a package whose connect-mcp --help runs", { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "connect-mcp-pack-"));
  try {
    // dist/ is already built (npm test builds first), so the prepack build is skipped here.
    const packed = JSON.parse(execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", dir], { cwd: ROOT, encoding: "utf8" })) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = packed[0]!.files.map((f) => f.path);
    for (const f of ["dist/bin/connect-mcp.js", "dist/src/server.js", "dist/src/emulator/index.js", "dist/src/demo.js", "README.md", "docs/configuration.md", "package.json"]) expect(files).toContain(f);
    expect(files.filter((f) => /^(src|test|bin|scripts)\/|\.ts$|\.map$/.test(f))).toEqual([]);

    execFileSync("tar", ["-xzf", join(dir, packed[0]!.filename), "-C", dir]);
    symlinkSync(realpathSync(join(ROOT, "node_modules")), join(dir, "package", "node_modules"));
    const help = spawnSync(process.execPath, [join(dir, "package", "dist", "bin", "connect-mcp.js"), "--help"], { encoding: "utf8" });
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^connect-mcp \d+\.\d+\.\d+ — MCP server/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
