// Builds dist/ when it is missing or older than the sources, so `npm start` works on a fresh clone.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const entry = "dist/bin/connect-mcp.js";
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}
const stale = !existsSync(entry) || Math.max(newest("src"), newest("bin"), statSync("package.json").mtimeMs) > statSync(entry).mtimeMs;
if (stale) {
  process.stderr.write("connect-mcp: building (tsc)…\n");
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json"], { stdio: ["ignore", 2, 2] });
}
