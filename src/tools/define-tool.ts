/**
 * A tool is one object: name, description (written for an LLM: what, when, what comes back),
 * input and output schemas, all four MCP annotations, and the handler. The server registers
 * these objects unchanged; read-only status is derived from `annotations.readOnlyHint`.
 */
import { z as zod, type z } from "zod";
import type { ToolMode } from "../config.js";
import type { ToolContext } from "../core/services.js";
import type { ToolResult } from "../core/results.js";

export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export interface ToolDefinition<Input extends z.ZodObject = z.ZodObject, Output extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  /** Arguments in full-config mode (the default). */
  inputSchema: Input;
  /** What differs in another mode: tools-only leaves full-config's extra arguments out, sub-agent adds its own. */
  modes?: Partial<Record<ToolMode, { inputSchema?: z.ZodObject; description?: string }>>;
  outputSchema: Output;
  annotations: ToolAnnotations;
  /** The result field holding the upstream's data: what `fields` selects from and the budget pages through. */
  dataField?: "body" | "result";
  handler(args: z.infer<Input>, ctx: ToolContext): Promise<ToolResult>;
}

/** A string-keyed map; emits a smaller JSON Schema than z.record (no propertyNames). */
export function stringMap<T extends z.ZodType>(values: T) {
  return zod.object({}).catchall(values);
}

/** Every `outcome` a result may carry (design.md): ok, or not an error but not done yet. */
export const OUTCOME = zod.enum(["ok", "needs_input", "connect_required"]);
/** run_action's outcomes add `unknown` (isError): the run may or may not have happened. */
export const RUN_OUTCOME = zod.enum(["ok", "needs_input", "connect_required", "unknown"]);

/**
 * Arguments of the tools that return upstream data (api_proxy, run_action): exactly-once writes,
 * picking fields, and re-reading a stored result.
 */
export const resultArguments = {
  idempotency_key: zod.string().min(1).max(200).optional(),
  fields: zod.array(zod.string().max(200)).max(50).optional(),
  result_id: zod.string().max(100).optional(),
  offset: zod.number().int().min(0).optional(),
};

/** How the tools that take resultArguments explain them (one sentence, in their descriptions). */
export const RESULT_ARGUMENTS_NOTE =
  "idempotency_key: a repeat returns the first result. fields: dotted paths to keep. Cut results give result_id (+offset) to read on.";

export function defineTool<Input extends z.ZodObject, Output extends z.ZodObject>(
  tool: ToolDefinition<Input, Output>,
): ToolDefinition<Input, Output> {
  return tool;
}
