/**
 * Text → search terms, shared by documents and queries so both sides agree:
 * lower-case, split on anything not a letter or digit and on camelCase boundaries
 * (`sheetId` → sheet, id), drop stop words, then a light suffix-stripping stemmer
 * (`messages`, `messaging` → messag; `create`, `created`, `creating` → creat).
 * Query words also expand through a small table of everyday synonyms (post → send, todo → task…).
 */

const STOPWORDS = new Set(
  (
    "a an the to in on of for from by with into onto at as and or but not no nor so if then than " +
    "my our your their his her its me us we you i it he she they them this that these those there here " +
    "is are was were be been being am do does did can could would should will shall may might must " +
    "please want wants need needs like how what which who whom whose when where why " +
    "some any all each every someone somebody something anything one " +
    "using use via just also about up out"
  ).split(/\s+/),
);

/**
 * Raw lower-case word tokens (letters/digits), snake/kebab split. With `camel`, a mixed-case word
 * also yields its camelCase parts (`sheetId` → sheetid, sheet, id; `ChatGPT` → chatgpt, chat, gpt):
 * documents are indexed that way, queries are not, so "chatgpt" and "column" both find their words.
 */
const SEPARATORS = /[^\p{L}\p{N}]+/u;
const CAMEL_BOUNDARY = /[a-z0-9][A-Z]|[A-Z][A-Z][a-z]/;

export function tokenize(text: string, camel = false): string[] {
  const out: string[] = [];
  for (const word of text.split(SEPARATORS)) {
    if (!word) continue;
    const lower = word.toLowerCase();
    out.push(lower);
    if (camel && CAMEL_BOUNDARY.test(word)) {
      const parts = word
        .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
        .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
        .toLowerCase()
        .split(" ");
      if (parts.length > 1) out.push(...parts);
    }
  }
  return out;
}

const VOWEL = /[aeiouy]/;

/** running → run, stopped → stop; but added → add (a 3-letter stem keeps its double letter). */
function undouble(w: string): string {
  return w.length > 3 && /([^aeiouslz])\1$/.test(w) ? w.slice(0, -1) : w;
}

/**
 * A light, deterministic stemmer (a much-reduced Porter step 1): plural and -ing/-ed/-e endings.
 * Good enough to merge the word forms that show up in action names and requests; it never has to
 * produce real words, only the same stem for both sides.
 */
export function stem(word: string): string {
  let w = word;
  if (w.length <= 3 || /^\d+$/.test(w)) return w;
  if (w.endsWith("sses")) w = w.slice(0, -2);
  else if (w.endsWith("ies") && w.length > 4) w = `${w.slice(0, -3)}i`;
  else if (w.endsWith("s") && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.endsWith("ing") && w.length > 5 && VOWEL.test(w.slice(0, -3))) {
    w = undouble(w.slice(0, -3));
  } else if (w.endsWith("ed") && w.length > 4 && VOWEL.test(w.slice(0, -2))) {
    w = undouble(w.slice(0, -2));
  }
  if (w.endsWith("y") && w.length > 3 && !VOWEL.test(w.charAt(w.length - 2))) w = `${w.slice(0, -1)}i`;
  if (w.endsWith("e") && w.length > 3) w = w.slice(0, -1);
  return w;
}

/** Search terms of a text: tokens minus stop words, stemmed (`camel`: see tokenize). */
export function terms(text: string, camel = false): string[] {
  const out: string[] = [];
  for (const t of tokenize(text, camel)) {
    if (STOPWORDS.has(t)) continue;
    if (t.length < 2 && !/\d/.test(t)) continue;
    out.push(stem(t));
  }
  return out;
}

/**
 * Everyday synonyms in requests to SaaS apps, as groups of words that mean the same thing to
 * someone asking for an action. Expansions count less than the words actually typed.
 * Multi-word entries (`direct message`) expand to all their words.
 */
const SYNONYM_GROUPS: string[][] = [
  ["send", "post", "deliver"],
  ["message", "msg", "dm:direct message"],
  ["create", "add", "new", "make", "insert", "open", "schedule"],
  ["delete", "remove", "erase", "trash", "destroy", "cancel"],
  ["update", "edit", "modify", "change", "set"],
  ["find", "search", "lookup", "look", "query", "locate"],
  ["get", "retrieve", "fetch", "read", "list", "show"],
  ["email", "mail", "inbox", "e-mail"],
  ["sms", "text message"],
  ["task", "todo", "to-do"],
  ["issue", "bug", "ticket"],
  ["meeting", "event", "appointment"],
  ["spreadsheet", "sheet", "workbook"],
  ["document", "doc"],
  ["contact", "person", "people"],
  ["lead", "prospect"],
  ["deal", "opportunity"],
  ["charge", "payment", "pay", "bill", "invoice"],
  ["image", "picture", "photo"],
  ["transcribe", "transcription", "speech to text"],
  ["summarize", "summary", "tldr"],
  ["pr:pull request", "pull", "merge"],
  ["repo", "repository"],
  ["folder", "directory"],
  ["share", "permission"],
  ["complete", "completed", "done", "finish", "close"],
  ["attend", "attendee", "participant"],
  ["reply", "respond", "answer"],
  ["comment", "note"],
  ["user", "member"],
  ["subscribe", "subscriber", "newsletter", "audience"],
  ["tweet", "twitter"],
  ["video", "movie", "clip"],
];

/** stem → the stems its synonyms contribute (a multi-word synonym contributes each of its words). */
const SYNONYMS = new Map<string, string[]>();
for (const group of SYNONYM_GROUPS) {
  const entries = group.map((entry) => {
    const [typed, meaning] = entry.includes(":") ? entry.split(":") : [entry, entry];
    return { keys: terms(typed!), meaning: terms(meaning!) };
  });
  for (const a of entries) {
    // Only single words are looked up; "text message" is a meaning, not something to expand.
    if (a.keys.length !== 1) continue;
    const key = a.keys[0]!;
    const out = new Set(SYNONYMS.get(key) ?? []);
    for (const b of entries) for (const t of b.meaning) out.add(t);
    out.delete(key);
    SYNONYMS.set(key, [...out]);
  }
}

export function synonymsOf(stemmed: string): readonly string[] {
  return SYNONYMS.get(stemmed) ?? [];
}

/**
 * Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), giving up once
 * it exceeds `max` (then returns max + 1). Cheap enough to scan a vocabulary for typos.
 */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (a === b) return 0;
  const n = b.length;
  let prevPrev = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = cur[0]!;
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) {
        v = Math.min(v, prevPrev[j - 2]! + 1);
      }
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prevPrev, prev, cur] = [prev, cur, prevPrev];
  }
  return prev[n]! > max ? max + 1 : prev[n]!;
}

/** Markdown links keep their text; "See the documentation" links and bare URLs go. */
export function plainDescription(text: string | undefined): string {
  if (!text) return "";
  return text
    .replace(/\[\s*see (the )?(docs|documentation|api)[^\]]*\]\([^)]*\)/gi, " ")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/https?:\/\/\S+/g, " ");
}
