/**
 * What a client receives of a tool result: `fields` applied to the part of the result that is the
 * upstream's data (api_proxy's `body`, run_action's `result`), then the whole result — its
 * structuredContent and the text mirror together — kept under the token budget. A result that had
 * to be cut keeps its JSON shape, says what was left out, and names the stored full result
 * (`truncated.result_id`) the caller reads again with `result_id` (+ `fields`, `offset`).
 */
import { estimateTokens, fitToBudget, selectFields, type Omission } from "./budget.js";
import { isJsonMirror, type ToolResult } from "./results.js";

export interface ShapeOptions {
  maxTokens: number;
  /** Which structured field holds the upstream's data that `fields` selects from. */
  dataField?: "body" | "result";
  fields?: string[];
  offset?: number;
  /** Keep the full result; returns its id. Called only when something had to be cut. */
  store(full: Record<string, unknown>): string;
}

/** Room for the `truncated` note itself and the JSON framing around the two copies. */
const NOTE_TOKENS = 150;

/** The text mirror's prose before the compact JSON (an error's sentence), if any, and that JSON. */
function prosePrefix(result: ToolResult): { prefix: string; json: string } {
  if (isJsonMirror(result)) return { prefix: "", json: result.content[0]!.text };
  const text = result.content.length === 1 ? result.content[0]!.text : result.content.map((c) => c.text).join("\n");
  const json = JSON.stringify(result.structuredContent);
  if (text === json) return { prefix: "", json };
  return { prefix: text.endsWith(json) ? text.slice(0, text.length - json.length) : "", json };
}

/**
 * No text estimates above this many tokens per character (a lone digit between punctuation:
 * 1.15, plus the estimate's 5 % headroom), so a text this short fits without being estimated.
 */
const MAX_TOKENS_PER_CHAR = 1.25;

export function withFields(structured: Record<string, unknown>, dataField: ShapeOptions["dataField"], fields: string[] | undefined): Record<string, unknown> {
  if (!fields?.length || !dataField || !(dataField in structured)) return structured;
  return { ...structured, [dataField]: selectFields(structured[dataField], fields) };
}

/**
 * Apply `fields`, then fit the result to the budget. `full` is what is stored when something is
 * cut (the result before `fields`, so a later read may pick other fields).
 */
export function shapeResult(result: ToolResult, options: ShapeOptions, full: Record<string, unknown> | undefined = result.structuredContent): ToolResult {
  const structured = result.structuredContent;
  if (!structured) return capPlainText(result, options.maxTokens);
  const { prefix, json } = prosePrefix(result);
  const selected = withFields(structured, options.dataField, options.fields);
  // The structured copy and its JSON text mirror are both sent: each gets half of what is left.
  const perCopy = Math.floor((options.maxTokens - (prefix ? estimateTokens(prefix) : 0) - NOTE_TOKENS) / 2);
  // Most results are far under the budget: known to fit from their length alone, no estimate, no walk.
  if (selected === structured && !options.offset && json.length * MAX_TOKENS_PER_CHAR <= Math.max(200, perCopy)) return result;
  const fit = fitToBudget(selected, Math.max(200, perCopy), { offset: options.offset });
  if (fit.omitted.length === 0 && !fit.page) {
    if (selected === structured) return result;
    return render(result, prefix, selected);
  }
  const resultId = options.store(full ?? structured);
  const cut = fit.value as Record<string, unknown>;
  const truncated = {
    result_id: resultId,
    omitted: fit.omitted,
    ...(fit.page ? { array: fit.page.path, offset: fit.page.offset, total: fit.page.total, ...(fit.page.next_offset !== undefined ? { next_offset: fit.page.next_offset } : {}) } : {}),
    how: "Call the same tool with result_id (and offset to page, fields to pick paths) to read the rest; nothing is sent upstream.",
  };
  return render(result, prefix, { ...cut, truncated });
}

function render(result: ToolResult, prefix: string, structured: Record<string, unknown>): ToolResult {
  return { ...result, content: [{ type: "text", text: `${prefix}${JSON.stringify(structured)}` }], structuredContent: structured };
}

/** A result with text only (an error): cut its text to the budget. */
function capPlainText(result: ToolResult, maxTokens: number): ToolResult {
  const text = result.content.map((c) => c.text).join("\n");
  if (estimateTokens(text) <= maxTokens) return result;
  // Pessimistically one token per character for the part kept.
  return { ...result, content: [{ type: "text", text: `${text.slice(0, maxTokens - 20)}… (cut)` }] };
}

export type { Omission };
