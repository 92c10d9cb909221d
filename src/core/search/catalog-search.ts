/**
 * Ranked search over the cached catalog: actions by what they do, apps by name.
 *
 * An action's score is its own BM25F text score (name, key, app slug, description, prop names
 * and labels; the request's words expanded by hand-written synonyms and by WordNet's, see
 * wordnet.ts) plus a boost when the query names its app ("…in slack", "gogle sheets"), found by
 * searching app slugs and names only. Apps are ranked by their own text (slug, name, categories,
 * description) blended with how well their actions matched.
 */
import type { ActionDefinition, AppInfo } from "../../providers/provider.js";
import { actionAppSlug } from "../../store/catalog-cache.js";
import { byScore, SearchIndex, topK, type FieldSpec, type Hit, type QueryTerm } from "./bm25.js";
import { actionIntent, intentOfWord, isIntentWord, INTENT_MARKERS, INTENT_VERBS, phraseSynonyms, plainDescription, queryIntent, stem, STOPWORDS, terms, tokenize, withEntityKinds, type Intent, type Lexicon } from "./text.js";
import { associationScore, associationTargets, associationWords, hasIdentifier, isQuestion, rankerAssociations, RANKER_FEATURES, type Associations, RANKER_WEIGHTS, rankerScore, type RankerFeature } from "./ranker.js";
import { WordNet, wordnetDictDir } from "./wordnet.js";

const ACTION_FIELDS: FieldSpec[] = [
  { name: "name", weight: 3, b: 0.3 },
  // Initials of the name's word runs ("Purchase Order" → po), for requests that abbreviate.
  { name: "initials", weight: 1.5, b: 0 },
  { name: "key", weight: 1.5, b: 0.3 },
  { name: "app", weight: 1.5, b: 0 },
  // What the action does in its authors' words: measured on dev from 1 to 4, 2.5 was best
  // (+0.013 recall@1; most on test-v2, whose requests avoid the actions' names).
  { name: "description", weight: 2.5, b: 0.75 },
  { name: "props", weight: 0.4, b: 0.75 },
];

const ACTION_FIELD_INDEX = new Map(ACTION_FIELDS.map((f, i) => [f.name, i]));

/**
 * What the action's inputs are for, in its authors' words ("Metafields are custom fields…"). Long
 * and full of common words: searching through it would double the posting lists a query walks
 * (bench/search.mjs), so it only re-orders the best candidates the other fields found.
 */
const PROP_DESCRIPTION_FIELDS: FieldSpec[] = [{ name: "text", weight: 1, b: 0.75 }];

const APP_FIELDS: FieldSpec[] = [
  { name: "slug", weight: 3, b: 0 },
  { name: "name", weight: 3, b: 0.3 },
  // Initials of the name's word runs ("Purchase Order" → po), for requests that abbreviate.
  { name: "initials", weight: 1.5, b: 0 },
  { name: "categories", weight: 1, b: 0.3 },
  { name: "description", weight: 0.5, b: 0.75 },
];

/** How much naming an app counts, relative to the best action's own text score. */
const APP_MENTION_BOOST = 0.5;
/** Score factor for an action whose verb has the request's intent, and for one with another intent. */
const INTENT_MATCH = 1.3;
const INTENT_MISMATCH = 0.75;
/** Score factor per unit of how well the app's own description answers the request (0..1). */
const APP_TEXT_BOOST = 0.3;
/** Weight of the verbs an intent's actions are named with, added to the verb typed. */
const VERB_WEIGHT = 0.6;
/** How many of the best candidates prop descriptions re-order, and how much they add to a score. */
const PROP_DESCRIPTION_CANDIDATES = 100;
const PROP_DESCRIPTION_WEIGHT = 0.15;
/** Weight of what a phrase means ("money back" → refund), as for a synonym. */
const PHRASE_WEIGHT = 0.6;
/** Weight of a word that mostly says what to do ("new"), as a word to search for. */
const MARKER_WEIGHT = 0.3;
/**
 * Words that name no thing but point at a kind of thing: [the words, what they mean (stems), the
 * weight of that meaning, whether it only adds to actions other words found]. "who" asks about
 * people; "I", "my" about the current user's own ("who am I", "my profile"), which is too common
 * a word to find actions by alone.
 */
const REFERENT_WORDS: Array<[Set<string>, string[], number, boolean]> = [
  [new Set(["who", "whom", "whose"]), ["user", "member", "people", "person", "contact", "customer"].map((w) => stem(w)), 0.5, false],
  [new Set(["i", "me", "my", "myself", "mine"]), [stem("current")], 0.3, true],
];
/** How many of the best candidates the re-ranker re-orders, and how much name coverage counts. */
const RERANK_CANDIDATES = 30;
const NAME_COVERAGE_WEIGHT = 0.3;
/** Score factor per share of the name's words typed in the same form ("projects", not "project"). */
const SAME_FORM_WEIGHT = 0.1;
/** How many of the lexical ranking's best candidates the learned re-ranker (ranker.ts) re-orders. */
const LEARNED_CANDIDATES = 30;
/**
 * A request word's strongest learned associations (ranker.ts) also find actions: its first
 * ASSOCIATION_TARGETS name words, at this weight. Measured on the test-v4 fold (table learned
 * without it): 0.2–0.6 and 2–8 targets tried, 0.4 and 5 best (docs/measurements.md).
 */
const ASSOCIATION_EXPANSION = 0.4;
const ASSOCIATION_TARGETS = 5;
/** In app ranking: share of the app's own text vs. the evidence of its matching actions. */
const APP_TEXT_SHARE = 0.6;

/**
 * WordNet's expansions of a request's words, below the words typed (hand-written synonyms count
 * 0.6): other words of the word's two most frequent senses ("nation" → country), and its
 * derivationally related forms ("cancellation" → cancel). Measured on dev and dropped: broader
 * terms (hypernyms: too general, "jacket" → garment, "promos" → message), phrases as expansions,
 * a third sense.
 */
const WORDNET_SYNONYM_WEIGHT = 0.5;
const WORDNET_DERIVED_WEIGHT = 0.5;
/** In reading a phrasal verb's intent, how much its broader verbs vote beside its synonyms. */
const WORDNET_BROADER_VOTE = 0.5;

/** WordNet, opened on the first query that asks (null when the package is missing), shared by every index. */
let wordnet: WordNet | null | undefined;
function sharedWordNet(): WordNet | undefined {
  if (wordnet === undefined) {
    const dir = wordnetDictDir();
    wordnet = dir ? new WordNet(dir, { senses: 2 }) : null;
  }
  return wordnet ?? undefined;
}

/**
 * The intent of a phrasal verb WordNet knows ("call off" → cancel → delete; "kick off" → start,
 * set up → create): its synonyms' intents and, at a lower vote, its broader verbs'; none on a tie.
 */
function phrasalVerbIntent(phrase: string): Intent | undefined {
  const wn = sharedWordNet();
  if (!wn) return undefined;
  const related = wn.related(phrase, ["v"]);
  const votes = new Map<Intent, number>();
  for (const [lemmas, weight] of [[related.synonyms, 1], [related.broader, WORDNET_BROADER_VOTE]] as const) {
    for (const lemma of lemmas) {
      const intent = intentOfWord(lemma);
      if (intent) votes.set(intent, (votes.get(intent) ?? 0) + weight);
    }
  }
  let best: Intent | undefined;
  let top = 0;
  let tie = false;
  for (const [intent, v] of votes) {
    if (v > top) [best, top, tie] = [intent, v, false];
    else if (v === top) tie = true;
  }
  return tie ? undefined : best;
}

const WORDNET_LEXICON: Lexicon = {
  phrasalVerb: phrasalVerbIntent,
  has: (word) => {
    const wn = sharedWordNet();
    return wn ? (["n", "v", "a", "r"] as const).some((pos) => wn.hasLemma(word, pos)) : false;
  },
};

/** `google_sheets` → "google sheets googlesheets": the words and the run-together form people type. */
function slugText(slug: string): string {
  return `${slug.replace(/_/g, " ")} ${slug.replace(/_/g, "")}`;
}

function propsText(action: ActionDefinition): string {
  const parts: string[] = [];
  for (const p of action.props) {
    if (p.type === "app" || p.hidden || p.type === "alert") continue;
    parts.push(p.name);
    if (p.label) parts.push(p.label);
  }
  return parts.join(" ");
}

function initials(name: string): string {
  const words = tokenize(name);
  const out: string[] = [];
  for (let n = 2; n <= 3; n++) for (let i = 0; i + n <= words.length; i++) out.push(words.slice(i, i + n).map((w) => w[0]).join(""));
  return out.join(" ");
}

function propDescriptionsText(action: ActionDefinition): string {
  const parts: string[] = [];
  for (const p of action.props) {
    if (p.type === "app" || p.hidden || p.type === "alert" || typeof p.description !== "string") continue;
    parts.push(plainDescription(p.description));
  }
  return parts.join(" ");
}

/**
 * What an action's name says it acts on: its words after its verb, without its app's words, as
 * typed (lower-case) and as terms. "Slack - Send Messages" → {words: [messages], terms: [messag]}.
 */
interface NameObject {
  words: string[];
  terms: string[];
  /** The head noun: the last term before a preposition ("Send Message to Channel" → messag). */
  head?: string;
  /** The head noun as written is plural ("List Projects"). */
  plural?: boolean;
  /** The verb the name starts with, as a term ("Send Message" → send). */
  verb?: string;
}

/** Words that end a name's object phrase: what follows says where or what about. */
const NAME_PREPOSITIONS = new Set(["to", "in", "into", "from", "for", "by", "with", "on", "of", "at", "as", "onto", "via", "using"]);

function nameObject(name: string, app: string): NameObject {
  const title = name.includes(" - ") ? name.slice(name.lastIndexOf(" - ") + 3) : name;
  const all = tokenize(title);
  const first = all[0];
  const rest = first !== undefined && actionIntent(first, "") ? all.slice(1) : all;
  const appWords = new Set(terms(app.replace(/_/g, " ")));
  const words: string[] = [];
  const out = new Set<string>();
  let head: string | undefined;
  let headWord: string | undefined;
  let inHead = true;
  for (const w of rest) {
    if (NAME_PREPOSITIONS.has(w) && head !== undefined) inHead = false;
    const t = terms(w)[0];
    if (t === undefined || appWords.has(t)) continue;
    words.push(w);
    out.add(t);
    if (inHead) [head, headWord] = [t, w];
  }
  const verb = rest.length < all.length && first !== undefined ? stem(first) : undefined;
  return {
    words,
    terms: [...out],
    ...(head !== undefined ? { head, plural: headWord!.length > 3 && headWord!.endsWith("s") && !/(ss|us|is)$/.test(headWord!) } : {}),
    ...(verb !== undefined ? { verb } : {}),
  };
}

/** +1 when a request types the head noun in the number the name has it, −1 in the other, 0 when not typed. */
function typedNumber(typed: Set<string>, head: string, plural: boolean): number {
  let sameNumber = false;
  let otherNumber = false;
  for (const w of typed) {
    if (terms(w)[0] !== head) continue;
    const p = w.length > 3 && w.endsWith("s") && !/(ss|us|is)$/.test(w);
    if (p === plural) sameNumber = true;
    else otherNumber = true;
  }
  return sameNumber ? 1 : otherNumber ? -1 : 0;
}

export interface RankedAction {
  key: string;
  score: number;
}

/** A request's lexical ranking, with what the learned re-ranker's features are computed from. */
interface LexicalRanking {
  query: string;
  /** Every action the request matched, with its text score (plus app mention), in no order. */
  ranked: RankedAction[];
  intent: Intent | undefined;
  parsed: QueryTerm[];
  text: string;
  mentions: Map<string, number>;
  described: Map<string, number>;
  propDescriptions: Map<string, number>;
  cover: RequestCover;
}

/** What a request covers of action names: each term's best expansion weight, and the words as typed. */
interface RequestCover {
  weightOf: Map<string, number>;
  typed: Set<string>;
}

function requestCover(parsed: QueryTerm[], text: string): RequestCover {
  const weightOf = new Map<string, number>();
  for (const q of parsed) for (const e of q.expansions) if (e.weight > (weightOf.get(e.term) ?? 0)) weightOf.set(e.term, e.weight);
  return { weightOf, typed: new Set(tokenize(text)) };
}

export interface RankedApp {
  slug: string;
  score: number;
}

export class CatalogSearch {
  private readonly actions = new SearchIndex(ACTION_FIELDS);
  private readonly propDescriptions = new SearchIndex(PROP_DESCRIPTION_FIELDS, { perDocFrequencies: true });
  private readonly apps = new SearchIndex(APP_FIELDS);
  /** Slug, name and categories ("crm"): what a query uses to name an app or a kind of app. */
  private readonly appMentions = new SearchIndex(APP_FIELDS.slice(0, 3));
  private readonly appOfAction = new Map<string, string>();
  private readonly intentOfAction = new Map<string, Intent>();
  /** What an action's name says it acts on: its name's terms without its verb ("Delete Playlist Items" → playlist, item). */
  private readonly objectOfAction = new Map<string, NameObject>();
  private readonly actionsOfApp = new Map<string, Set<string>>();
  /** The words of the action's name that learned associations point at (ranker.ts). */
  private readonly targetsOfAction = new Map<string, string[]>();
  /** The learned associations: the fitted ones unless setAssociations replaced them (read on first use). */
  private associationsSet: Associations | undefined;
  private get associations(): Associations {
    return (this.associationsSet ??= rankerAssociations());
  }
  /** Per request word, its strongest associations' targets, worked out once. */
  private readonly associationTargets = new Map<string, string[]>();
  /** The action's readOnlyHint, when its provider says. */
  private readonly readOnlyOfAction = new Map<string, boolean>();

  get actionCount(): number {
    return this.actions.size;
  }

  get appCount(): number {
    return this.apps.size;
  }

  hasAction(key: string): boolean {
    return this.actions.has(key);
  }

  upsertAction(action: ActionDefinition): void {
    const app = actionAppSlug(action);
    const prefix = `${app}-`;
    const keyWords = (action.key.startsWith(prefix) ? action.key.slice(prefix.length) : action.key).replace(/[-_]/g, " ");
    this.actions.upsert(action.key, {
      name: action.name,
      initials: initials(action.name),
      key: keyWords,
      app: slugText(app),
      description: plainDescription(action.description),
      props: propsText(action),
    });
    this.propDescriptions.upsert(action.key, { text: propDescriptionsText(action) });
    const intent = actionIntent(action.name, keyWords);
    if (intent) this.intentOfAction.set(action.key, intent);
    else this.intentOfAction.delete(action.key);
    this.objectOfAction.set(action.key, nameObject(action.name, app));
    this.targetsOfAction.set(action.key, associationTargets(action.name));
    if (action.annotations?.readOnlyHint !== undefined) this.readOnlyOfAction.set(action.key, action.annotations.readOnlyHint);
    else this.readOnlyOfAction.delete(action.key);
    const previous = this.appOfAction.get(action.key);
    if (previous !== undefined && previous !== app) this.actionsOfApp.get(previous)?.delete(action.key);
    this.appOfAction.set(action.key, app);
    let set = this.actionsOfApp.get(app);
    if (!set) this.actionsOfApp.set(app, (set = new Set()));
    set.add(action.key);
  }

  removeAction(key: string): void {
    this.actions.remove(key);
    this.propDescriptions.remove(key);
    const app = this.appOfAction.get(key);
    if (app !== undefined) this.actionsOfApp.get(app)?.delete(key);
    this.appOfAction.delete(key);
    this.intentOfAction.delete(key);
    this.objectOfAction.delete(key);
    this.readOnlyOfAction.delete(key);
    this.targetsOfAction.delete(key);
  }

  upsertApp(app: AppInfo): void {
    const text = { slug: slugText(app.slug), name: app.name, categories: (app.categories ?? []).join(" "), description: app.description ?? "" };
    this.apps.upsert(app.slug, text);
    this.appMentions.upsert(app.slug, text);
  }

  removeApp(slug: string): void {
    this.apps.remove(slug);
    this.appMentions.remove(slug);
  }

  clear(): void {
    this.actions.clear();
    this.propDescriptions.clear();
    this.apps.clear();
    this.appMentions.clear();
    this.appOfAction.clear();
    this.intentOfAction.clear();
    this.objectOfAction.clear();
    this.readOnlyOfAction.clear();
    this.targetsOfAction.clear();
    this.actionsOfApp.clear();
  }

  appOf(key: string): string | undefined {
    return this.appOfAction.get(key);
  }

  /** Keys of the indexed actions of one app. */
  keysOfApp(app: string): string[] {
    return [...(this.actionsOfApp.get(app) ?? [])];
  }

  allKeys(): string[] {
    return [...this.actions.ids()];
  }

  /** Apps the query names, with a 0..1 strength (1 = the best-named app). */
  private mentionedApps(query: string): Map<string, number> {
    // Literal words only (typos allowed): "open an issue" must not name OpenAI through a synonym.
    const hits = this.appMentions.search(this.appMentions.parseQuery(query, { synonyms: false }), { limit: 10 });
    const top = hits[0]?.score ?? 0;
    const out = new Map<string, number>();
    for (const h of hits) if (top > 0) out.set(h.id, h.score / top);
    return out;
  }

  /** Apps whose own text (name, categories, description) answers the query, 0..1 (1 = the best). */
  private describedApps(query: string): Map<string, number> {
    const hits = this.apps.search(this.apps.parseQuery(query, { synonyms: false }), { limit: 5 });
    const top = hits[0]?.score ?? 0;
    return new Map(top > 0 ? hits.map((h) => [h.id, h.score / top]) : []);
  }

  private intentFactor(key: string, intent: Intent | undefined): number {
    if (!intent) return 1;
    const own = this.intentOfAction.get(key);
    if (own === undefined) return 1;
    if (own === intent) return INTENT_MATCH;
    // Posting is creating content: "post on LinkedIn" is "Create a Simple Post".
    if ((own === "create" && intent === "send") || (own === "send" && intent === "create")) return 1;
    return INTENT_MISMATCH;
  }

  /**
   * The query's terms, plus what the intent's verbs and acronyms add: the typed verb also finds
   * the verbs actions of its intent are named with ("look up" → find, search…), and the initials
   * of a run of words find an acronym the catalog uses ("request for information" → RFI).
   */
  private queryTerms(text: string, intent: Intent | undefined, verb: string | undefined): QueryTerm[] {
    const parsed = this.actions.parseQuery(text);
    for (const q of parsed) {
      if (q.word !== verb && INTENT_MARKERS.has(q.word)) q.expansions = q.expansions.map((e) => ({ ...e, weight: e.weight * MARKER_WEIGHT }));
    }
    if (intent) {
      const verbs = INTENT_VERBS[intent].map((v) => stem(v)).filter((v) => this.actions.hasTerm(v));
      const term = verb !== undefined ? parsed.find((q) => q.word === verb) : undefined;
      // The intent's verbs only add to actions the request's other words found (they are in most
      // action names: finding by them alone would make every query touch most of the catalog),
      // unless the verb is all there is.
      const rescore = parsed.length > 1 || (parsed.length === 1 && !term);
      if (term) {
        // A copy: the index caches a word's expansions, and the verbs added are this query's.
        term.expansions = [...term.expansions];
        const have = new Set(term.expansions.map((e) => e.term));
        for (const v of verbs) if (!have.has(v)) term.expansions.push({ term: v, weight: VERB_WEIGHT, rescore });
        // Last, so that the other words have found their actions first.
        parsed.splice(parsed.indexOf(term), 1);
        parsed.push(term);
      } else if (verb === undefined && verbs.length) {
        parsed.push({ word: verbs[0]!, expansions: verbs.map((v) => ({ term: v, weight: VERB_WEIGHT, rescore })) });
      }
    }
    const words = tokenize(text);
    this.addWordNet(parsed, words);
    this.addAssociations(parsed);
    // Question words and the self ask about kinds of things: "who" about people, "my"/"I" about
    // the current user's own ("who am I", "my profile").
    for (const [marker, meant, weight, rescore] of REFERENT_WORDS) {
      if (!words.some((w) => marker.has(w))) continue;
      const expansions = meant.filter((t) => this.actions.hasTerm(t)).map((term) => ({ term, weight, rescore }));
      if (expansions.length && !parsed.some((q) => q.word === expansions[0]!.term)) parsed.push({ word: [...marker][0]!, expansions });
    }
    // Phrases with a meaning of their own: "money back" is a refund.
    for (const { phrase, meaning } of phraseSynonyms(text)) {
      const expansions = meaning.filter((t) => this.actions.hasTerm(t)).map((term) => ({ term, weight: PHRASE_WEIGHT }));
      if (expansions.length) parsed.push({ word: phrase, expansions });
    }
    // Three words or more: two-letter initials are too often a word of their own.
    for (let n = 3; n <= 4; n++) {
      for (let i = 0; i + n <= words.length; i++) {
        const initials = words.slice(i, i + n).map((w) => w[0]).join("");
        if (this.actions.hasTerm(initials) && !parsed.some((q) => q.word === initials)) parsed.push({ word: initials, expansions: [{ term: initials, weight: 1 }] });
      }
    }
    return parsed;
  }

  /**
   * WordNet's synonyms and derived forms of the request's words (as typed, before stemming: WordNet
   * knows words, not stems), where the catalog uses them. A copy of each expansion list: the index
   * caches a word's expansions, and these are the request's.
   */
  /**
   * The name words a request word is learned to go with (its strongest ASSOCIATION_TARGETS, see
   * ranker.ts), as expansions at ASSOCIATION_EXPANSION: they find actions the words typed do not.
   * A copy of each expansion list, as in addWordNet.
   */
  private addAssociations(parsed: QueryTerm[]): void {
    for (const q of parsed) {
      const targets = this.associatedTargets(q.word);
      if (!targets.length) continue;
      const have = new Set(q.expansions.map((e) => e.term));
      // A verb ("add", "get") only adds to actions the request's other words found, as the
      // intent's verbs do (queryTerms), unless the request has no other word ("kill #1042").
      const add = targets
        .filter((t) => !have.has(t) && this.actions.hasTerm(t))
        .map((term) => ({ term, weight: ASSOCIATION_EXPANSION, ...(parsed.length > 1 && isIntentWord(term) ? { rescore: true } : {}) }));
      if (add.length) q.expansions = [...q.expansions, ...add];
    }
  }

  private associatedTargets(word: string): string[] {
    let targets = this.associationTargets.get(word);
    if (!targets) {
      const row = this.associations.get(word);
      targets = row ? [...row].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, ASSOCIATION_TARGETS).map(([t]) => t) : [];
      this.associationTargets.set(word, targets);
    }
    return targets;
  }

  private addWordNet(parsed: QueryTerm[], words: string[]): void {
    const wn = sharedWordNet();
    if (!wn) return;
    const done = new Set<string>();
    for (const word of words) {
      if (word.length < 3 || /\d/.test(word) || STOPWORDS.has(word) || done.has(word)) continue;
      done.add(word);
      const stemmed = terms(word)[0];
      const q = stemmed === undefined ? undefined : parsed.find((p) => p.word === stemmed);
      if (!q) continue;
      const related = wn.related(word);
      const have = new Map(q.expansions.map((e) => [e.term, e.weight]));
      const add = new Map<string, number>();
      for (const [lemmas, weight] of [[related.synonyms, WORDNET_SYNONYM_WEIGHT], [related.derived, WORDNET_DERIVED_WEIGHT]] as const) {
        for (const lemma of lemmas) {
          // A multi-word lemma ("call off") as separate words finds other things: measured, dropped.
          const ts = terms(lemma);
          const t = ts[0];
          if (ts.length !== 1 || t === undefined || t === q.word || !this.actions.hasTerm(t)) continue;
          if ((have.get(t) ?? 0) >= weight || (add.get(t) ?? 0) >= weight) continue;
          add.set(t, weight);
        }
      }
      if (add.size) q.expansions = [...q.expansions.filter((e) => !add.has(e.term)), ...[...add].map(([term, weight]) => ({ term, weight }))];
    }
  }

  /**
   * Actions ranked for `query`, best first, optionally only one app's. Within an app, the app's
   * other actions follow the matching ones (those of the request's intent first), so a request
   * phrased in words none of its actions use still lists them rather than nothing.
   */
  searchActions(query: string, options: { app?: string; limit?: number } = {}): RankedAction[] {
    const lexical = this.lexicalRanking(query, options.app);
    const { ranked, intent } = lexical;
    this.learnedRerank(lexical, RANKER_WEIGHTS);
    const limit = options.limit ?? Infinity;
    const top = topK(ranked, Math.min(limit, ranked.length), byScore);
    if (options.app === undefined || top.length >= limit) return top;
    return [...top, ...this.unmatched(options.app, ranked, intent, limit - top.length)];
  }

  /** An app's actions the request did not match, those of its intent first, then by key. */
  private unmatched(app: string, ranked: RankedAction[], intent: Intent | undefined, limit: number): RankedAction[] {
    const matched = new Set(ranked.map((r) => r.key));
    const rest = [...(this.actionsOfApp.get(app) ?? [])]
      .filter((key) => !matched.has(key))
      .map((key) => ({ key, score: 0, rank: this.intentFactor(key, intent) }))
      .sort((a, b) => b.rank - a.rank || (a.key < b.key ? -1 : 1));
    return rest.slice(0, limit).map(({ key }) => ({ key, score: 0 }));
  }

  /** Replaces the learned associations (bench/fit-ranker.mjs fits them fold by fold). */
  setAssociations(table: Associations): void {
    this.associationsSet = table;
    this.associationTargets.clear();
  }

  /**
   * The learned re-ranker's view of a request, for fitting its weights (bench/fit-ranker.mjs): the
   * lexical ranking's best `depth` keys, and the features (RANKER_FEATURES order) of the first
   * LEARNED_CANDIDATES of them, which are what the re-ranker re-orders.
   */
  rankerCandidates(query: string, options: { app?: string; depth?: number } = {}): Array<{ key: string; features?: number[] }> {
    const lexical = this.lexicalRanking(query, options.app);
    const features = this.candidateFeatures(lexical);
    const depth = options.depth ?? 50;
    const top = topK(lexical.ranked.slice(), depth, byScore);
    if (options.app !== undefined && top.length < depth) top.push(...this.unmatched(options.app, lexical.ranked, lexical.intent, depth - top.length));
    return top.map((r, i) => (i < features.length ? { key: r.key, features: features[i]!.features } : { key: r.key }));
  }

  /** The lexical ranking: BM25F, app mentions, prop descriptions, intent, name coverage. */
  private lexicalRanking(query: string, app: string | undefined): LexicalRanking {
    const { intent, verb, text } = queryIntent(withEntityKinds(query), (term) => this.actions.hasTerm(term), WORDNET_LEXICON);
    const parsed = this.queryTerms(text, intent, verb);
    const filter = app !== undefined ? (key: string) => this.appOfAction.get(key) === app : undefined;
    const hits: Hit[] = parsed.length ? this.actions.search(parsed, { ...(filter ? { filter } : {}), unsorted: true }) : [];
    // No map of every hit (thousands of string keys per request over 10,000 actions): only the
    // actions of apps the request names or describes are looked up.
    const ranked: RankedAction[] = hits.map((h) => ({ key: h.id, score: h.score }));
    let mentions = new Map<string, number>();
    let described = new Map<string, number>();
    if (app === undefined) {
      mentions = this.mentionedApps(text);
      described = this.describedApps(text);
    }
    if (mentions.size || described.size) {
      let best = 0;
      for (const h of hits) if (h.score > best) best = h.score;
      const scale = APP_MENTION_BOOST * (best || 1);
      // A named app's actions gain a share of the best score, matched or not...
      const mentioned = new Map<string, number>();
      for (const [slug, strength] of mentions) {
        for (const key of this.actionsOfApp.get(slug) ?? []) mentioned.set(key, (mentioned.get(key) ?? 0) + scale * strength);
      }
      for (const r of ranked) {
        const boost = mentioned.get(r.key);
        if (boost === undefined) continue;
        r.score += boost;
        mentioned.delete(r.key);
      }
      for (const [key, score] of mentioned) ranked.push({ key, score });
      // ...and a described app's actions that have a score are scaled up.
      const scaled = new Map<string, number>();
      for (const [slug, strength] of described) for (const key of this.actionsOfApp.get(slug) ?? []) scaled.set(key, 1 + APP_TEXT_BOOST * strength);
      if (scaled.size) for (const r of ranked) r.score *= scaled.get(r.key) ?? 1;
    }
    const candidates = topK(ranked.slice(), PROP_DESCRIPTION_CANDIDATES, byScore);
    const propDescriptions = this.propDescriptions.scoreDocuments(parsed, candidates.map((c) => c.key));
    for (const c of candidates) c.score += PROP_DESCRIPTION_WEIGHT * (propDescriptions.get(c.key) ?? 0);
    if (intent) for (const r of ranked) r.score *= this.intentFactor(r.key, intent);
    const cover = requestCover(parsed, text);
    this.rerank(ranked, cover);
    return { query, ranked, intent, parsed, text, mentions, described, propDescriptions, cover };
  }

  /**
   * The features of the lexical ranking's best LEARNED_CANDIDATES candidates, best first (see
   * RANKER_FEATURES for what each means).
   */
  private candidateFeatures(lexical: LexicalRanking): Array<{ candidate: RankedAction; features: number[] }> {
    const { ranked, parsed, intent } = lexical;
    // No copy: the ranking's order does not matter, only its scores.
    const top = topK(ranked, LEARNED_CANDIDATES, byScore);
    if (top.length === 0) return [];
    const fields = this.actions.fieldScores(parsed, top.map((c) => c.key));
    const { weightOf, typed: typedWords } = lexical.cover;
    const question = isQuestion(lexical.query);
    const identifier = hasIdentifier(lexical.query);
    const words = associationWords(lexical.query);
    const writes = intent !== undefined && intent !== "read";
    let textNorm = 0;
    for (const f of fields.values()) textNorm = Math.max(textNorm, f.fields.reduce((a, b) => a + b, 0));
    textNorm ||= 1;
    let propNorm = 0;
    for (const c of top) propNorm = Math.max(propNorm, lexical.propDescriptions.get(c.key) ?? 0);
    propNorm ||= 1;
    const best = top[0]!.score;
    return top.map((c, rank) => {
      const f = fields.get(c.key) ?? { fields: ACTION_FIELDS.map(() => 0), typed: 0, matched: 0 };
      const { object, covered, same } = this.objectCover(c.key, lexical.cover);
      const own = this.intentOfAction.get(c.key);
      const factor = intent ? this.intentFactor(c.key, intent) : 1;
      const readOnly = this.readOnlyOfAction.get(c.key);
      const app = this.appOfAction.get(c.key) ?? "";
      const field = (name: string) => f.fields[ACTION_FIELD_INDEX.get(name)!]! / textNorm;
      const features: Record<RankerFeature, number> = {
        score: best > 0 && c.score > 0 ? Math.max(-5, Math.log(c.score / best)) : -5,
        rank: 1 / (1 + rank),
        name: field("name"),
        initials: field("initials"),
        key: field("key"),
        app: field("app"),
        description: field("description"),
        props: field("props"),
        typed: f.typed / textNorm,
        propDescriptions: (lexical.propDescriptions.get(c.key) ?? 0) / propNorm,
        matched: parsed.length ? f.matched / parsed.length : 0,
        intent: !intent || own === undefined ? 0 : factor > 1 ? 1 : factor < 1 ? -1 : 0,
        object: object?.terms.length ? covered / object.terms.length : 0,
        head: object?.head !== undefined ? (weightOf.get(object.head) ?? 0) : 0,
        sameForm: object?.words.length ? same / object.words.length : 0,
        mention: lexical.mentions.get(app) ?? 0,
        described: lexical.described.get(app) ?? 0,
        questionReadOnly: question && readOnly !== undefined ? (readOnly ? 1 : -1) : 0,
        writeWrites: writes && readOnly !== undefined ? (readOnly ? -1 : 1) : 0,
        nameLength: Math.min(1, (object?.terms.length ?? 0) / 4),
        verb: object?.verb !== undefined ? (weightOf.get(object.verb) ?? 0) : 0,
        number: object?.head === undefined || object.plural === undefined ? 0 : typedNumber(typedWords, object.head, object.plural),
        identifier: identifier && object?.head !== undefined ? (object.plural ? -1 : 1) : 0,
        associated: associationScore(words, this.targetsOfAction.get(c.key) ?? [], this.associations),
      };
      return { candidate: c, features: RANKER_FEATURES.map((name) => features[name]) };
    });
  }

  /**
   * Re-orders the lexical ranking's best candidates by the learned model (ranker.ts). They keep
   * the lexical scores, handed out again in the new order, so scores still fall down the list
   * and a matched action never scores 0 (0 means unmatched, see searchActions).
   */
  private learnedRerank(lexical: LexicalRanking, weights: Readonly<Record<RankerFeature, number>>): void {
    const rows = this.candidateFeatures(lexical);
    if (rows.length < 2) return;
    const scores = rows.map((r) => r.candidate.score);
    const order = rows.map((r) => ({ r, model: rankerScore(r.features, weights) })).sort((a, b) => b.model - a.model || byScore(a.r.candidate, b.r.candidate));
    // Tied lexical scores would let the key decide again: each is kept just below the one before.
    let previous = Infinity;
    order.forEach(({ r }, i) => {
      const s = Math.min(scores[i]!, previous * (1 - 1e-9));
      r.candidate.score = s;
      previous = s;
    });
  }

  /**
   * Re-orders the best candidates by how much of what each action's name says it acts on the
   * request covers: "delete a playlist" prefers Delete Playlist to Delete Playlist Items.
   */
  private rerank(ranked: RankedAction[], cover: RequestCover): void {
    if (ranked.length < 2) return;
    for (const c of topK(ranked.slice(), RERANK_CANDIDATES, byScore)) {
      const { object, covered, same } = this.objectCover(c.key, cover);
      if (!object?.terms.length) continue;
      c.score *= (1 - NAME_COVERAGE_WEIGHT + NAME_COVERAGE_WEIGHT * (covered / object.terms.length)) * (1 + SAME_FORM_WEIGHT * (same / object.words.length));
    }
  }

  /**
   * How much of what the action's name acts on the request covers (each term by its best expansion
   * weight), and how many of those words it typed in the same form ("projects" is List Projects
   * more than Get Project).
   */
  private objectCover(key: string, cover: RequestCover): { object: NameObject | undefined; covered: number; same: number } {
    const object = this.objectOfAction.get(key);
    let covered = 0;
    let same = 0;
    for (const t of object?.terms ?? []) covered += cover.weightOf.get(t) ?? 0;
    for (const w of object?.words ?? []) if (cover.typed.has(w)) same++;
    return { object, covered, same };
  }

  /**
   * Apps for `query`: their own text (0..1 after normalising by the best) blended with the
   * evidence of their actions among `rankedActions` (reciprocal-rank weighted, 0..1).
   */
  searchApps(query: string, rankedActions: RankedAction[], options: { limit?: number; weightOf?: (slug: string) => number } = {}): RankedApp[] {
    const own = this.apps.search(query, { limit: 50 });
    const top = own[0]?.score ?? 0;
    const text = new Map<string, number>(own.map((h) => [h.id, top > 0 ? h.score / top : 0]));
    const evidence = new Map<string, number>();
    rankedActions.slice(0, 20).forEach((a, rank) => {
      const app = this.appOfAction.get(a.key);
      if (app !== undefined) evidence.set(app, (evidence.get(app) ?? 0) + 1 / (rank + 1));
    });
    const maxEvidence = Math.max(0, ...evidence.values());
    const slugs = new Set([...text.keys(), ...evidence.keys()]);
    const ranked: RankedApp[] = [];
    for (const slug of slugs) {
      const e = maxEvidence > 0 ? (evidence.get(slug) ?? 0) / maxEvidence : 0;
      // Popularity only breaks near-ties: at most 1% of the scale.
      const popularity = Math.min(1, Math.max(0, (options.weightOf?.(slug) ?? 0) / 10_000)) * 0.01;
      ranked.push({ slug, score: APP_TEXT_SHARE * (text.get(slug) ?? 0) + (1 - APP_TEXT_SHARE) * e + popularity });
    }
    ranked.sort((a, b) => b.score - a.score || (a.slug < b.slug ? -1 : 1));
    return options.limit !== undefined ? ranked.slice(0, options.limit) : ranked;
  }
}
