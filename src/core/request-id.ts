/**
 * Request ids chosen by clients (`X-Request-Id`) end up in logs and audit rows: only short,
 * plain ones are kept; anything else is replaced by a server-generated id at the HTTP edge.
 */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The id if it is 1-64 characters of letters, digits and `. _ : -`; otherwise undefined. */
export function saneRequestId(value: string | string[] | null | undefined): string | undefined {
  return typeof value === "string" && REQUEST_ID.test(value) ? value : undefined;
}
