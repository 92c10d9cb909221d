/**
 * What the providers that describe props with JSON Schema (Composio's tools, local connectors'
 * OpenAPI operations) share: the prop type name a schema maps to.
 */

const SCALARS = ["string", "integer", "number", "boolean", "object"];

/** Our prop type name for a JSON Schema (`string`, `integer[]`, `object`, `any`…); a nullable type counts as its other type. */
export function propTypeOf(schema: Record<string, unknown>): string {
  const t = nonNull(schema.type);
  if (typeof t === "string" && SCALARS.includes(t)) return t;
  if (t === "array") {
    const items = schema.items;
    const inner = items && typeof items === "object" && !Array.isArray(items) ? nonNull((items as Record<string, unknown>).type) : undefined;
    return `${typeof inner === "string" && SCALARS.includes(inner) ? inner : "any"}[]`;
  }
  return "any";
}

function nonNull(type: unknown): unknown {
  return Array.isArray(type) ? type.find((x) => x !== "null") : type;
}
