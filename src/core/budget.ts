/**
 * Keeping a tool result within a token budget without losing its shape (pure functions).
 *
 * - `estimateTokens`: a cheap, deliberately pessimistic stand-in for the o200k tokenizer: ASCII at
 *   3 characters per token (ids, numbers and JSON punctuation run ~3), anything else at one
 *   character per token (CJK, emoji), so a result estimated under budget is under it.
 * - `selectFields`: keep only dotted paths (arrays traversed implicitly).
 * - `fitToBudget`: cut the largest array first (keeping as many items as fit), then the longest
 *   strings, then anything large, and report each cut as `{path, items}` or `{path, chars}`.
 */

export interface Omission {
  /** Dotted path of what was cut ("" is the whole value). */
  path: string;
  /** Items (array elements or object keys) left out. */
  items?: number;
  /** Length of the string before it was cut. */
  chars?: number;
}

/**
 * Token runs as o200k tends to cut them, priced pessimistically: a word-like letter run is one token
 * (+1 per 7 letters), other letter runs (ids, base64, hex) one per 1.5 letters, digits one per 3
 * (+0.15 per run), a punctuation run 0.85 (+0.35 per further character), a space 0.5, and any
 * non-ASCII character one. Checked against js-tiktoken's o200k on JSON lists, ids, numbers, floats,
 * base64, hex, UUIDs, URLs, HTML, English, CJK and emoji: never under, 0–45% over.
 */
const RUNS = /([A-Za-z]+)|([0-9]+)|( )|([\x00-\x1f\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]+)|([^\x00-\x7f])/g;
const WORD = /^(?:[A-Z]?[a-z]+|[A-Z]{1,4})$/;

export function estimateTokens(text: string): number {
  let tokens = 0;
  RUNS.lastIndex = 0;
  for (let m = RUNS.exec(text); m; m = RUNS.exec(text)) {
    if (m[1] !== undefined) tokens += WORD.test(m[1]) ? 1 + Math.floor(m[1].length / 7) : Math.ceil(m[1].length / 1.5);
    else if (m[2] !== undefined) tokens += Math.ceil(m[2].length / 3) + 0.15;
    else if (m[3] !== undefined) tokens += 0.5;
    else if (m[4] !== undefined) tokens += 0.85 + (m[4].length - 1) * 0.35;
    else tokens += 1;
  }
  // A little headroom on top: the tokenizer is not this simple.
  return Math.ceil(tokens * 1.05);
}

export function estimateJsonTokens(value: unknown): number {
  return estimateTokens(JSON.stringify(value) ?? "");
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A tree of the requested paths: `true` keeps the whole value there. */
type FieldTree = { [k: string]: FieldTree | true };

function fieldTree(paths: string[]): FieldTree {
  const tree: FieldTree = {};
  for (const path of paths) {
    const parts = path.split(".").filter(Boolean);
    let node = tree;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) node[part] = true;
      else {
        const next = node[part];
        if (next === true) return;
        node = node[part] = next ?? {};
      }
    });
  }
  return tree;
}

/**
 * Keep only `paths` of `value`: `["messages.ts", "messages.text"]` keeps `ts` and `text` of each
 * element of `messages`. Paths that do not exist are left out; a value that is not an object
 * where a path goes deeper is kept as it is.
 */
export function selectFields(value: unknown, paths: string[]): unknown {
  const pick = (v: unknown, tree: FieldTree): unknown => {
    if (Array.isArray(v)) return v.map((item) => pick(item, tree));
    if (v === null || typeof v !== "object") return v;
    const out: Record<string, unknown> = {};
    for (const [key, sub] of Object.entries(tree)) {
      if (!Object.prototype.hasOwnProperty.call(v, key)) continue;
      const child = (v as Record<string, unknown>)[key];
      out[key] = sub === true ? child : pick(child, sub);
    }
    return out;
  };
  return pick(value, fieldTree(paths));
}

interface Node {
  path: string[];
  value: Json;
  size: number;
}

/** Every array, object and long string in `root`, with its serialized size. */
function nodes(root: Json): Node[] {
  const out: Node[] = [];
  const walk = (v: Json, path: string[]): number => {
    if (Array.isArray(v)) {
      let size = 2;
      v.forEach((item, i) => (size += walk(item, [...path, String(i)]) + 1));
      out.push({ path, value: v, size });
      return size;
    }
    if (v !== null && typeof v === "object") {
      let size = 2;
      for (const [k, item] of Object.entries(v)) size += walk(item, [...path, k]) + k.length + 4;
      out.push({ path, value: v, size });
      return size;
    }
    const size = JSON.stringify(v)?.length ?? 4;
    if (typeof v === "string") out.push({ path, value: v, size });
    return size;
  };
  walk(root, []);
  return out;
}

function getAt(root: Json, path: string[]): Json {
  let v: Json = root;
  for (const p of path) v = Array.isArray(v) ? v[Number(p)]! : (v as Record<string, Json>)[p]!;
  return v;
}

function setAt(root: Json, path: string[], value: Json): Json {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  if (Array.isArray(root)) {
    const copy = root.slice();
    copy[Number(head)] = setAt(root[Number(head)]!, rest, value);
    return copy;
  }
  const obj = root as Record<string, Json>;
  return { ...obj, [head]: setAt(obj[head]!, rest, value) };
}

/** The path of the array with the most serialized characters, if any. */
export function largestArrayPath(root: unknown): string[] | undefined {
  let best: Node | undefined;
  for (const n of nodes(root as Json)) if (Array.isArray(n.value) && n.value.length > 0 && (!best || n.size > best.size)) best = n;
  return best?.path;
}

export interface FitResult {
  value: unknown;
  omitted: Omission[];
  /** When the largest array was cut: where it is, the first index shown, and the next to read. */
  page?: { path: string; offset: number; next_offset?: number; total: number };
}

export interface FitOptions {
  /** Start the largest array at this index (re-reading a stored result). */
  offset?: number;
}

/**
 * Cut `value` until `estimateJsonTokens(value) <= maxTokens`, keeping its shape. The largest array
 * is cut first, keeping as many of its items (from `offset`) as fit; then the biggest remaining
 * strings, arrays and objects are halved until it fits.
 */
export function fitToBudget(value: unknown, maxTokens: number, options: FitOptions = {}): FitResult {
  // Most results fit: one estimate, no walk over the structure.
  if (!options.offset && estimateJsonTokens(value) <= maxTokens) return { value, omitted: [] };
  let root = value as Json;
  const omitted: Omission[] = [];
  let page: FitResult["page"];

  const arrayPath = largestArrayPath(root);
  if (arrayPath) {
    const all = getAt(root, arrayPath) as Json[];
    const offset = Math.max(0, Math.min(options.offset ?? 0, all.length));
    const rest = all.length - offset;
    // Price the list once, item by item: the rest of the result plus the first k items (and their
    // commas) must fit. One pass over the data, however long the list.
    const base = estimateJsonTokens(setAt(root, arrayPath, []));
    let keep = 0;
    let used = base;
    for (let i = offset; i < all.length; i++) {
      const cost = estimateJsonTokens(all[i]) + 1;
      if (used + cost > maxTokens && keep > 0) break;
      used += cost;
      keep++;
    }
    if (offset > 0 || keep < rest) {
      root = setAt(root, arrayPath, all.slice(offset, offset + keep));
      const shownEnd = offset + keep;
      const left = all.length - keep;
      if (left > 0) omitted.push({ path: arrayPath.join("."), items: left });
      page = { path: arrayPath.join("."), offset, total: all.length, ...(shownEnd < all.length ? { next_offset: shownEnd } : {}) };
    }
  }

  // Then halve the biggest cuttable node until it fits (bounded: each step at least halves one node).
  for (let step = 0; step < 400 && estimateJsonTokens(root) > maxTokens; step++) {
    const all = nodes(root);
    const total = estimateJsonTokens(root);
    const candidates = all.filter((n) => n.path.length > 0 && (typeof n.value === "string" ? n.value.length > 32 : Array.isArray(n.value) ? n.value.length > 1 : Object.keys(n.value as object).length > 1));
    if (candidates.length === 0) break;
    const largest = (kind: (n: Node) => boolean) => candidates.filter(kind).reduce<Node | undefined>((a, b) => (!a || b.size > a.size ? b : a), undefined);
    // A string that dominates is cut first (keeping its siblings), then lists, then wide objects.
    const bigString = largest((n) => typeof n.value === "string");
    const target =
      (bigString && estimateTokens(bigString.value as string) * 4 >= total ? bigString : undefined) ??
      largest((n) => Array.isArray(n.value)) ??
      bigString ??
      largest(() => true)!;
    const path = target.path.join(".");
    const prior = omitted.find((o) => o.path === path);
    if (typeof target.value === "string") {
      const original = prior?.chars ?? target.value.length;
      const cut = `${target.value.slice(0, Math.floor(target.value.length / 2))}…`;
      root = setAt(root, target.path, cut);
      if (prior) prior.chars = original;
      else omitted.push({ path, chars: original });
    } else if (Array.isArray(target.value)) {
      const keep = Math.ceil(target.value.length / 2);
      root = setAt(root, target.path, target.value.slice(0, keep));
      const dropped = target.value.length - keep;
      if (prior) prior.items = (prior.items ?? 0) + dropped;
      else omitted.push({ path, items: dropped });
      if (page && page.path === path) {
        page.next_offset = page.offset + keep;
      }
    } else {
      const entries = Object.entries(target.value as Record<string, Json>);
      const keep = Math.ceil(entries.length / 2);
      root = setAt(root, target.path, Object.fromEntries(entries.slice(0, keep)));
      const dropped = entries.length - keep;
      if (prior) prior.items = (prior.items ?? 0) + dropped;
      else omitted.push({ path, items: dropped });
    }
  }
  return { value: root, omitted, ...(page ? { page } : {}) };
}
