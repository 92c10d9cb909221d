/**
 * What tools/list shows of a zod schema, computed once per process instead of once per server
 * (the 2026-07-28 HTTP era builds a server per request) and trimmed of what buys a model nothing:
 * `$schema`, empty `properties`, `additionalProperties: {}` and `items: {}` (the defaults),
 * `additionalProperties: false` on arguments, Number.MAX_SAFE_INTEGER
 * bounds, abuse-guard length caps and, in output schemas, `type` next to an `enum` or `const`.
 * Arguments are still validated by the zod schema itself, every constraint included.
 */
import type { StandardSchemaWithJSON } from "@modelcontextprotocol/server";
import type { z } from "zod";
import type { ToolAnnotations } from "./define-tool.js";

type Json = Record<string, unknown>;

export function compactJsonSchema(schema: unknown, io: "input" | "output"): unknown {
  if (Array.isArray(schema)) return schema.map((s) => compactJsonSchema(s, io));
  if (!schema || typeof schema !== "object") return schema;
  const s = schema as Json;
  const out: Json = {};
  for (const [key, value] of Object.entries(s)) {
    if (key === "$schema") continue;
    if (key === "properties" && isEmptyObject(value)) continue;
    if ((key === "additionalProperties" || key === "items") && isEmptyObject(value)) continue;
    // Unknown arguments are refused by zod (strict objects) with an error naming them; the listing
    // need not say so on every turn.
    if (key === "additionalProperties" && value === false && io === "input") continue;
    if ((key === "maximum" && value === Number.MAX_SAFE_INTEGER) || (key === "minimum" && value === Number.MIN_SAFE_INTEGER)) continue;
    if (key === "type" && io === "output" && ("enum" in s || "const" in s)) continue;
    // Length caps that only guard against abuse (ids, keys, URLs) are checked by zod with a clear
    // error; a model never comes near them, so they are not worth listing on every turn.
    if ((key === "maxLength" && typeof value === "number" && value >= 100) || (key === "maxItems" && typeof value === "number" && value >= 50)) continue;
    if (key === "minLength" && value === 1) continue;
    out[key] =
      key === "properties" || key === "$defs"
        ? Object.fromEntries(Object.entries(value as Json).map(([name, sub]) => [name, compactJsonSchema(sub, io)]))
        : compactJsonSchema(value, io);
  }
  return out;
}

function isEmptyObject(value: unknown): boolean {
  return !!value && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0;
}

const listed = new WeakMap<object, { input?: StandardSchemaWithJSON; output?: StandardSchemaWithJSON }>();

/**
 * The schema as registered with the SDK: zod validates, the JSON Schema is the compact one, made
 * on first use and then shared by every server instance of this process.
 */
export function listedSchema(schema: z.ZodType, io: "input" | "output"): StandardSchemaWithJSON {
  const entry = listed.get(schema) ?? {};
  listed.set(schema, entry);
  const known = entry[io];
  if (known) return known;
  const std = (schema as unknown as StandardSchemaWithJSON)["~standard"];
  let json: Json | undefined;
  const jsonSchema = (options: Parameters<StandardSchemaWithJSON["~standard"]["jsonSchema"]["input"]>[0]) =>
    (json ??= compactJsonSchema(std.jsonSchema[io](options), io) as Json);
  const made: StandardSchemaWithJSON = {
    "~standard": {
      version: 1,
      vendor: "connect-mcp",
      validate: (value) => std.validate(value),
      jsonSchema: { input: jsonSchema, output: jsonSchema },
    },
  };
  entry[io] = made;
  return made;
}

/**
 * Annotations as listed: the MCP spec gives destructiveHint and idempotentHint meaning only when
 * readOnlyHint is false, so a read-only tool lists readOnlyHint and openWorldHint alone.
 */
export function listedAnnotations(a: ToolAnnotations): Partial<ToolAnnotations> {
  return a.readOnlyHint ? { readOnlyHint: true, openWorldHint: a.openWorldHint } : a;
}
