import { describe, expect, it } from "vitest";
import { propTypeOf } from "../../src/providers/json-schema-prop.js";

describe("propTypeOf", () => {
  it("maps a JSON Schema to the prop type name both JSON-Schema providers use", () => {
    expect(propTypeOf({ type: "string" })).toBe("string");
    expect(propTypeOf({ type: ["integer", "null"] })).toBe("integer");
    expect(propTypeOf({ type: "array", items: { type: "number" } })).toBe("number[]");
    expect(propTypeOf({ type: "array", items: { type: ["boolean", "null"] } })).toBe("boolean[]");
    expect(propTypeOf({ type: "array" })).toBe("any[]");
    expect(propTypeOf({ type: "array", items: { type: "array" } })).toBe("any[]");
    expect(propTypeOf({ oneOf: [{ type: "string" }] })).toBe("any");
    expect(propTypeOf({ type: "null" })).toBe("any");
  });
});
