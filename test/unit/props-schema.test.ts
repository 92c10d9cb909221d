import { describe, expect, it } from "vitest";
import { validateConfiguredProps } from "../../src/core/configured-props.js";
import { propsToJsonSchema } from "../../src/core/props-schema.js";
import type { ActionProp } from "../../src/providers/provider.js";
import { deepFreeze } from "../../src/store/deep-freeze.js";

const props: ActionProp[] = [
  { name: "googleSheets", type: "app", app: "google_sheets" },
  { name: "info", type: "alert", alertType: "info", content: "Rows are appended at the end." },
  { name: "secretInternal", type: "string", hidden: true },
  { name: "db", type: "$.service.db" },
  { name: "timer", type: "$.interface.timer" },
  { name: "sheetId", type: "string", label: "Spreadsheet", description: "The sheet", remoteOptions: true, useQuery: true, reloadProps: true },
  { name: "drive", type: "string", optional: true, default: "My Drive", remoteOptions: true },
  { name: "count", type: "integer", min: 1, max: 10 },
  { name: "ids", type: "integer[]", optional: true },
  { name: "flag", type: "boolean", default: false },
  { name: "meta", type: "object", optional: true },
  { name: "anything", type: "any", optional: true },
  { name: "priority", type: "string", options: ["low", "high"], optional: true },
  { name: "color", type: "string", options: [{ label: "Red", value: "r" }, { label: "Blue", value: "b" }], optional: true },
  { name: "channel", type: "string", withLabel: true, optional: true },
  { name: "token", type: "string", secret: true, optional: true },
];

describe("propsToJsonSchema", () => {
  const { schema, appProps, notes, hasDynamicProps } = propsToJsonSchema(props);

  it("leaves out app, alert, hidden and infrastructure props", () => {
    expect(Object.keys(schema.properties)).toEqual(["sheetId", "drive", "count", "ids", "flag", "meta", "anything", "priority", "color", "channel", "token"]);
    expect(appProps).toEqual([{ name: "googleSheets", app: "google_sheets" }]);
    expect(notes).toEqual(["Rows are appended at the end."]);
  });

  it("maps types, ranges, defaults and enums", () => {
    expect(schema.properties.count).toMatchObject({ type: "integer", minimum: 1, maximum: 10 });
    expect(schema.properties.ids).toEqual({ type: "array", items: { type: "integer" } });
    expect(schema.properties.flag).toEqual({ type: "boolean", default: false });
    expect(schema.properties.meta).toEqual({ type: "object" });
    expect(schema.properties.anything).toEqual({});
    expect(schema.properties.priority).toMatchObject({ type: "string", enum: ["low", "high"] });
    expect(schema.properties.color).toMatchObject({ enum: ["r", "b"] });
    expect(schema.properties.color!.description).toContain('"r" = Red');
    expect(schema.properties.drive).toMatchObject({ default: "My Drive" });
  });

  it("flags remote options, reloads and secrets in descriptions", () => {
    expect(schema.properties.sheetId!.description).toBe(
      "Spreadsheet: The sheet [remote options: the value is an ID from the user's account, searchable; do not guess it] [reloads props: setting it changes which other props exist]",
    );
    expect(schema.properties.token!.description).toContain("[secret]");
    expect(hasDynamicProps).toBe(true);
  });

  it("requires non-optional props without defaults only", () => {
    expect(schema.required).toEqual(["sheetId", "count"]);
    expect(schema.additionalProperties).toBe(false);
  });
});

describe("validateConfiguredProps", () => {
  it("accepts valid values, including label/value pairs for withLabel props", () => {
    expect(() => validateConfiguredProps("k", props, { sheetId: "s1", count: 3, channel: { label: "#general", value: "C1" } })).not.toThrow();
    expect(() => validateConfiguredProps("k", props, { sheetId: "s1", count: 3, channel: { __lv: { label: "#general", value: "C1" } } })).not.toThrow();
  });

  it("reports every problem at once", () => {
    expect(() => validateConfiguredProps("k", props, { count: 2.5, ids: [1, "2"], priority: "urgent", googleSheets: { authProvisionId: "apn_x" }, nope: 1, db: {} })).toThrow(
      /"count" must be a integer; "ids" must be an array of integer; "priority" must be one of "low", "high"; "googleSheets" is the google_sheets account prop.*; "nope" is not a prop of k.*; "db" cannot be set by the caller; missing required prop: sheetId/,
    );
  });
});

describe("propsToJsonSchema of a catalog definition (deep-frozen props)", () => {
  const frozen = deepFreeze(structuredClone(props));

  it("is built once per definition, frozen, and equal to a fresh build", () => {
    const first = propsToJsonSchema(frozen);
    expect(propsToJsonSchema(frozen)).toBe(first);
    expect(Object.isFrozen(first.schema.properties)).toBe(true);
    expect(first).toEqual(propsToJsonSchema(props));
  });

  it("props that are not frozen (a reload's) get a fresh schema each time", () => {
    expect(propsToJsonSchema(props)).not.toBe(propsToJsonSchema(props));
  });
});
