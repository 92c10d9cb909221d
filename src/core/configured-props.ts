/**
 * Checks on caller-supplied `configured_props` before anything is sent to Connect: unknown names,
 * app props (those are filled from the user's account, never by the caller), missing required
 * props and values of the wrong type — each reported with what to do instead.
 */
import type { ActionProp } from "../providers/provider.js";
import { ToolError } from "./errors.js";
import { isConfigurable, isRequired, valueSchema, type JsonSchema } from "./props-schema.js";

function typeMatches(schema: JsonSchema, value: unknown): boolean {
  switch (schema.type) {
    case "string":
      return typeof value === "string";
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "boolean":
      return typeof value === "boolean";
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    case "array":
      return Array.isArray(value) && (!schema.items || value.every((v) => typeMatches(schema.items!, v)));
    default:
      return true;
  }
}

/** The value a prop carries: a `{__lv: {label, value}}` or `{label, value}` pair counts as its value. */
function unwrapLabel(value: unknown): unknown {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    const lv = (v.__lv ?? v) as Record<string, unknown>;
    if ("value" in lv && Object.keys(lv).every((k) => k === "label" || k === "value")) return lv.value;
  }
  return value;
}

export function validateConfiguredProps(key: string, props: ActionProp[], given: Record<string, unknown>): void {
  const byName = new Map(props.map((p) => [p.name, p]));
  const problems: string[] = [];
  for (const [name, value] of Object.entries(given)) {
    const prop = byName.get(name);
    if (!prop) {
      const valid = props.filter(isConfigurable).map((p) => p.name);
      problems.push(`"${name}" is not a prop of ${key} (valid: ${valid.join(", ") || "none"})`);
      continue;
    }
    if (prop.type === "app") {
      problems.push(`"${name}" is the ${prop.app ?? "app"} account prop: do not set it; pass account_id instead (see list_accounts)`);
      continue;
    }
    if (!isConfigurable(prop)) {
      problems.push(`"${name}" cannot be set by the caller`);
      continue;
    }
    const schema = valueSchema(prop);
    const plain = prop.withLabel ? unwrapLabel(value) : value;
    const plainItems = Array.isArray(plain) && prop.withLabel ? plain.map(unwrapLabel) : plain;
    if (value !== null && !typeMatches(schema, plainItems)) {
      problems.push(`"${name}" must be ${schema.type === "array" ? `an array of ${schema.items?.type ?? "values"}` : `a ${schema.type}`}`);
    } else if (schema.enum && plainItems !== null && !schema.enum.includes(plainItems)) {
      problems.push(`"${name}" must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(", ")}`);
    }
  }
  const missing = props.filter((p) => isRequired(p) && (given[p.name] === undefined || given[p.name] === null)).map((p) => p.name);
  if (missing.length) problems.push(`missing required prop${missing.length > 1 ? "s" : ""}: ${missing.join(", ")} (describe_action shows their schema)`);
  if (problems.length) throw new ToolError(`configured_props for ${key} are not valid: ${problems.join("; ")}.`);
}
