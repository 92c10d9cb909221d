/** Composio tools → action definitions: JSON Schema inputs as props (refs resolved), tags as annotations, local validation. */
import { describe, expect, it } from "vitest";
import { validateConfiguredProps } from "../../src/core/configured-props.js";
import { propsToJsonSchema } from "../../src/core/props-schema.js";
import { annotationsFromTags, resolveRefs, toolToAction } from "../../src/providers/composio/schema.js";

const TOOL = {
  slug: "GMAIL_SEND_EMAIL",
  name: "Send email",
  description: "Sends an email.",
  toolkit: { slug: "gmail", name: "Gmail" },
  version: "20250815_00",
  tags: ["createHint"],
  input_parameters: {
    type: "object",
    $defs: {
      Attachment: { type: "object", properties: { name: { type: "string" }, s3key: { type: "string" } }, required: ["name"], file_uploadable: true },
      Node: { type: "object", properties: { next: { $ref: "#/$defs/Node" } } },
    },
    properties: {
      recipient_email: { type: "string", format: "email", description: "Who gets it." },
      gmail: { type: "string", description: "An input that happens to be named like the toolkit." },
      cc: { type: "array", items: { type: "string" } },
      priority: { type: "string", enum: ["low", "high"], default: "low" },
      attachment: { $ref: "#/$defs/Attachment", description: "A file." },
      chain: { $ref: "#/$defs/Node" },
      count: { type: "integer", minimum: 1, maximum: 5 },
    },
    required: ["recipient_email"],
  },
};

describe("toolToAction", () => {
  it("maps inputs to props with their own schema, adds the account prop, keeps the version", () => {
    const action = toolToAction(TOOL)!;
    expect(action).toMatchObject({ key: "GMAIL_SEND_EMAIL", provider: "composio", version: "20250815_00", annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true } });
    // The toolkit's name is taken by an input: the account prop gets another name.
    expect(action.props[0]).toEqual({ name: "gmail_account", type: "app", app: "gmail", label: "Gmail account" });
    const byName = Object.fromEntries(action.props.map((p) => [p.name, p]));
    expect(byName.recipient_email).toMatchObject({ type: "string", optional: false });
    expect(byName.cc).toMatchObject({ type: "string[]", optional: true });
    expect(byName.priority).toMatchObject({ default: "low", options: ["low", "high"] });
    expect(byName.attachment!.schema).toMatchObject({ type: "object", required: ["name"], description: "A file." });
    expect(byName.attachment!.description).toMatch(/file upload/);
    // A recursive $ref ends instead of looping.
    expect(JSON.stringify(byName.chain!.schema).length).toBeLessThan(2000);
    expect(toolToAction({ name: "no slug" })).toBeUndefined();
  });

  it("describes props with exactly their JSON Schema and validates values against it locally", () => {
    const action = toolToAction(TOOL)!;
    const { schema, appProps } = propsToJsonSchema(action.props);
    expect(appProps).toEqual([{ name: "gmail_account", app: "gmail" }]);
    expect(schema.required).toEqual(["recipient_email"]);
    expect(schema.properties.count).toMatchObject({ type: "integer", minimum: 1, maximum: 5 });
    expect(schema.properties.priority).toMatchObject({ enum: ["low", "high"], default: "low" });
    const ok = { recipient_email: "a@example.com", count: 2, cc: ["b@example.com"], attachment: { name: "f.pdf" } };
    expect(() => validateConfiguredProps(action.key, action.props, ok)).not.toThrow();
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ recipient_email: "not-an-email" }, /"recipient_email": .*email/i],
      [{ recipient_email: "a@example.com", count: 9 }, /"count": Too big/],
      [{ recipient_email: "a@example.com", cc: "b@example.com" }, /"cc": expected array/],
      [{ recipient_email: "a@example.com", priority: "urgent" }, /"priority"/],
      [{ recipient_email: "a@example.com", attachment: { s3key: "k" } }, /"attachment": .* at name/],
      [{}, /missing required prop: recipient_email/],
      [{ recipient_email: "a@example.com", gmail_account: { authProvisionId: "ca_x" } }, /do not set it; pass account_id/],
    ];
    for (const [props, why] of bad) expect(() => validateConfiguredProps(action.key, action.props, props), JSON.stringify(props)).toThrow(why);
  });
});

describe("annotationsFromTags", () => {
  it("maps Composio's hint tags; no tag claims nothing", () => {
    expect(annotationsFromTags(["readOnlyHint", "important"])).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true });
    expect(annotationsFromTags(["destructiveHint", "updateHint"])).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(annotationsFromTags(["updateHint"])).toMatchObject({ readOnlyHint: false, destructiveHint: false });
    expect(annotationsFromTags([])).toEqual({ openWorldHint: true });
  });
});

describe("resolveRefs", () => {
  it("inlines $defs and definitions, siblings of a $ref winning; unknown targets become {}", () => {
    const out = resolveRefs({
      definitions: { A: { type: "string", description: "from A" } },
      properties: { a: { $ref: "#/definitions/A", description: "mine" }, b: { $ref: "#/$defs/Missing" }, c: { $ref: "https://elsewhere/x" } },
    });
    expect(out).toEqual({ properties: { a: { type: "string", description: "mine" }, b: {}, c: {} } });
  });
});
