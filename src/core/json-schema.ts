/**
 * Checking a value against a prop's own JSON Schema (props of providers that describe inputs in
 * JSON Schema, e.g. Composio's tools), locally, before anything is sent. Schemas are compiled once
 * (zod's JSON Schema reader) and kept by their text.
 */
import { z } from "zod";

const compiled = new Map<string, z.ZodType | null>();
const MAX_COMPILED = 2000;

function validator(schema: Record<string, unknown>): z.ZodType | null {
  const key = JSON.stringify(schema);
  let v = compiled.get(key);
  if (v === undefined) {
    try {
      v = z.fromJSONSchema(schema as never);
    } catch {
      // A schema zod cannot read (an unresolved $ref, an exotic keyword) is not checked here: the
      // provider checks it when the tool runs.
      v = null;
    }
    if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, v);
  }
  return v;
}

/** Why `value` does not match `schema` (one short sentence), or undefined when it does. */
export function schemaProblem(schema: Record<string, unknown>, value: unknown): string | undefined {
  const v = validator(schema);
  if (!v) return undefined;
  const parsed = v.safeParse(value);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0]!;
  const where = issue.path.length ? ` at ${issue.path.join(".")}` : "";
  return `${issue.message.replace(/^Invalid input: /, "")}${where}`;
}
