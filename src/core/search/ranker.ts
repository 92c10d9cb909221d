/**
 * The learned re-ranker: a linear model over features of (request, candidate action) that
 * re-orders the best candidates the lexical ranker found. Its weights are fitted on the dev set's
 * labelled requests by `node bench/fit-ranker.mjs` (pairwise logistic regression: an answer should
 * score above each non-answer ranked with it), which prints the `RANKER_WEIGHTS` below; nothing
 * here is hand-tuned. With every weight 0 but `score` the order is the lexical one.
 */
import { RANKER_ASSOCIATIONS_TEXT } from "./ranker-associations.js";
import { terms, withEntityKinds } from "./text.js";

/** The features, in order; each is computed per candidate by CatalogSearch (see there). */
export const RANKER_FEATURES = [
  /** ln(score / best score) of the lexical ranker, floored at −5. */
  "score",
  /** 1 / (1 + the lexical rank). */
  "rank",
  /** BM25 of each action field on its own, over the best candidate's text score. */
  "name",
  "initials",
  "key",
  "app",
  "description",
  "props",
  /** BM25 of the words as typed (no expansion), over the best candidate's text score. */
  "typed",
  /** Prop descriptions' BM25 over the best candidate's. */
  "propDescriptions",
  /** Share of the request's words the action matched through any expansion. */
  "matched",
  /** +1 when the action's verb has the request's intent, −1 when another, 0 when unknown. */
  "intent",
  /** Share of what the action's name acts on that the request covers (weighted by expansion). */
  "object",
  /** How well the request covers the head noun of the action's name ("Send Message to Channel" → message). */
  "head",
  /** Share of the name's object words typed in the same form. */
  "sameForm",
  /** How strongly the request names the action's app, and how well the app's own text answers it (0..1). */
  "mention",
  "described",
  /** A question ("who…", "is there…", "…?"): +1 for a read-only action, −1 for one that writes. */
  "questionReadOnly",
  /** A request to change something (create, update, delete, send, reply): +1 for an action that writes, −1 for a read-only one. */
  "writeWrites",
  /** How many words the name's object has, over 4, at most 1. */
  "nameLength",
  /** How well the request covers the verb the action's name starts with (1 typed, less through an expansion). */
  "verb",
  /** The name's head noun typed: +1 in the same number (plural or singular), −1 in the other, 0 not typed. */
  "number",
  /** The request carries an identifier (a word with digits, a quoted value): +1 for an action on one thing (its head noun singular), −1 for one on many. */
  "identifier",
  /**
   * Learned associations between request words and the words of the names of the actions that
   * answered them in the dev set (rankerAssociations()): per request word, its best association
   * with a word of the action's name, summed, over the request's word count.
   */
  "associated",
] as const;

export type RankerFeature = (typeof RANKER_FEATURES)[number];

/** Fitted by `node bench/fit-ranker.mjs` on the dev set; see docs/measurements.md (issue 11, round 4). */
export const RANKER_WEIGHTS: Readonly<Record<RankerFeature, number>> = {
  score: 1.402,
  rank: 1.097,
  name: 2.77,
  initials: -0.9807,
  key: 0.6352,
  app: 3.34,
  description: 2.251,
  props: 1.227,
  typed: 1.544,
  propDescriptions: 0.3511,
  matched: 0.5128,
  intent: 0.5164,
  object: 0.5097,
  head: -0.009705,
  sameForm: -0.389,
  mention: 0.5904,
  described: 0.1421,
  questionReadOnly: 0.7895,
  writeWrites: 0.1277,
  nameLength: -0.678,
  verb: 0.2194,
  number: 0.558,
  identifier: 0.2802,
  associated: 0.8395,
};

/** Request word (stem) → action-name word (stem) → strength; see `associationWords`, bench/fit-ranker.mjs. */
export type Associations = ReadonlyMap<string, ReadonlyMap<string, number>>;

/** The words of a request that associations are learned and looked up for: its distinct terms, without numbers. */
export function associationWords(query: string): string[] {
  return [...new Set(terms(withEntityKinds(query)).filter((t) => !/\d/.test(t) && t.length > 1))];
}

/** The words of an action's name that associations point at: the title's terms, verb included ("DynamoDB - Get Item" → get, item). */
export function associationTargets(name: string): string[] {
  const title = name.includes(" - ") ? name.slice(name.lastIndexOf(" - ") + 3) : name;
  return [...new Set(terms(title))];
}

/** The `associated` feature: per request word, its strongest association with a name word not typed as such. */
export function associationScore(words: readonly string[], targets: readonly string[], table: Associations): number {
  if (!words.length || table.size === 0) return 0;
  let total = 0;
  for (const w of words) {
    const row = table.get(w);
    if (!row) continue;
    let best = 0;
    for (const t of targets) {
      const v = row.get(t);
      if (v !== undefined && v > best && !words.includes(t)) best = v;
    }
    total += best;
  }
  return total / words.length;
}

/** Parses the compact form bench/fit-ranker.mjs writes: "word:target=strength,target=strength;word:…". */
export function parseAssociations(text: string): Associations {
  const out = new Map<string, Map<string, number>>();
  for (const entry of text.split(";")) {
    const [word, rest] = entry.split(":");
    if (!word || !rest) continue;
    const row = new Map<string, number>();
    for (const pair of rest.split(",")) {
      const [t, v] = pair.split("=");
      if (t && v !== undefined) row.set(t, Number(v));
    }
    out.set(word, row);
  }
  return out;
}

/** The model's score of one candidate's features (in RANKER_FEATURES order). */
export function rankerScore(features: readonly number[], weights: Readonly<Record<RankerFeature, number>> = RANKER_WEIGHTS): number {
  let s = 0;
  for (let i = 0; i < RANKER_FEATURES.length; i++) s += weights[RANKER_FEATURES[i]!] * features[i]!;
  return s;
}

/**
 * Whether a request names one particular thing by a value: a word mixing letters and digits or a
 * number ("ENG-123", "#1042", "item 123"), or a quoted value ("'Q4 plan'").
 */
export function hasIdentifier(query: string): boolean {
  return /\d/.test(query.replace(/\b(?:19|20)\d\d-\d\d-\d\d\S*/g, " ")) || /["“'‘][^"”'’]{2,}["”'’]/.test(query);
}

const QUESTION_START = new Set(["who", "whom", "whose", "which", "what", "whats", "how", "is", "are", "was", "were", "do", "does", "did", "when", "where", "any", "has", "have"]);

/**
 * Whether a request asks a question rather than for something to be done: it ends with "?" or
 * starts with a question word or an auxiliary ("who…", "is there…", "do we have…"). "Can you…"
 * and "could you…" are polite imperatives, not questions.
 */
export function isQuestion(query: string): boolean {
  const q = query.trim().toLowerCase();
  if (q.endsWith("?")) return !/^(can|could|would|will)\s+(you|u)\b/.test(q);
  const first = /^[a-z']+/.exec(q)?.[0]?.replace(/'s$/, "");
  return first !== undefined && QUESTION_START.has(first);
}

let fitted: Associations | undefined;

/**
 * The associations fitted on the dev set (bench/fit-ranker.mjs writes ranker-associations.ts),
 * parsed on the first search rather than at start-up (a few ms before the first tools/list).
 */
export function rankerAssociations(): Associations {
  return (fitted ??= parseAssociations(RANKER_ASSOCIATIONS_TEXT));
}
