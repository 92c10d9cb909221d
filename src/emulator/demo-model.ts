// The emulator's demo model: an OpenAI-compatible `/v1/chat/completions` endpoint that plays the
// sub-agent's configuration steps for the demo actions, so `--tool-mode sub-agent` can be tried
// offline. It is a deterministic script, not a language model: it reads the instruction and the
// tool results so far and picks the next step the way a careful model would —
//   find_actions (when no action was given) → configure_action → get_options for each prop with
//   options (matching an option's label written in the instruction) → set_props with values taken
//   from the instruction (emails, 'quoted text', "with a, b, c" lists) → run_action,
// and ask_user when something is ambiguous (two accounts, an option the instruction does not name)
// or missing. Only the model name "emulator-demo" is served, so nobody mistakes it for a real one.

import type { EnvState } from "./state.js";
import { HttpError, type WireApp } from "./types.js";
import { isRecord } from "./util.js";

export const DEMO_MODEL = "emulator-demo";

interface WireToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

interface WireMessage {
  role: string;
  content?: unknown;
  tool_calls?: WireToolCall[];
  tool_call_id?: string;
}

interface Step {
  name: string;
  args: Record<string, unknown>;
  result: unknown;
}

interface PropView {
  name: string;
  type?: string;
  label?: string;
  description?: string;
  has_options?: boolean;
}

/** The sub-agent's view of a configuration (core/subagent.ts `state()`). */
interface ConfigState {
  action: string;
  accounts?: Array<{ app?: string; account_id?: string | null }>;
  props: PropView[];
  configured?: Record<string, unknown>;
  missing: string[];
}

interface OptionsSeen {
  options: Array<{ label: string; value: unknown }>;
  nextCursor?: string;
  pages: number;
}

type Decision = { tool: string; args: Record<string, unknown> } | { text: string };

const TEXT_PROPS = /^(text|title|subject|comment|prompt|message|body|description|name)$/i;
const EMAIL = /[\w.+-]+@[\w-]+(\.[\w-]+)+/;
const MAX_OPTION_PAGES = 5;

export function listDemoModels(): unknown {
  return { object: "list", data: [{ id: DEMO_MODEL, object: "model", created: 0, owned_by: "connect-mcp-emulator" }] };
}

export function handleChatCompletion(body: Record<string, unknown>, state: EnvState): Record<string, unknown> {
  const model = body["model"];
  if (model !== DEMO_MODEL) {
    throw new HttpError(
      404,
      `The connect-mcp emulator serves only the demo model "${DEMO_MODEL}" (a scripted stand-in for trying sub-agent mode offline, not a language model); set CONNECT_MCP_LLM_MODEL=${DEMO_MODEL}.`,
    );
  }
  const messages = body["messages"];
  if (!Array.isArray(messages) || !messages.every(isRecord)) throw new HttpError(400, "messages must be an array of objects");
  const tools = Array.isArray(body["tools"]) ? (body["tools"] as unknown[]) : [];
  const toolNames = new Set(tools.flatMap((t) => (isRecord(t) && isRecord(t["function"]) && typeof t["function"]["name"] === "string" ? [t["function"]["name"]] : [])));
  const wire = messages as unknown as WireMessage[];
  const decision: Decision = toolNames.size
    ? decide(wire, toolNames, state.apps)
    : { text: `This is the connect-mcp emulator's demo model: it only plays the sub-agent's configuration steps for the demo actions.` };
  const turn = wire.filter((m) => m.role === "assistant").length + 1;
  const message =
    "tool" in decision
      ? { role: "assistant", content: null, tool_calls: [{ id: `call_demo_${turn}`, type: "function", function: { name: decision.tool, arguments: JSON.stringify(decision.args) } }] }
      : { role: "assistant", content: decision.text };
  const usage = { prompt_tokens: Math.ceil(JSON.stringify(messages).length / 4), completion_tokens: Math.ceil(JSON.stringify(message).length / 4), total_tokens: 0 };
  usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
  return {
    id: `chatcmpl-demo-${turn}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: DEMO_MODEL,
    system_fingerprint: "connect-mcp-emulator-demo-model",
    choices: [{ index: 0, message, finish_reason: "tool" in decision ? "tool_calls" : "stop" }],
    usage,
  };
}

function text(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((c) => (isRecord(c) && typeof c["text"] === "string" ? c["text"] : "")).join("");
  return "";
}

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

function isState(v: unknown): v is ConfigState {
  return isRecord(v) && typeof v["action"] === "string" && Array.isArray(v["props"]) && Array.isArray(v["missing"]);
}

/** The next step, from the instruction and every tool call and result so far. */
function decide(messages: WireMessage[], tools: Set<string>, apps: WireApp[]): Decision {
  const opening = text(messages.find((m) => m.role === "user")?.content);
  const instruction = /^Instruction: (.*)$/m.exec(opening)?.[1]?.trim() ?? "";
  if (!instruction) return ask("I could not read an instruction. What should I do?");
  const onlyApp = /Only actions of the app "([^"]+)"/.exec(opening)?.[1];
  const already = parseJson(/^Already configured: (.*)$/m.exec(opening)?.[1] ?? "");

  // Pair each tool call with its result.
  const steps: Step[] = [];
  const byId = new Map<string, Step>();
  for (const m of messages) {
    if (m.role === "assistant") {
      for (const c of m.tool_calls ?? []) {
        const args = parseJson(c.function?.arguments ?? "");
        const step: Step = { name: c.function?.name ?? "", args: isRecord(args) ? args : {}, result: undefined };
        steps.push(step);
        byId.set(c.id, step);
      }
    } else if (m.role === "tool" && m.tool_call_id) {
      const step = byId.get(m.tool_call_id);
      if (step) step.result = parseJson(text(m.content)) ?? text(m.content);
    }
  }

  let state: ConfigState | undefined = isState(already) ? already : undefined;
  const options = new Map<string, OptionsSeen>();
  for (const s of steps) {
    if (isState(s.result)) state = s.result;
    if (s.name === "get_options" && isRecord(s.result) && Array.isArray(s.result["options"])) {
      const prop = String(s.args["prop"] ?? "");
      const prev = s.args["cursor"] ? options.get(prop) : undefined;
      const page = (s.result["options"] as unknown[]).filter(isRecord).map((o) => ({ label: String(o["label"] ?? o["value"]), value: o["value"] }));
      const next = typeof s.result["next_cursor"] === "string" ? s.result["next_cursor"] : undefined;
      options.set(prop, { options: [...(prev?.options ?? []), ...page], pages: (prev?.pages ?? 0) + 1, ...(next ? { nextCursor: next } : {}) });
    }
  }

  const last = steps.at(-1);
  const failed = last && isRecord(last.result) && typeof last.result["error"] === "string" ? (last.result["error"] as string) : undefined;
  if (failed) return recover(failed, instruction, state, apps);

  if (!state) {
    if (!tools.has("configure_action")) return ask("Which action should I run?");
    const finds = steps.filter((s) => s.name === "find_actions");
    if (finds.length === 0) {
      const app = onlyApp ?? appNamedIn(instruction, apps);
      return call("find_actions", { query: searchWords(instruction), ...(app ? { app } : {}) });
    }
    const found = finds.at(-1)!.result;
    const tried = new Set(steps.filter((s) => s.name === "configure_action").map((s) => s.args["action"]));
    const next = Array.isArray(found) ? found.find((a) => isRecord(a) && typeof a["key"] === "string" && !tried.has(a["key"])) : undefined;
    if (!isRecord(next)) return ask("I could not find an action for that. Which app and action should I use?");
    return call("configure_action", { action: next["key"] });
  }

  if (state.missing.length === 0) return call("run_action", {});
  const byName = new Map(state.props.map((p) => [p.name, p]));
  const values: Record<string, unknown> = {};
  const quoted = quotedStrings(instruction);
  const listed = withList(instruction);
  const unresolved: PropView[] = [];
  // A prop with options after another one was chosen (a sheet's worksheet) may default to the first.
  const followUp = Object.keys(state.configured ?? {}).some((n) => byName.get(n)?.has_options);
  for (const name of state.missing) {
    const prop = byName.get(name) ?? { name };
    const label = prop.label ?? prop.name;
    if (prop.has_options) {
      const seen = options.get(name);
      // Options may depend on values chosen so far: set those first, then look the options up.
      if (!seen) return Object.keys(values).length ? call("set_props", { values }) : call("get_options", { prop: name });
      const match = matchOption(seen.options, instruction);
      if (match) values[name] = match.value;
      else if (seen.nextCursor && seen.pages < MAX_OPTION_PAGES) return call("get_options", { prop: name, cursor: seen.nextCursor });
      else if (seen.options.length === 1 || (followUp && seen.options.length > 0)) values[name] = seen.options[0]!.value;
      else if (seen.options.length === 0) return ask(`I found no ${label} to choose from. Which ${label} should I use?`);
      else return ask(`Which ${label} should I use: ${orList(seen.options.slice(0, 6).map((o) => o.label))}?`);
      continue;
    }
    if (prop.type === "boolean") {
      values[name] = true;
      continue;
    }
    const about = `${prop.name} ${prop.label ?? ""} ${prop.description ?? ""}`;
    const email = EMAIL.exec(instruction)?.[0];
    if (/e-?mail|recipient/i.test(about) && email) values[name] = email;
    else if ((TEXT_PROPS.test(prop.name) || TEXT_PROPS.test(prop.label ?? "")) && quoted.length) values[name] = quoted.shift();
    else unresolved.push(prop);
  }
  // What is left takes the instruction's "with a, b, c" values, in order (a sheet's columns).
  for (const prop of [...unresolved]) {
    if (!listed.length || (prop.type && prop.type !== "string")) continue;
    values[prop.name] = listed.shift();
    unresolved.splice(unresolved.indexOf(prop), 1);
  }
  if (Object.keys(values).length) return call("set_props", { values });
  const first = unresolved[0];
  return ask(first ? `What should ${first.label ?? first.name} be?` : "What else do you need me to fill in?");
}

/** After a tool error: choose between accounts the instruction names, or ask. */
function recover(error: string, instruction: string, state: ConfigState | undefined, apps: WireApp[]): Decision {
  const several = /has \d+ healthy (\S+) accounts; pass account_id to choose one: (.*)$/.exec(error);
  if (several) {
    const choices = [...several[2]!.matchAll(/(\S+) \("([^"]+)"\)/g)].map((m) => ({ id: m[1]!, name: m[2]! }));
    const named = choices.find((c) => instruction.toLowerCase().includes(c.name.toLowerCase()));
    if (named) return call("use_account", { account_id: named.id });
    const slug = several[1]!;
    const appName = apps.find((a) => a.name_slug === slug)?.name ?? slug;
    return ask(`Which ${appName} account should I use: ${orList(choices.map((c) => c.name))}?`);
  }
  return ask(`I could not finish${state ? ` ${state.action}` : ""}: ${error}`);
}

function call(tool: string, args: Record<string, unknown>): Decision {
  return { tool, args };
}

function ask(question: string): Decision {
  return { tool: "ask_user", args: { question } };
}

function orList(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}

/** 'quoted', "quoted" or “quoted” parts of the instruction, in order. */
function quotedStrings(instruction: string): string[] {
  return [...instruction.matchAll(/(?:^|[\s(:])(?:'([^']+)'|"([^"]+)"|“([^”]+)”|‘([^’]+)’)(?=$|[\s.,;:!?)])/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? m[4] ?? "");
}

/** The values after a final "with": "add a row with 2026-11-21, coffee, 4.50" → three values. */
function withList(instruction: string): string[] {
  const tail = /\bwith\s+(.+)$/i.exec(instruction.replace(/[.!]+$/, ""))?.[1];
  return tail ? tail.split(/\s*,\s*(?:and\s+)?|\s+and\s+/).map((s) => s.trim()).filter(Boolean) : [];
}

/** The option whose label (or value) the instruction names; the longest such label wins. */
function matchOption(options: Array<{ label: string; value: unknown }>, instruction: string) {
  const hay = instruction.toLowerCase();
  const names = (o: { label: string; value: unknown }) => [o.label, String(o.value)].map((s) => s.toLowerCase().replace(/^#/, "")).filter((s) => s.length >= 2);
  const hits = options.filter((o) => names(o).some((n) => new RegExp(`(^|[^\\w])#?${escapeRegExp(n)}($|[^\\w])`).test(hay)));
  return hits.sort((a, b) => b.label.length - a.label.length)[0];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** An app the instruction names, by its name or slug ("Google Sheets", "google_sheets"). */
function appNamedIn(instruction: string, apps: WireApp[]): string | undefined {
  const hay = instruction.toLowerCase();
  const hit = apps
    .map((a) => ({ slug: a.name_slug, names: [a.name.toLowerCase(), a.name_slug.replace(/_/g, " ")] }))
    .filter((a) => a.names.some((n) => new RegExp(`(^|[^\\w])${escapeRegExp(n)}($|[^\\w])`).test(hay)))
    .sort((a, b) => b.names[0]!.length - a.names[0]!.length)[0];
  return hit?.slug;
}

/** The instruction without the values in it (quoted text, emails): what to search actions by. */
function searchWords(instruction: string): string {
  const words = instruction
    .replace(/'[^']*'|"[^"]*"|“[^”]*”|‘[^’]*’/g, " ")
    .replace(EMAIL, " ")
    .replace(/\s+/g, " ")
    .trim();
  return words || instruction;
}
