/**
 * Composio tools → our action definitions. A tool's input is a static, versioned JSON Schema: each
 * top-level property becomes a prop carrying its own schema (`$ref`s resolved), so core describes
 * and validates it exactly; the connected account becomes an `app` prop, filled by the server
 * like Pipedream's. Hint tags become annotations. Pure functions, no client.
 */
import type { ActionAnnotations, ActionDefinition, ActionProp } from "../provider.js";
import { propTypeOf } from "../json-schema-prop.js";

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const MAX_REF_DEPTH = 8;

/**
 * The schema with every local `$ref` (`#/$defs/X`, `#/definitions/X`) replaced by what it points
 * at, so each property stands alone. A cycle or an unknown target becomes `{}` (anything).
 */
export function resolveRefs(root: Json): Json {
  const defs = { ...(isObject(root.definitions) ? root.definitions : {}), ...(isObject(root.$defs) ? root.$defs : {}) };
  const walk = (node: unknown, depth: number, seen: Set<string>): unknown => {
    if (Array.isArray(node)) return node.map((n) => walk(n, depth, seen));
    if (!isObject(node)) return node;
    if (typeof node.$ref === "string") {
      const m = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(node.$ref);
      const name = m?.[1];
      const { $ref: _ref, ...siblings } = node;
      if (!name || !isObject(defs[name]) || seen.has(name) || depth >= MAX_REF_DEPTH) return walk(siblings, depth, seen);
      const target = walk(defs[name], depth + 1, new Set([...seen, name])) as Json;
      // Keywords next to the $ref (a description, a default) win over the target's.
      return { ...target, ...(walk(siblings, depth, seen) as Json) };
    }
    const out: Json = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === "$defs" || k === "definitions") continue;
      out[k] = walk(v, depth, seen);
    }
    return out;
  };
  return walk(root, 0, new Set()) as Json;
}

export function schemaToProps(input: unknown): ActionProp[] {
  if (!isObject(input)) return [];
  const resolved = resolveRefs(input);
  const properties = isObject(resolved.properties) ? resolved.properties : {};
  const required = Array.isArray(resolved.required) ? resolved.required.filter((r): r is string => typeof r === "string") : [];
  const props: ActionProp[] = [];
  for (const [name, raw] of Object.entries(properties)) {
    const schema = isObject(raw) ? raw : {};
    const fileNote = schema.file_uploadable === true ? " [a file: needs Composio's file upload, which connect-mcp does not do]" : "";
    const description = typeof schema.description === "string" ? schema.description : undefined;
    const prop: ActionProp = {
      name,
      type: propTypeOf(schema),
      ...(typeof schema.title === "string" && schema.title !== name ? { label: schema.title } : {}),
      ...(description || fileNote ? { description: `${description ?? ""}${fileNote}`.trim() } : {}),
      optional: !required.includes(name),
      ...(schema.default !== undefined ? { default: schema.default } : {}),
      ...(Array.isArray(schema.enum) && schema.enum.every((v) => ["string", "number", "boolean"].includes(typeof v)) ? { options: schema.enum } : {}),
      schema,
    };
    props.push(prop);
  }
  return props;
}

/** Hint tags (readOnlyHint, createHint, updateHint, destructiveHint) → MCP-style annotations. */
export function annotationsFromTags(tags: unknown, title?: string): ActionAnnotations {
  const list = Array.isArray(tags) ? tags.filter((t): t is string => typeof t === "string") : [];
  const out: ActionAnnotations = { openWorldHint: true, ...(title ? { title } : {}) };
  if (list.includes("destructiveHint")) return { ...out, readOnlyHint: false, destructiveHint: true };
  if (list.includes("readOnlyHint")) return { ...out, readOnlyHint: true, destructiveHint: false, idempotentHint: true };
  if (list.includes("createHint") || list.includes("updateHint")) return { ...out, readOnlyHint: false, destructiveHint: false };
  // No hint: nothing is claimed (policy treats it as a write).
  return out;
}

/** The name of the account prop: the toolkit slug, unless the tool has an input of that name. */
function accountPropName(toolkit: string, props: ActionProp[]): string {
  const taken = new Set(props.map((p) => p.name));
  for (const name of [toolkit, `${toolkit}_account`, "connected_account"]) if (!taken.has(name)) return name;
  let n = 2;
  while (taken.has(`connected_account_${n}`)) n++;
  return `connected_account_${n}`;
}

/** A tool (list item or retrieve answer) as our action definition; undefined when it has no slug. */
export function toolToAction(tool: unknown, toolkitName?: string): ActionDefinition | undefined {
  if (!isObject(tool) || typeof tool.slug !== "string" || !tool.slug) return undefined;
  const toolkit = isObject(tool.toolkit) && typeof tool.toolkit.slug === "string" ? tool.toolkit.slug : tool.slug.split("_")[0]!.toLowerCase();
  const kitName = (isObject(tool.toolkit) && typeof tool.toolkit.name === "string" ? tool.toolkit.name : undefined) ?? toolkitName ?? toolkit;
  const inputs = schemaToProps(tool.input_parameters);
  const name = typeof tool.name === "string" && tool.name ? tool.name : tool.slug;
  const noAuth = tool.no_auth === true;
  const accountProp: ActionProp[] = noAuth ? [] : [{ name: accountPropName(toolkit, inputs), type: "app", app: toolkit, label: `${kitName} account` }];
  const description = typeof tool.description === "string" ? tool.description : typeof tool.human_description === "string" ? tool.human_description : undefined;
  return {
    key: tool.slug,
    provider: "composio",
    name,
    version: typeof tool.version === "string" ? tool.version : "",
    ...(description ? { description } : {}),
    annotations: annotationsFromTags(tool.tags, name),
    props: [...accountProp, ...inputs],
  };
}
