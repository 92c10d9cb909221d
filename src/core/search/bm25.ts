/**
 * An in-memory BM25F index over a few weighted text fields, with incremental updates.
 *
 * Why in memory and not SQLite FTS5 (which better-sqlite3 does ship): the catalog is small
 * (≈10,000 actions, a few MB of terms), its source of truth is already the SQLite cache, and the
 * things that make action search good are awkward in FTS5 — typo tolerance against the
 * vocabulary, prefix and synonym expansion with their own weights, per-field weights with
 * per-field length normalisation (BM25F rather than a sum of per-column BM25s), and no FTS query
 * syntax to escape. A query here touches only the posting lists of its terms: well under a
 * millisecond at 10,000 documents (see bench/search.mjs).
 *
 * Updates: `upsert` of an unchanged document is a no-op; a changed one leaves a tombstone and is
 * appended anew, and the index compacts itself when tombstones pile up, so refreshing the whole
 * catalog never costs more than one rebuild.
 */
import { camelJoins, editDistance, isIntentWord, isVerbBase, synonymsOf, terms, tokenize } from "./text.js";

export interface FieldSpec {
  name: string;
  /** How much a match in this field counts relative to the others. */
  weight: number;
  /** Length normalisation (0 = none, 1 = full); BM25's usual 0.75 suits prose. */
  b: number;
}

/** One word of a query with what it expands to; a document scores its best expansion. */
export interface QueryTerm {
  word: string;
  /** `rescore`: only adds to documents other words (or earlier expansions) matched; comes last. */
  expansions: Array<{ term: string; weight: number; rescore?: boolean }>;
}

/** Per document, for re-ranking features: BM25 of each field alone, of the typed words alone, and how many query words it matched. */
export interface FieldScores {
  fields: number[];
  typed: number;
  matched: number;
}

export interface Hit {
  id: string;
  score: number;
  /** How many of the query's words the document matched (any expansion). */
  matched: number;
}

const K1 = 1.2;
const MAX_FIELDS = 7;
const TF_BITS = 4;
const TF_MAX = (1 << TF_BITS) - 1;

interface Doc {
  id: string;
  /** Field lengths in terms. */
  lens: number[];
  /** Distinct terms, for removal. */
  terms: string[];
  /** Field texts joined, to skip re-indexing an unchanged document. */
  fingerprint: string;
  /** Term → packed field frequencies, kept only for `scoreDocuments`. */
  tf?: Map<string, number>;
}

interface Postings {
  slots: number[];
  /** Per posting, the term's frequency in each field, TF_BITS bits per field. */
  packed: number[];
}

const SYNONYM_WEIGHT = 0.6;
const PREFIX_WEIGHT = 0.6;
const TYPO_WEIGHT = [1, 0.75, 0.5];
/** A word inside a compound the catalog uses: "field" in metafield, "sheet" in spreadsheet. */
const COMPOUND_WEIGHT = 0.5;

export class SearchIndex {
  private docs: Array<Doc | undefined> = [];
  private slotOf = new Map<string, number>();
  private postings = new Map<string, Postings>();
  private lenSums: number[];
  private live = 0;
  private dead = 0;
  private sortedVocab: string[] | undefined;
  private sortedReversed: string[] | undefined;
  /** Terms that are camelCase words run together ("additionalField"), indexed with their parts. */
  private joined = new Set<string>();
  private expansionCache = new Map<string, QueryTerm["expansions"]>();
  /** Per slot and field, the field's weight over its length normalisation (see fieldScales). */
  private scaleCache: Float64Array | undefined;

  /** `perDocFrequencies`: keep each document's term frequencies, for `scoreDocuments`. */
  constructor(
    private readonly fields: readonly FieldSpec[],
    private readonly options: { perDocFrequencies?: boolean } = {},
  ) {
    if (fields.length > MAX_FIELDS) throw new Error(`at most ${MAX_FIELDS} fields`);
    this.lenSums = fields.map(() => 0);
  }

  get size(): number {
    return this.live;
  }

  /** Replaced or removed documents still occupying posting lists (until the next compaction). */
  get tombstones(): number {
    return this.dead;
  }

  /** Whether any document has this (stemmed) term. */
  hasTerm(term: string): boolean {
    return this.postings.has(term);
  }

  has(id: string): boolean {
    return this.slotOf.has(id);
  }

  ids(): IterableIterator<string> {
    return this.slotOf.keys();
  }

  /** Add or replace a document; `text` maps field names to their text. */
  upsert(id: string, text: Record<string, string | undefined>): void {
    const values = this.fields.map((f) => text[f.name] ?? "");
    const fingerprint = values.join("\u0000");
    const existing = this.slotOf.get(id);
    if (existing !== undefined) {
      if (this.docs[existing]!.fingerprint === fingerprint) return;
      this.remove(id);
    }
    const slot = this.docs.length;
    const tf = new Map<string, number>();
    const lens = values.map((value, f) => {
      const ts = terms(value, true);
      for (const j of camelJoins(value)) this.joined.add(j);
      for (const t of ts) {
        const cur = tf.get(t) ?? 0;
        if (((cur >> (f * TF_BITS)) & TF_MAX) < TF_MAX) tf.set(t, cur + (1 << (f * TF_BITS)));
      }
      return ts.length;
    });
    for (const [t, packed] of tf) {
      let p = this.postings.get(t);
      if (!p) {
        p = { slots: [], packed: [] };
        this.postings.set(t, p);
        this.sortedVocab = undefined;
        this.sortedReversed = undefined;
        this.expansionCache.clear();
      }
      p.slots.push(slot);
      p.packed.push(packed);
    }
    lens.forEach((l, f) => (this.lenSums[f]! += l));
    this.scaleCache = undefined;
    this.docs.push({ id, lens, terms: [...tf.keys()], fingerprint, ...(this.options.perDocFrequencies ? { tf } : {}) });
    this.slotOf.set(id, slot);
    this.live++;
  }

  remove(id: string): void {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return;
    const doc = this.docs[slot]!;
    doc.lens.forEach((l, f) => (this.lenSums[f]! -= l));
    this.scaleCache = undefined;
    this.docs[slot] = undefined;
    this.slotOf.delete(id);
    this.live--;
    this.dead++;
    // Postings keep the dead slot until compaction; searches skip it.
    if (this.dead > 1000 && this.dead > this.live) this.compact();
  }

  clear(): void {
    this.docs = [];
    this.slotOf.clear();
    this.postings.clear();
    this.lenSums = this.fields.map(() => 0);
    this.live = 0;
    this.dead = 0;
    this.sortedVocab = undefined;
    this.sortedReversed = undefined;
    this.joined.clear();
    this.expansionCache.clear();
    this.scaleCache = undefined;
  }

  /** Rewrite the postings without dead slots. */
  private compact(): void {
    const remap = new Int32Array(this.docs.length).fill(-1);
    const docs: Doc[] = [];
    this.docs.forEach((d, i) => {
      if (d) {
        remap[i] = docs.length;
        docs.push(d);
      }
    });
    for (const [t, p] of this.postings) {
      const slots: number[] = [];
      const packed: number[] = [];
      p.slots.forEach((s, i) => {
        const to = remap[s]!;
        if (to >= 0) {
          slots.push(to);
          packed.push(p.packed[i]!);
        }
      });
      if (slots.length) this.postings.set(t, { slots, packed });
      else this.postings.delete(t);
    }
    this.docs = docs;
    this.slotOf = new Map(docs.map((d, i) => [d.id, i]));
    this.scaleCache = undefined;
    this.dead = 0;
    this.sortedVocab = undefined;
    this.sortedReversed = undefined;
    this.expansionCache.clear();
  }

  /**
   * Per document slot and field, weight / (1 − b + b · length / average length): what a term
   * frequency in that field is multiplied by in BM25F. Worked out once per change of the index
   * rather than per posting of every query.
   */
  private fieldScales(): Float64Array {
    if (this.scaleCache) return this.scaleCache;
    const nf = this.fields.length;
    const avg = this.lenSums.map((s) => Math.max(1, s / Math.max(1, this.live)));
    const out = new Float64Array(this.docs.length * nf);
    this.docs.forEach((doc, slot) => {
      if (!doc) return;
      for (let f = 0; f < nf; f++) {
        const spec = this.fields[f]!;
        out[slot * nf + f] = spec.weight / (1 - spec.b + (spec.b * doc.lens[f]!) / avg[f]!);
      }
    });
    return (this.scaleCache = out);
  }

  /**
   * A query's words with their expansions: the word itself; otherwise (unknown word) vocabulary
   * words it is a prefix of, else within one or two typos; plus synonyms at a lower weight.
   */
  parseQuery(query: string, options: { synonyms?: boolean } = {}): QueryTerm[] {
    const synonyms = options.synonyms ?? true;
    const out: QueryTerm[] = [];
    const seen = new Set<string>();
    for (const word of tokenize(query)) {
      const stemmed = terms(word)[0];
      if (!stemmed || seen.has(stemmed)) continue;
      seen.add(stemmed);
      out.push({ word: stemmed, expansions: this.expand(stemmed, synonyms) });
    }
    return out;
  }

  private expand(term: string, synonyms: boolean): QueryTerm["expansions"] {
    const cacheKey = synonyms ? term : `${term}\u0000literal`;
    const cached = this.expansionCache.get(cacheKey);
    if (cached) return cached;
    const best = new Map<string, number>();
    const add = (t: string, w: number) => {
      if (this.postings.has(t) && w > (best.get(t) ?? 0)) best.set(t, w);
    };
    add(term, 1);
    if (!this.postings.has(term)) {
      for (const t of this.withPrefix(term)) add(t, PREFIX_WEIGHT);
      // A verb we know ("show", "shown") is no typo of a catalog word ("shop").
      if (best.size === 0 && !isIntentWord(term) && !isVerbBase(term)) for (const [t, d] of this.nearWords(term)) add(t, TYPO_WEIGHT[d]!);
    }
    // Not a verb: "list" is no part of "playlist".
    if (!isIntentWord(term)) for (const t of this.compounds(term)) add(t, COMPOUND_WEIGHT);
    if (synonyms) {
      for (const syn of synonymsOf(term)) add(syn, SYNONYM_WEIGHT);
      // A typo'd word's synonyms count too ("mesage" → message → msg).
      if (!this.postings.has(term)) {
        for (const [t, w] of [...best]) for (const syn of synonymsOf(t)) add(syn, w * SYNONYM_WEIGHT);
      }
    }
    const expansions = [...best].map(([t, weight]) => ({ term: t, weight }));
    this.expansionCache.set(cacheKey, expansions);
    return expansions;
  }

  private vocab(): string[] {
    return (this.sortedVocab ??= [...this.postings.keys()].sort());
  }

  /** The vocabulary spelled backwards, sorted: words by their endings. */
  private reversedVocab(): string[] {
    return (this.sortedReversed ??= [...this.postings.keys()].map(reverse).sort());
  }

  /** Vocabulary words that end with `term` after at least four letters of another word. */
  private compounds(term: string): string[] {
    if (term.length < 4 || /\d/.test(term)) return [];
    const vocab = this.reversedVocab();
    const tail = reverse(term);
    let lo = 0;
    let hi = vocab.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (vocab[mid]! < tail) lo = mid + 1;
      else hi = mid;
    }
    const out: string[] = [];
    for (let i = lo; i < vocab.length && vocab[i]!.startsWith(tail) && out.length < 20; i++) {
      const word = reverse(vocab[i]!);
      // A camelCase join ("additionalField") is indexed with its parts already: nothing to add.
      if (word.length - term.length >= 4 && !this.joined.has(word)) out.push(word);
    }
    return out;
  }

  private withPrefix(prefix: string): string[] {
    if (prefix.length < 3) return [];
    const vocab = this.vocab();
    let lo = 0;
    let hi = vocab.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (vocab[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    const out: string[] = [];
    for (let i = lo; i < vocab.length && vocab[i]!.startsWith(prefix) && out.length < 20; i++) out.push(vocab[i]!);
    return out;
  }

  private nearWords(term: string): Array<[string, number]> {
    if (term.length < 4 || /^\d+$/.test(term)) return [];
    const max = term.length >= 7 ? 2 : 1;
    const out: Array<[string, number]> = [];
    for (const t of this.vocab()) {
      if (Math.abs(t.length - term.length) > max) continue;
      const d = editDistance(term, t, max);
      if (d <= max) out.push([t, d]);
    }
    return out;
  }

  /**
   * BM25F: per term, field frequencies are length-normalised per field, weighted and summed into
   * one pseudo-frequency, then saturated once. A document's score for a query word is its best
   * expansion's; the final score is scaled by the share of query words it matched, so documents
   * that answer the whole request beat ones that repeat one word.
   */
  search(query: QueryTerm[] | string, options: { limit?: number; filter?: (id: string) => boolean; unsorted?: boolean } = {}): Hit[] {
    const parsed = typeof query === "string" ? this.parseQuery(query) : query;
    if (parsed.length === 0 || this.live === 0) return [];
    const n = this.docs.length;
    const total = new Float64Array(n);
    const matched = new Uint8Array(n);
    const best = new Float64Array(n);
    const touched: number[] = [];
    const scale = this.fieldScales();
    const nf = this.fields.length;
    // Per slot: 0 not asked yet, 1 allowed, 2 filtered out.
    const allowed = options.filter ? new Uint8Array(n) : undefined;
    const isAllowed = (slot: number): boolean => {
      if (!allowed) return true;
      let ok = allowed[slot]!;
      if (ok === 0) allowed[slot] = ok = options.filter!(this.docs[slot]!.id) ? 1 : 2;
      return ok === 1;
    };
    const idfOf = (df: number) => Math.log(1 + (this.live - df + 0.5) / (df + 0.5));
    for (const q of parsed) {
      touched.length = 0;
      // An expansion never counts for more than the word typed: a rare synonym ("make" for
      // "create") must not outweigh a common literal match.
      const typed = this.postings.get(q.word);
      const cap = typed ? idfOf(typed.slots.length) : Infinity;
      for (const { term, weight, rescore } of q.expansions) {
        const p = this.postings.get(term);
        if (!p) continue;
        const idf = term === q.word ? idfOf(p.slots.length) : Math.min(cap, idfOf(p.slots.length));
        for (let i = 0; i < p.slots.length; i++) {
          const slot = p.slots[i]!;
          if (rescore && total[slot] === 0 && best[slot] === 0) continue;
          if (this.docs[slot] === undefined || !isAllowed(slot)) continue;
          let tf = 0;
          const packed = p.packed[i]!;
          const base = slot * nf;
          for (let f = 0; f < nf; f++) {
            const c = (packed >> (f * TF_BITS)) & TF_MAX;
            if (c !== 0) tf += c * scale[base + f]!;
          }
          const s = weight * idf * ((tf * (K1 + 1)) / (tf + K1));
          if (best[slot] === 0) touched.push(slot);
          if (s > best[slot]!) best[slot] = s;
        }
      }
      for (const slot of touched) {
        total[slot]! += best[slot]!;
        matched[slot]!++;
        best[slot] = 0;
      }
    }
    const hits: Hit[] = [];
    for (let slot = 0; slot < n; slot++) {
      if (total[slot]! <= 0) continue;
      const share = matched[slot]! / parsed.length;
      hits.push({ id: this.docs[slot]!.id, score: total[slot]! * (0.5 + 0.5 * share), matched: matched[slot]! });
    }
    if (options.unsorted) return hits;
    return topK(hits, options.limit ?? hits.length, byScore);
  }

  /**
   * BM25F scores of the given documents only, for re-ranking a few candidates: no posting list is
   * walked, so a field too common to search through cheaply can still order them. A query word
   * counts as typed as well as through its expansions (which may come from another index's
   * vocabulary). Needs `perDocFrequencies`.
   */
  scoreDocuments(query: QueryTerm[], ids: Iterable<string>): Map<string, number> {
    const out = new Map<string, number>();
    if (this.live === 0) return out;
    const avg = this.lenSums.map((s) => Math.max(1, s / Math.max(1, this.live)));
    // Per query word, its terms in this index with their weight × idf, worked out once.
    const words: Array<Array<{ term: string; wIdf: number }>> = [];
    for (const q of query) {
      const list: Array<{ term: string; wIdf: number }> = [];
      for (const { term, weight } of [{ term: q.word, weight: 1 }, ...q.expansions]) {
        const p = this.postings.get(term);
        if (p && !list.some((x) => x.term === term)) list.push({ term, wIdf: weight * Math.log(1 + (this.live - p.slots.length + 0.5) / (p.slots.length + 0.5)) });
      }
      if (list.length) words.push(list);
    }
    if (words.length === 0) return out;
    for (const id of ids) {
      const slot = this.slotOf.get(id);
      const doc = slot === undefined ? undefined : this.docs[slot];
      if (!doc?.tf) continue;
      let total = 0;
      for (const list of words) {
        let best = 0;
        for (const { term, wIdf } of list) {
          const packed = doc.tf.get(term);
          if (packed === undefined) continue;
          let tf = 0;
          for (let f = 0; f < this.fields.length; f++) {
            const c = (packed >> (f * TF_BITS)) & TF_MAX;
            if (c === 0) continue;
            const spec = this.fields[f]!;
            tf += (spec.weight * c) / (1 - spec.b + (spec.b * doc.lens[f]!) / avg[f]!);
          }
          const s = wIdf * ((tf * (K1 + 1)) / (tf + K1));
          if (s > best) best = s;
        }
        total += best;
      }
      if (total > 0) out.set(id, total);
    }
    return out;
  }

  /**
   * Per document, BM25 of each field on its own (the query words' best expansions, each field
   * saturated alone) and of the words as typed only, for the learned re-ranker's features
   * (ranker.ts). Walks the query's posting lists with a binary search per document: the documents
   * are a few candidates.
   */
  fieldScores(query: QueryTerm[], ids: readonly string[]): Map<string, FieldScores> {
    const out = new Map<string, FieldScores>();
    if (this.live === 0) return out;
    const avg = this.lenSums.map((s) => Math.max(1, s / Math.max(1, this.live)));
    const slots: number[] = [];
    const rows: FieldScores[] = [];
    for (const id of ids) {
      const slot = this.slotOf.get(id);
      if (slot === undefined) continue;
      const row = { fields: this.fields.map(() => 0), typed: 0, matched: 0 };
      out.set(id, row);
      slots.push(slot);
      rows.push(row);
    }
    const idfOf = (df: number) => Math.log(1 + (this.live - df + 0.5) / (df + 0.5));
    const best = this.fields.map(() => new Float64Array(slots.length));
    const typedBest = new Float64Array(slots.length);
    for (const q of query) {
      for (const b of best) b.fill(0);
      typedBest.fill(0);
      const typed = this.postings.get(q.word);
      const cap = typed ? idfOf(typed.slots.length) : Infinity;
      for (const { term, weight } of q.expansions) {
        const p = this.postings.get(term);
        if (!p) continue;
        const idf = term === q.word ? idfOf(p.slots.length) : Math.min(cap, idfOf(p.slots.length));
        for (let d = 0; d < slots.length; d++) {
          const i = sortedIndexOf(p.slots, slots[d]!);
          if (i < 0) continue;
          const doc = this.docs[slots[d]!]!;
          const packed = p.packed[i]!;
          let all = 0;
          for (let f = 0; f < this.fields.length; f++) {
            const c = (packed >> (f * TF_BITS)) & TF_MAX;
            if (c === 0) continue;
            const spec = this.fields[f]!;
            const tf = (spec.weight * c) / (1 - spec.b + (spec.b * doc.lens[f]!) / avg[f]!);
            all += tf;
            const s = weight * idf * ((tf * (K1 + 1)) / (tf + K1));
            if (s > best[f]![d]!) best[f]![d] = s;
          }
          if (term === q.word && weight >= 1) {
            const s = idf * ((all * (K1 + 1)) / (all + K1));
            if (s > typedBest[d]!) typedBest[d] = s;
          }
        }
      }
      for (let d = 0; d < slots.length; d++) {
        let any = false;
        for (let f = 0; f < this.fields.length; f++) {
          rows[d]!.fields[f]! += best[f]![d]!;
          if (best[f]![d]! > 0) any = true;
        }
        rows[d]!.typed += typedBest[d]!;
        if (any) rows[d]!.matched++;
      }
    }
    return out;
  }
}

/** Best score first; ties by id, so results never depend on insertion order. */
export function byScore(a: { score: number; id?: string; key?: string }, b: { score: number; id?: string; key?: string }): number {
  const ai = a.id ?? a.key ?? "";
  const bi = b.id ?? b.key ?? "";
  return b.score - a.score || (ai < bi ? -1 : ai > bi ? 1 : 0);
}

/** The k first items in `cmp` order, without sorting all of them (a query can match thousands). */
export function topK<T>(items: T[], k: number, cmp: (a: T, b: T) => number): T[] {
  if (items.length <= k || k > 256) return items.sort(cmp).slice(0, k);
  const out: T[] = [];
  for (const item of items) {
    if (out.length === k && cmp(item, out[k - 1]!) >= 0) continue;
    let lo = 0;
    let hi = out.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmp(out[mid]!, item) <= 0) lo = mid + 1;
      else hi = mid;
    }
    out.splice(lo, 0, item);
    if (out.length > k) out.pop();
  }
  return out;
}

/** Index of `value` in an ascending array, or -1. Posting lists hold slots in ascending order. */
function sortedIndexOf(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid]!;
    if (v === value) return mid;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

function reverse(word: string): string {
  return word.split("").reverse().join("");
}
