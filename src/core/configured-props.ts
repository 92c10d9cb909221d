/**
 * Checks on caller-supplied `configured_props` before anything is sent to Connect: unknown names,
 * app props (those are filled from the user's account, never by the caller), missing required
 * props and values of the wrong type — each reported with what to do instead.
 */
import type { ActionProp } from "../providers/provider.js";
import { quote, ToolError } from "./errors.js";
import { schemaProblem } from "./json-schema.js";
import { isConfigurable, isRequired, valueSchema, type JsonSchema } from "./props-schema.js";

function typeMatches(schema: JsonSchema, value: unknown): boolean {
  if (Array.isArray(schema.type)) return schema.type.some((type) => typeMatches({ ...schema, type }, value));
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

/** Why `value` does not fit `prop`, or undefined when it does. */
export function checkValue(prop: ActionProp, value: unknown): string | undefined {
  if (prop.type === "app") return `"${prop.name}" is the ${prop.app ?? "app"} account prop: do not set it; pass account_id instead (see list_accounts)`;
  if (!isConfigurable(prop)) return `"${prop.name}" cannot be set by the caller`;
  if (value === null) return undefined;
  if (prop.schema) {
    const problem = schemaProblem(valueSchema(prop), value);
    return problem ? `"${prop.name}": ${problem}` : undefined;
  }
  const schema = valueSchema(prop);
  const plain = prop.withLabel ? (Array.isArray(value) ? value.map(unwrapLabel) : unwrapLabel(value)) : value;
  if (!typeMatches(schema, plain)) {
    const kind = (t: JsonSchema["type"]) => (Array.isArray(t) ? t.join(" or ") : t);
    return `"${prop.name}" must be ${schema.type === "array" ? `an array of ${kind(schema.items?.type) ?? "values"}` : `a ${kind(schema.type)}`}`;
  }
  if (schema.enum && !schema.enum.includes(plain)) return `"${prop.name}" must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(", ")}`;
  return undefined;
}

/** The value as Connect expects it: label/value pairs of `withLabel` props become `{__lv: {label, value}}`. */
export function toConnectValue(prop: ActionProp, value: unknown): unknown {
  if (!prop.withLabel) return value;
  const wrap = (v: unknown) => {
    if (v && typeof v === "object" && !Array.isArray(v) && "value" in v && !("__lv" in v)) {
      const lv = v as { label?: unknown; value: unknown };
      return { __lv: { label: String(lv.label ?? lv.value), value: lv.value } };
    }
    return v;
  };
  return Array.isArray(value) ? value.map(wrap) : wrap(value);
}

export function unknownPropMessage(key: string, props: ActionProp[], name: string): string {
  const valid = props.filter(isConfigurable).map((p) => p.name);
  return `"${quote(name)}" is not a prop of ${key} (valid: ${valid.join(", ") || "none"})`;
}

export function missingRequired(props: ActionProp[], given: Record<string, unknown>): ActionProp[] {
  return props.filter((p) => isRequired(p) && (given[p.name] === undefined || given[p.name] === null));
}

export function validateConfiguredProps(key: string, props: ActionProp[], given: Record<string, unknown>): void {
  const byName = new Map(props.map((p) => [p.name, p]));
  const problems: string[] = [];
  for (const [name, value] of Object.entries(given)) {
    const prop = byName.get(name);
    const problem = prop ? checkValue(prop, value) : unknownPropMessage(key, props, name);
    if (problem) problems.push(problem);
  }
  const missing = missingRequired(props, given).map((p) => p.name);
  if (missing.length) problems.push(`missing required prop${missing.length > 1 ? "s" : ""}: ${missing.join(", ")} (describe_action shows their schema)`);
  if (problems.length) throw new ToolError(`configured_props for ${key} are not valid: ${problems.join("; ")}.`);
}
