/**
 * Connect configurable props → a JSON Schema an LLM can fill.
 * - `app` props are filled by the server from the user's account, so they are not in the schema;
 * - hidden, alert and infrastructure props (`$.interface.*`, `$.service.*`, data stores…) are not
 *   configurable by a caller and are left out (alerts become notes: they carry advice);
 * - props whose values come from the user's account (remoteOptions) or whose value changes the
 *   other props (reloadProps) say so in their descriptions.
 */
import type { ActionProp } from "../providers/provider.js";
import { deepFreeze } from "../store/deep-freeze.js";

export interface JsonSchema {
  type?: string | string[];
  description?: string;
  enum?: unknown[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  [extra: string]: unknown;
}

export interface PropsSchema {
  schema: JsonSchema & { type: "object"; properties: Record<string, JsonSchema>; required: string[] };
  /** App props (filled from the user's account), in declaration order. */
  appProps: Array<{ name: string; app: string }>;
  /** Advice from `alert` props, to show next to the schema. */
  notes: string[];
  /** True when any prop reloads the prop list (the action has dynamic props). */
  hasDynamicProps: boolean;
}

const INFRASTRUCTURE = /^(\$\.interface\.|\$\.service\.)|^(data_store|dir|http_request|datastore)$/;

/** Props a caller can never set: app (server-filled), hidden, alert, infrastructure. */
export function isConfigurable(prop: ActionProp): boolean {
  return prop.type !== "app" && prop.type !== "alert" && !prop.hidden && !INFRASTRUCTURE.test(prop.type);
}

/** Required from the caller: configurable, not optional and without a default Connect would apply. */
export function isRequired(prop: ActionProp): boolean {
  return isConfigurable(prop) && !prop.optional && prop.default === undefined && !prop.disabled;
}

const SCALAR: Record<string, string> = {
  string: "string",
  integer: "integer",
  number: "number",
  boolean: "boolean",
  object: "object",
  sql: "string",
  "$.airtable.baseId": "string",
  "$.airtable.tableId": "string",
  "$.airtable.viewId": "string",
  "$.airtable.fieldId": "string",
  "$.discord.channel": "string",
};

function optionValues(options: unknown[] | undefined): { values: unknown[]; labels: string[] } | undefined {
  if (!Array.isArray(options) || options.length === 0) return undefined;
  const values: unknown[] = [];
  const labels: string[] = [];
  for (const o of options) {
    if (o !== null && typeof o === "object") {
      const lv = ((o as Record<string, unknown>).__lv ?? o) as Record<string, unknown>;
      if (!("value" in lv)) return undefined;
      values.push(lv.value);
      labels.push(String(lv.label ?? lv.value));
    } else {
      values.push(o);
      labels.push(String(o));
    }
  }
  return { values, labels };
}

function describe(prop: ActionProp, baseDescription: string | undefined): string | undefined {
  const parts: string[] = [];
  const text = [prop.label, baseDescription].filter(Boolean).join(": ");
  if (text) parts.push(text);
  if (prop.remoteOptions) {
    parts.push(
      `[remote options: the value is an ID from the user's account${prop.useQuery ? ", searchable" : ""}; do not guess it]`,
    );
  }
  if (prop.reloadProps) parts.push("[reloads props: setting it changes which other props exist]");
  if (prop.secret) parts.push("[secret]");
  return parts.length ? parts.join(" ") : undefined;
}

/** Schema for one prop's value (without description), or undefined when the type is not configurable. */
export function valueSchema(prop: ActionProp): JsonSchema {
  // A prop that comes with its own JSON Schema (Composio) is described by exactly that.
  if (prop.schema) {
    const { description: _description, title: _title, default: _default, ...schema } = prop.schema;
    return schema as JsonSchema;
  }
  const isArray = prop.type.endsWith("[]");
  const base = isArray ? prop.type.slice(0, -2) : prop.type;
  const item: JsonSchema = {};
  const scalar = SCALAR[base];
  if (scalar) item.type = scalar;
  // Remote options are IDs whose JSON type Connect does not always match to the prop's (a sheet's
  // worksheet id is the number 0 on a string prop): the schema admits what the options hand out.
  if (scalar === "string" && prop.remoteOptions) item.type = ["string", "number"];
  // `any` and unknown types stay unconstrained ({}), which every JSON Schema consumer accepts.
  if (scalar === "integer" || scalar === "number") {
    if (typeof prop.min === "number") item.minimum = prop.min;
    if (typeof prop.max === "number") item.maximum = prop.max;
  }
  const opts = optionValues(prop.options);
  if (opts && opts.values.every((v) => ["string", "number", "boolean"].includes(typeof v))) item.enum = opts.values;
  return isArray ? { type: "array", items: item } : item;
}

/**
 * Schemas of catalog definitions, built once per definition: the catalog hands out deep-frozen
 * props, so the same array always means the same schema, and a describe_action of a cached action
 * reuses it (frozen too: it goes into results that many calls share).
 */
const schemaOfFrozenProps = new WeakMap<readonly ActionProp[], PropsSchema>();

export function propsToJsonSchema(props: ActionProp[]): PropsSchema {
  if (!Object.isFrozen(props)) return buildPropsSchema(props);
  let schema = schemaOfFrozenProps.get(props);
  if (!schema) schemaOfFrozenProps.set(props, (schema = deepFreeze(buildPropsSchema(props))));
  return schema;
}

function buildPropsSchema(props: ActionProp[]): PropsSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  const appProps: Array<{ name: string; app: string }> = [];
  const notes: string[] = [];
  let hasDynamicProps = false;
  for (const prop of props) {
    if (prop.reloadProps) hasDynamicProps = true;
    if (prop.type === "app") {
      appProps.push({ name: prop.name, app: String(prop.app ?? "") });
      continue;
    }
    if (prop.type === "alert") {
      if (typeof prop.content === "string" && prop.content.trim()) notes.push(prop.content.trim());
      continue;
    }
    if (!isConfigurable(prop)) continue;
    const schema = valueSchema(prop);
    let description = prop.description;
    const opts = optionValues(prop.options);
    if (opts && schema.enum === undefined) description = `${description ?? ""} Options: ${opts.labels.join(", ")}`.trim();
    if (opts && opts.labels.some((l, i) => l !== String(opts.values[i]))) {
      description = `${description ?? ""} (${opts.labels.map((l, i) => `${JSON.stringify(opts.values[i])} = ${l}`).join("; ")})`.trim();
    }
    const text = describe(prop, description);
    properties[prop.name] = {
      ...(text ? { description: text } : {}),
      ...schema,
      ...(prop.default !== undefined ? { default: prop.default } : {}),
    };
    if (isRequired(prop)) required.push(prop.name);
  }
  return { schema: { type: "object", properties, required, additionalProperties: false }, appProps, notes, hasDynamicProps };
}
