/**
 * The documentation stays complete and connected: every option (flag, variable, config key) is in
 * docs/configuration.md and in exactly one --help group, and every link between README.md and
 * docs/ points at a file that exists.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { OPTION_GROUPS, OPTIONS } from "../../src/config.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

describe("documentation", () => {
  it("docs/configuration.md names every flag, environment variable and config key", () => {
    const doc = read("docs/configuration.md");
    for (const o of OPTIONS) {
      if (o.flag) expect(doc, o.flag).toContain(`\`--${o.flag}\``);
      for (const env of o.env) expect(doc, env).toContain(env);
      expect(doc, o.key).toContain(`\`${o.key}\``);
    }
    for (const command of ["serve --demo", "emulator", "doctor", "call", "audit", "api-key", "cache"]) expect(doc).toContain(`connect-mcp ${command}`);
  });

  it("every option is in exactly one --help group", () => {
    const grouped = OPTION_GROUPS.flatMap((g) => g.keys);
    expect([...grouped].sort()).toEqual(OPTIONS.map((o) => o.key).sort());
  });

  it("links between README.md and docs/ resolve", () => {
    const pages = ["README.md", ...readdirSync(join(ROOT, "docs")).map((f) => `docs/${f}`)];
    for (const page of pages) {
      for (const [, target] of read(page).matchAll(/\]\(([^)#\s]+\.md)(#[^)]*)?\)/g)) {
        expect(existsSync(join(ROOT, dirname(page), target!)), `${page} → ${target}`).toBe(true);
      }
    }
    expect(read("README.md")).toContain("(docs/configuration.md)");
  });
});
