/** Tool results: structuredContent for clients that read it, plus a text mirror for those that don't. */
export interface ToolResult {
  [key: string]: unknown;
  content: Array<{ type: "text"; text: string }>;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

export function success(structured: Record<string, unknown>): ToolResult {
  return { content: [{ type: "text", text: JSON.stringify(structured) }], structuredContent: structured };
}

export function failure(message: string, detail?: Record<string, unknown>): ToolResult {
  const text = detail && Object.keys(detail).length ? `${message}\n${JSON.stringify(detail)}` : message;
  return { content: [{ type: "text", text }], isError: true };
}
