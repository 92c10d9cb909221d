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

/** Cap a JSON-able value's serialized size; returns the value or a truncated string form. */
export function capJson(value: unknown, maxChars: number): { value: unknown; truncated: boolean } {
  const text = JSON.stringify(value);
  if (text === undefined || text.length <= maxChars) return { value, truncated: false };
  return { value: `${text.slice(0, maxChars)}…`, truncated: true };
}
