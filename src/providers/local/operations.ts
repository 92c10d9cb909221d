/**
 * A local connector's operations: OpenAPI 3.0/3.1 operations and hand-declared resources, each an
 * action `<connector>-<name>` with a JSON Schema input and a plan for the HTTP request it makes.
 * Pure functions (the document is loaded and `$ref`-resolved by load.ts).
 *
 * OpenAPI mapping: the key is `<slug>-<operationId as kebab-case>`, or `<slug>-<method>-<path
 * words>` without an operationId; path, query and (non-auth) header parameters are top-level
 * properties of the input, a JSON request body is the property `body`; read-only = GET/HEAD.
 * Operations that cannot be called with JSON (a required non-JSON body, a required cookie) are
 * left out, each with the reason (see `skipped`).
 */
import type { ActionAnnotations, ActionDefinition, ActionProp } from "../provider.js";
import { propTypeOf } from "../json-schema-prop.js";

type Json = Record<string, unknown>;

export type LocalMethod = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface LocalOperation {
  key: string;
  connector: string;
  method: LocalMethod;
  /** Path under the connector's base_url, parameters in {braces}. */
  path: string;
  pathParams: string[];
  queryParams: string[];
  headerParams: string[];
  /** OpenAPI: the JSON body is the `body` input. Resource: inputs not in the path go to query (GET/DELETE) or a JSON body. */
  bodyMode: "body-property" | "rest" | "none";
  definition: ActionDefinition;
  /** The answer in mock mode: the resource's `mock`, or the OpenAPI example of its success response. */
  mock: { status: number; body: unknown };
}

export interface SkippedOperation {
  operation: string;
  reason: string;
}

const METHODS: ReadonlyArray<[string, LocalMethod]> = [
  ["get", "GET"],
  ["head", "HEAD"],
  ["post", "POST"],
  ["put", "PUT"],
  ["patch", "PATCH"],
  ["delete", "DELETE"],
];
const UNSUPPORTED_METHODS = ["options", "trace"];
const JSON_MEDIA = /^application\/([\w.+-]*\+)?json$|^\*\/\*$/i;
/** Headers the connector's auth or the HTTP layer sets: never an input. */
const RESERVED_HEADER = /^(authorization|content-type|content-length|accept|host|cookie)$/i;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `getPetById` → `get-pet-by-id`, `list_Users v2` → `list-users-v2`. */
export function kebab(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1-$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/**
 * An OpenAPI schema as plain JSON Schema for the props' validator: OpenAPI-only keywords dropped,
 * `nullable` as a null type, `example` as `examples`. Cycles (left as `$ref`) become `{}`.
 */
export function toJsonSchema(schema: unknown, depth = 0, seen: Set<object> = new Set()): Json {
  if (!isObject(schema) || depth > 20 || seen.has(schema)) return {};
  if (typeof schema.$ref === "string") return {};
  const next = new Set(seen).add(schema);
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) {
    if (["xml", "externalDocs", "discriminator", "example", "nullable", "deprecated"].includes(k) || k.startsWith("x-")) continue;
    if (k === "properties" && isObject(v)) out.properties = Object.fromEntries(Object.entries(v).map(([name, s]) => [name, toJsonSchema(s, depth + 1, next)]));
    else if ((k === "items" || k === "additionalProperties" || k === "not") && isObject(v)) out[k] = toJsonSchema(v, depth + 1, next);
    else if ((k === "allOf" || k === "anyOf" || k === "oneOf") && Array.isArray(v)) out[k] = v.map((s) => toJsonSchema(s, depth + 1, next));
    else out[k] = v;
  }
  if (schema.example !== undefined && out.examples === undefined) out.examples = [schema.example];
  if (schema.nullable === true && typeof out.type === "string") out.type = [out.type, "null"];
  return out;
}

/** An example value for a schema: its example/default/enum, else one built from its properties. */
export function exampleOf(schema: unknown, depth = 0): unknown {
  if (!isObject(schema) || depth > 8) return null;
  if (schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0];
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  for (const key of ["allOf", "oneOf", "anyOf"]) {
    const list = schema[key];
    if (Array.isArray(list) && list.length) {
      if (key !== "allOf") return exampleOf(list[0], depth + 1);
      return Object.assign({}, ...list.map((s) => exampleOf(s, depth + 1)).filter(isObject));
    }
  }
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  if (type === "object" || isObject(schema.properties)) {
    const props = isObject(schema.properties) ? schema.properties : {};
    return Object.fromEntries(Object.entries(props).map(([k, s]) => [k, exampleOf(s, depth + 1)]));
  }
  if (type === "array") return [exampleOf(schema.items, depth + 1)];
  if (type === "integer" || type === "number") return 0;
  if (type === "boolean") return false;
  if (type === "string") return schema.format === "date-time" ? "2026-01-01T00:00:00Z" : "string";
  return null;
}

/** The success answer of an operation as an example: first 2xx (or default) response with JSON content. */
function responseExample(responses: unknown): { status: number; body: unknown } {
  if (!isObject(responses)) return { status: 200, body: null };
  const codes = Object.keys(responses)
    .filter((c) => /^2\d\d$/.test(c) || /^2XX$/i.test(c))
    .sort();
  const code = codes[0] ?? (responses.default !== undefined ? "default" : undefined);
  const status = code && /^\d{3}$/.test(code) ? Number(code) : 200;
  const response = code ? responses[code] : undefined;
  if (!isObject(response) || !isObject(response.content)) return { status, body: null };
  const [, media] = Object.entries(response.content).find(([type]) => JSON_MEDIA.test(type)) ?? [];
  if (!isObject(media)) return { status, body: null };
  if (media.example !== undefined) return { status, body: media.example };
  if (isObject(media.examples)) {
    const first = Object.values(media.examples)[0];
    if (isObject(first) && first.value !== undefined) return { status, body: first.value };
  }
  return { status, body: exampleOf(media.schema) };
}

/** An input JSON Schema (type object) as props, each carrying its own schema; plus the account prop. */
export function inputProps(connector: string, connectorName: string, input: Json, needsAccount: boolean): ActionProp[] {
  const properties = isObject(input.properties) ? input.properties : {};
  const required = Array.isArray(input.required) ? input.required.filter((r): r is string => typeof r === "string") : [];
  const props: ActionProp[] = Object.entries(properties).map(([name, raw]) => {
    const schema = isObject(raw) ? raw : {};
    return {
      name,
      type: propTypeOf(schema),
      ...(typeof schema.title === "string" && schema.title !== name ? { label: schema.title } : {}),
      ...(typeof schema.description === "string" && schema.description ? { description: schema.description } : {}),
      optional: !required.includes(name),
      ...(schema.default !== undefined ? { default: schema.default } : {}),
      ...(Array.isArray(schema.enum) && schema.enum.every((v) => ["string", "number", "boolean"].includes(typeof v)) ? { options: schema.enum } : {}),
      schema,
    };
  });
  if (!needsAccount) return props;
  const taken = new Set(props.map((p) => p.name));
  const accountName = [connector, `${connector}_account`, "connected_account"].find((n) => !taken.has(n)) ?? `${connector}_account_${props.length}`;
  return [{ name: accountName, type: "app", app: connector, label: `${connectorName} account` }, ...props];
}

function annotations(method: LocalMethod, title: string): ActionAnnotations {
  const readOnly = method === "GET" || method === "HEAD";
  return {
    title,
    readOnlyHint: readOnly,
    destructiveHint: method === "DELETE",
    idempotentHint: readOnly || method === "PUT" || method === "DELETE",
    openWorldHint: true,
  };
}

export interface ConnectorShape {
  slug: string;
  name: string;
  /** false for auth "none": no account (credential) is needed to run. */
  needsAccount: boolean;
}

/** Parameters of a path item and an operation: the operation's win (same name and `in`). */
function mergedParameters(pathItem: Json, op: Json): Json[] {
  const all = [...(Array.isArray(pathItem.parameters) ? pathItem.parameters : []), ...(Array.isArray(op.parameters) ? op.parameters : [])].filter(isObject);
  const byKey = new Map<string, Json>();
  for (const p of all) byKey.set(`${String(p.in)}:${String(p.name)}`, p);
  return [...byKey.values()];
}

function paramSchema(p: Json): Json {
  const schema = isObject(p.schema) ? toJsonSchema(p.schema) : isObject(p.content) ? toJsonSchema((Object.values(p.content)[0] as Json | undefined)?.schema) : {};
  const description = typeof p.description === "string" && p.description ? p.description : undefined;
  return { ...schema, ...(description && schema.description === undefined ? { description } : {}) };
}

/** Every operation of an OpenAPI document (already `$ref`-resolved) as actions, and those left out. */
export function openApiOperations(connector: ConnectorShape, doc: unknown): { operations: LocalOperation[]; skipped: SkippedOperation[] } {
  const operations: LocalOperation[] = [];
  const skipped: SkippedOperation[] = [];
  if (!isObject(doc) || typeof doc.openapi !== "string" || !/^3\.[01]\./.test(doc.openapi)) {
    throw new Error(`not an OpenAPI 3.0 or 3.1 document (its "openapi" field is ${JSON.stringify(isObject(doc) ? doc.openapi : undefined)}; Swagger 2.0 documents must be converted first)`);
  }
  const version = isObject(doc.info) && typeof doc.info.version === "string" ? doc.info.version : "1";
  const paths = isObject(doc.paths) ? doc.paths : {};
  const keys = new Set<string>();
  for (const [path, rawItem] of Object.entries(paths)) {
    if (!isObject(rawItem)) continue;
    for (const m of UNSUPPORTED_METHODS) if (isObject(rawItem[m])) skipped.push({ operation: `${m.toUpperCase()} ${path}`, reason: `${m.toUpperCase()} operations are not imported` });
    for (const [lower, method] of METHODS) {
      const op = rawItem[lower];
      if (!isObject(op)) continue;
      const label = typeof op.operationId === "string" && op.operationId ? op.operationId : `${method} ${path}`;
      const result = mapOperation(connector, path, rawItem, op, method, version);
      if ("reason" in result) {
        skipped.push({ operation: label, reason: result.reason });
        continue;
      }
      // Two operations kebab-casing to one key (getUser / get_user) keep both: the later gets a suffix.
      let key = result.key;
      for (let n = 2; keys.has(key); n++) key = `${result.key}-${n}`;
      keys.add(key);
      operations.push({ ...result, key, definition: { ...result.definition, key } });
    }
  }
  return { operations, skipped };
}

function mapOperation(connector: ConnectorShape, path: string, pathItem: Json, op: Json, method: LocalMethod, version: string): LocalOperation | { reason: string } {
  const params = mergedParameters(pathItem, op);
  const properties: Record<string, Json> = {};
  const required: string[] = [];
  const pathParams: string[] = [];
  const queryParams: string[] = [];
  const headerParams: string[] = [];
  for (const p of params) {
    const name = typeof p.name === "string" ? p.name : "";
    if (!name) continue;
    if (p.in === "cookie") {
      if (p.required === true) return { reason: `it needs the cookie parameter "${name}" (cookies are not sent)` };
      continue;
    }
    if (p.in === "header" && RESERVED_HEADER.test(name)) {
      if (p.required === true && !/^(authorization|accept|content-type)$/i.test(name)) return { reason: `it needs the header "${name}", which is not settable` };
      continue;
    }
    if (!["path", "query", "header"].includes(String(p.in))) continue;
    if (properties[name]) return { reason: `two parameters are named "${name}"` };
    properties[name] = paramSchema(p);
    if (p.in === "path" || p.required === true) required.push(name);
    (p.in === "path" ? pathParams : p.in === "query" ? queryParams : headerParams).push(name);
  }
  let bodyMode: LocalOperation["bodyMode"] = "none";
  if (isObject(op.requestBody)) {
    const content = isObject(op.requestBody.content) ? op.requestBody.content : {};
    const json = Object.entries(content).find(([type]) => JSON_MEDIA.test(type));
    const bodyRequired = op.requestBody.required === true;
    if (json) {
      if (properties.body) return { reason: `a parameter is named "body", the name of its request body input` };
      const media = isObject(json[1]) ? json[1] : {};
      const description = typeof op.requestBody.description === "string" ? op.requestBody.description : "The JSON request body";
      properties.body = { ...toJsonSchema(media.schema), description };
      if (bodyRequired) required.push("body");
      bodyMode = "body-property";
    } else if (Object.keys(content).length) {
      // Without its (non-JSON) body the operation would not do its job, even where the body is optional.
      return { reason: `its request body is ${Object.keys(content).join(" or ")}, not JSON${bodyRequired ? "" : " (optional, but the operation is about it)"}` };
    }
  }
  const keyTail = typeof op.operationId === "string" && kebab(op.operationId) ? kebab(op.operationId) : kebab(`${method} ${path.replace(/[{}]/g, "")}`);
  const key = `${connector.slug}-${keyTail}`;
  const summary = typeof op.summary === "string" && op.summary.trim() ? op.summary.trim() : undefined;
  const description = [summary, typeof op.description === "string" && op.description.trim() && op.description.trim() !== summary ? op.description.trim() : undefined].filter(Boolean).join(". ").replace(/\.\.\s/g, ". ");
  const name = summary ?? (typeof op.operationId === "string" ? op.operationId : `${method} ${path}`);
  const input: Json = { type: "object", properties, required };
  return {
    key,
    connector: connector.slug,
    method,
    path,
    pathParams,
    queryParams,
    headerParams,
    bodyMode,
    mock: responseExample(op.responses),
    definition: {
      key,
      provider: "local",
      name,
      version,
      description: `${description || name} (${method} ${path})`,
      annotations: annotations(method, name),
      props: inputProps(connector.slug, connector.name, input, connector.needsAccount),
    },
  };
}

export interface ResourceShape {
  slug: string;
  name?: string;
  description: string;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  input?: Record<string, unknown>;
  mock?: unknown;
}

/** A hand-declared resource as an action: `{braces}` in its path come from the input, the rest is query or body. */
export function resourceOperation(connector: ConnectorShape, r: ResourceShape): LocalOperation {
  const key = `${connector.slug}-${r.slug}`;
  const input = r.input && Object.keys(r.input).length ? r.input : { type: "object", properties: {} };
  const pathParams = [...r.path.matchAll(/\{([^{}]+)\}/g)].map((m) => m[1]!);
  const name = r.name ?? r.slug.replace(/[-_]+/g, " ");
  return {
    key,
    connector: connector.slug,
    method: r.method,
    path: r.path,
    pathParams,
    queryParams: [],
    headerParams: [],
    bodyMode: "rest",
    mock: { status: 200, body: r.mock === undefined ? null : r.mock },
    definition: {
      key,
      provider: "local",
      name,
      version: "1",
      description: `${r.description} (${r.method} ${r.path})`,
      annotations: annotations(r.method, name),
      props: inputProps(connector.slug, connector.name, input, connector.needsAccount),
    },
  };
}
