/** Tool results: structuredContent for clients that read it, plus a text mirror for those that don't. */
export interface ToolResult {
  [key: string]: unknown;
  content: Array<{ type: "text"; text: string }>;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

/** Results whose one text is exactly their structuredContent's JSON (success() built them). */
const jsonMirrors = new WeakSet<ToolResult>();

export function success(structured: Record<string, unknown>): ToolResult {
  const result = { content: [{ type: "text" as const, text: JSON.stringify(structured) }], structuredContent: structured };
  jsonMirrors.add(result);
  return result;
}

/** Whether the result's text is its structuredContent's JSON, known without serialising it again. */
export function isJsonMirror(result: ToolResult): boolean {
  return jsonMirrors.has(result);
}

export function failure(message: string, detail?: Record<string, unknown>): ToolResult {
  const text = detail && Object.keys(detail).length ? `${message}\n${JSON.stringify(detail)}` : message;
  return { content: [{ type: "text", text }], isError: true };
}
