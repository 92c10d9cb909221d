/** What tools/list shows of a tool's schemas and annotations: trimmed of noise, never of an argument. */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compactJsonSchema, listedAnnotations, listedSchema } from "../../src/tools/listed-schema.js";

const input = z.strictObject({
  key: z.string().max(200).optional().describe("From list_actions"),
  limit: z.number().int().min(1).max(50).optional(),
  offset: z.number().int().min(0).optional(),
  props: z.object({}).catchall(z.unknown()).optional(),
  idempotency_key: z.string().min(1).max(200).optional(),
});

describe("listedSchema", () => {
  it("lists every argument, without $schema, empty properties, default additionalProperties or safe-integer bounds", () => {
    const json = listedSchema(input, "input")["~standard"].jsonSchema.input({ target: "draft-2020-12" });
    expect(json).toEqual({
      type: "object",
      properties: {
        key: { type: "string", description: "From list_actions" },
        limit: { type: "integer", minimum: 1, maximum: 50 },
        offset: { type: "integer", minimum: 0 },
        props: { type: "object" },
        idempotency_key: { type: "string" },
      },
    });
  });

  it("still validates with every zod constraint, listed or not", async () => {
    const std = listedSchema(input, "input")["~standard"];
    expect(await std.validate({ key: "x".repeat(201) })).toMatchObject({ issues: [expect.objectContaining({ path: ["key"] })] });
    expect(await std.validate({ idempotency_key: "" })).toMatchObject({ issues: [expect.anything()] });
    expect(await std.validate({ other: 1 })).toMatchObject({ issues: [expect.anything()] });
    expect(await std.validate({ key: "slack-send-message", limit: 5 })).toEqual({ value: { key: "slack-send-message", limit: 5 } });
  });

  it("is made once per schema and shared (no conversion per server instance)", () => {
    const a = listedSchema(input, "input");
    expect(listedSchema(input, "input")).toBe(a);
    const opts = { target: "draft-2020-12" } as const;
    expect(a["~standard"].jsonSchema.input(opts)).toBe(a["~standard"].jsonSchema.input(opts));
  });

  it("output schemas drop the type next to an enum or a const, and keep required", () => {
    const out = z.looseObject({ outcome: z.enum(["ok", "needs_input"]), kind: z.literal("x"), items: z.array(z.unknown()) });
    expect(listedSchema(out, "output")["~standard"].jsonSchema.output({ target: "draft-2020-12" })).toEqual({
      type: "object",
      properties: { outcome: { enum: ["ok", "needs_input"] }, kind: { const: "x" }, items: { type: "array" } },
      required: ["outcome", "kind", "items"],
    });
  });

  it("keeps small length limits a model may meet, and nested schemas' keywords", () => {
    expect(compactJsonSchema({ type: "string", maxLength: 40, minLength: 2 }, "input")).toEqual({ type: "string", maxLength: 40, minLength: 2 });
    expect(compactJsonSchema({ type: "array", items: { type: "string", maxLength: 8192 }, maxItems: 10 }, "input")).toEqual({ type: "array", items: { type: "string" }, maxItems: 10 });
  });
});

describe("listedAnnotations", () => {
  it("a read-only tool lists readOnlyHint and openWorldHint; a writing tool lists all four", () => {
    expect(listedAnnotations({ readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false })).toEqual({ readOnlyHint: true, openWorldHint: false });
    const write = { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true };
    expect(listedAnnotations(write)).toEqual(write);
  });
});
