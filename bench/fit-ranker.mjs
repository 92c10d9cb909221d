/**
 * Fits the learned re-ranker's weights (src/core/search/ranker.ts, RANKER_WEIGHTS) on the dev set's
 * labelled requests (bench/search-catalog.mjs; never the held-out set, which this script does not
 * read), by pairwise logistic regression: for each request, every answer among the lexical
 * ranking's best candidates should score above every non-answer among them. Features are
 * standardised for the fit; the weights are pulled towards the lexical order (score 1, the rest 0)
 * by an L2 penalty, so a feature moves the order only as far as the data supports.
 *
 * Run: npm run build && node bench/fit-ranker.mjs [--validate] [--l2 X] [--iterations N] [--ascent] [--write]
 *   --validate: fit on dev without its test-v4 part and report test-v4 (the validation fold) and the
 *               rest, beside the lexical order; without it, fit on all of dev.
 *   --ascent:   then coordinate ascent on the training requests' MRR.
 *   --write:    write the fitted weights into src/core/search/ranker.ts (then build again).
 *   --unseen-apps: how much carries to apps no labelled request covered: the apps split in two
 *               halves (alternating by slug); associations and weights fitted on the dev requests
 *               answered within one half, measured on those answered within the other, both ways.
 * The figures printed are those of bench/search-eval.mjs for the same requests (recall@1, recall@5,
 * MRR over the top 50), computed on the candidates directly.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CatalogSearch } from "../dist/src/core/search/catalog-search.js";
import { associationTargets, associationWords, RANKER_FEATURES, rankerScore } from "../dist/src/core/search/ranker.js";
import { ACTION_DEFINITIONS, APP_INFOS, DEV_ORIGINS, QUERIES } from "./search-catalog.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const flag = (name) => process.argv.includes(`--${name}`);
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const VALIDATION_ORIGIN = "test-v4";
const L2 = arg("l2", 0.01);
const ITERATIONS = arg("iterations", 500);
const ASCENT = flag("ascent");
/** Non-answers paired with the answers: those among the lexical ranking's first PAIR_DEPTH. */
const PAIR_DEPTH = arg("pair-depth", 30);
/** Learned associations: pairs seen in fewer requests are dropped; folds of the cross-fitting (0: no associations). */
const MIN_PAIR = arg("min-pair", 2);
const FOLDS = arg("folds", 5);
const useAssociations = FOLDS > 0;

const search = new CatalogSearch();
for (const a of ACTION_DEFINITIONS) search.upsertAction(a);
for (const a of APP_INFOS) search.upsertApp(a);
const nameOf = new Map(ACTION_DEFINITIONS.map((a) => [a.key, a.name]));

/**
 * Request word → action-name word associations from labelled requests: pointwise mutual
 * information of a request word and a word of an answer's name, over requests, kept when the pair
 * occurs in at least MIN_PAIR requests and the information is positive.
 */
function learnAssociations(queries) {
  const n = queries.length;
  const nw = new Map();
  const nt = new Map();
  const nwt = new Map();
  for (const q of queries) {
    const words = associationWords(q.query);
    const targets = new Set(q.relevant.flatMap((k) => associationTargets(nameOf.get(k) ?? "")));
    for (const t of targets) nt.set(t, (nt.get(t) ?? 0) + 1);
    for (const w of words) {
      nw.set(w, (nw.get(w) ?? 0) + 1);
      let row = nwt.get(w);
      if (!row) nwt.set(w, (row = new Map()));
      for (const t of targets) if (t !== w) row.set(t, (row.get(t) ?? 0) + 1);
    }
  }
  const table = new Map();
  for (const [w, row] of nwt) {
    const out = new Map();
    for (const [t, c] of row) {
      if (c < MIN_PAIR) continue;
      const pmi = Math.log((c * n) / (nw.get(w) * nt.get(t)));
      if (pmi > 0) out.set(t, Number(pmi.toFixed(2)));
    }
    if (out.size) table.set(w, out);
  }
  return table;
}

/** Each request's candidates, its `associated` feature from a table learned without it (cross-fitting, FOLDS folds). */
function crossFitted(queries) {
  const out = new Array(queries.length);
  for (let k = 0; k < FOLDS; k++) {
    search.setAssociations(learnAssociations(queries.filter((_, i) => i % FOLDS !== k)));
    queries.forEach((q, i) => {
      if (i % FOLDS === k) out[i] = candidatesOf(q);
    });
  }
  return out;
}

function candidatesOf(q) {
  return { q, candidates: search.rankerCandidates(q.query, { ...(q.app ? { app: q.app } : {}), depth: 50 }) };
}

const identity = Object.fromEntries(RANKER_FEATURES.map((f) => [f, f === "score" ? 1 : 0]));

/** The request's keys in the order the weights give (the featured candidates re-ordered, the rest after). */
function order(row, weights) {
  const featured = row.candidates.filter((c) => c.features);
  const rest = row.candidates.filter((c) => !c.features);
  const scored = featured.map((c, i) => ({ key: c.key, i, s: rankerScore(c.features, weights) }));
  scored.sort((a, b) => b.s - a.s || a.i - b.i);
  return [...scored.map((c) => c.key), ...rest.map((c) => c.key)];
}

function metrics(subset, weights) {
  let r1 = 0;
  let r5 = 0;
  let mrr = 0;
  for (const row of subset) {
    const keys = order(row, weights);
    const rel = row.q.relevant;
    if (rel.includes(keys[0])) r1++;
    const top5 = keys.slice(0, 5);
    r5 += rel.filter((k) => top5.includes(k)).length / Math.min(5, rel.length);
    const first = keys.findIndex((k) => rel.includes(k));
    if (first >= 0) mrr += 1 / (first + 1);
  }
  const n = subset.length || 1;
  return { n: subset.length, r1: r1 / n, r5: r5 / n, mrr: mrr / n };
}

function fit(train) {
  const d = RANKER_FEATURES.length;
  const all = train.flatMap((row) => row.candidates.filter((c) => c.features).map((c) => c.features));
  const mean = new Array(d).fill(0);
  const std = new Array(d).fill(0);
  for (const x of all) for (let j = 0; j < d; j++) mean[j] += x[j] / all.length;
  for (const x of all) for (let j = 0; j < d; j++) std[j] += (x[j] - mean[j]) ** 2 / all.length;
  for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j]) || 1;
  // Per request, the differences (answer − non-answer) of standardised features, each request weighing the same.
  const pairs = [];
  for (const row of train) {
    const featured = row.candidates.filter((c) => c.features);
    const rel = featured.filter((c) => row.q.relevant.includes(c.key));
    const non = featured.filter((c, i) => i < PAIR_DEPTH && !row.q.relevant.includes(c.key));
    if (!rel.length || !non.length) continue;
    const w = 1 / (rel.length * non.length);
    for (const r of rel) for (const n of non) pairs.push({ diff: r.features.map((v, j) => (v - n.features[j]) / std[j]), w });
  }
  const requests = new Set(train.filter((row) => row.candidates.some((c) => c.features && row.q.relevant.includes(c.key)))).size || 1;
  const prior = RANKER_FEATURES.map((f) => identity[f] * std[RANKER_FEATURES.indexOf(f)]);
  const w = prior.slice();
  // Adam on the mean pairwise logistic loss plus L2 towards the lexical order.
  const m = new Array(d).fill(0);
  const v = new Array(d).fill(0);
  const lr = 0.02;
  for (let t = 1; t <= ITERATIONS; t++) {
    const g = w.map((wj, j) => L2 * (wj - prior[j]));
    for (const { diff, w: pw } of pairs) {
      let z = 0;
      for (let j = 0; j < d; j++) z += w[j] * diff[j];
      const s = (-pw / requests) / (1 + Math.exp(z));
      for (let j = 0; j < d; j++) g[j] += s * diff[j];
    }
    for (let j = 0; j < d; j++) {
      m[j] = 0.9 * m[j] + 0.1 * g[j];
      v[j] = 0.999 * v[j] + 0.001 * g[j] * g[j];
      w[j] -= (lr * (m[j] / (1 - 0.9 ** t))) / (Math.sqrt(v[j] / (1 - 0.999 ** t)) + 1e-8);
    }
  }
  // Back to the features' own scale; rounded so the committed constants read plainly.
  const fitted = Object.fromEntries(RANKER_FEATURES.map((f, j) => [f, Number((w[j] / std[j]).toPrecision(4))]));
  return ASCENT ? ascend(train, fitted, std) : fitted;
}

/**
 * Coordinate ascent on the training requests' MRR from the regression's weights: each weight in
 * turn moves by a few steps of its feature's spread, kept when MRR rises, until no move helps.
 */
function ascend(train, start, std) {
  const w = { ...start };
  let best = metrics(train, w).mrr;
  for (let round = 0; round < 10; round++) {
    let improved = false;
    for (const [j, f] of RANKER_FEATURES.entries()) {
      if (f === "score") continue;
      for (const step of [-1, -0.5, -0.25, 0.25, 0.5, 1]) {
        const trial = { ...w, [f]: Number((w[f] + step / std[j]).toPrecision(4)) };
        const m = metrics(train, trial).mrr;
        if (m > best + 1e-9) {
          best = m;
          Object.assign(w, trial);
          improved = true;
        }
      }
    }
    if (!improved) break;
  }
  return w;
}

const f3 = (x) => x.toFixed(3);
const show = (label, s) => console.log(`${label.padEnd(34)} n=${String(s.n).padStart(4)}  recall@1 ${f3(s.r1)}  recall@5 ${f3(s.r5)}  MRR ${f3(s.mrr)}`);

if (flag("unseen-apps")) {
  const slugs = APP_INFOS.map((a) => a.slug).sort();
  const appOf = new Map(ACTION_DEFINITIONS.map((a) => [a.key, a.key.split("-")[0]]));
  const halfOf = (q) => {
    const halves = new Set(q.relevant.map((k) => slugs.indexOf(appOf.get(k)) % 2));
    return halves.size === 1 ? [...halves][0] : undefined;
  };
  const total = { lexical: { n: 0, r1: 0, r5: 0, mrr: 0 }, learned: { n: 0, r1: 0, r5: 0, mrr: 0 } };
  for (const half of [0, 1]) {
    const trainQueries = QUERIES.filter((q) => halfOf(q) === half);
    const train = useAssociations ? crossFitted(trainQueries) : trainQueries.map(candidatesOf);
    search.setAssociations(useAssociations ? learnAssociations(trainQueries) : new Map());
    const test = QUERIES.filter((q) => halfOf(q) === 1 - half).map(candidatesOf);
    const weights = fit(train);
    for (const [label, w] of [["lexical", identity], ["learned", weights]]) {
      const m = metrics(test, w);
      show(`apps of half ${1 - half} (fitted on half ${half}), ${label}`, m);
      for (const k of ["r1", "r5", "mrr"]) total[label][k] += m[k] * m.n;
      total[label].n += m.n;
    }
  }
  for (const label of ["lexical", "learned"]) {
    const t = total[label];
    show(`unseen apps, both halves, ${label}`, { n: t.n, r1: t.r1 / t.n, r5: t.r5 / t.n, mrr: t.mrr / t.n });
  }
} else if (flag("validate")) {
  const trainQueries = QUERIES.filter((q) => q.origin !== VALIDATION_ORIGIN);
  const train = useAssociations ? crossFitted(trainQueries) : trainQueries.map(candidatesOf);
  search.setAssociations(useAssociations ? learnAssociations(trainQueries) : new Map());
  const valid = QUERIES.filter((q) => q.origin === VALIDATION_ORIGIN).map(candidatesOf);
  const rows = [...train, ...valid];
  const weights = fit(train);
  console.log(`fitted on dev without ${VALIDATION_ORIGIN} (${train.length} requests), l2 ${L2}:`, JSON.stringify(weights));
  for (const [label, subset] of [[`validation (${VALIDATION_ORIGIN})`, valid], ["training (rest of dev)", train]]) {
    show(`${label}, lexical`, metrics(subset, identity));
    show(`${label}, learned`, metrics(subset, weights));
  }
  for (const origin of DEV_ORIGINS) {
    const subset = rows.filter((r) => r.q.origin === origin);
    console.log(`  origin ${origin ?? "first dev"}: lexical ${f3(metrics(subset, identity).r1)} / ${f3(metrics(subset, identity).r5)}, learned ${f3(metrics(subset, weights).r1)} / ${f3(metrics(subset, weights).r5)}`);
  }
} else {
  const rows = useAssociations ? crossFitted(QUERIES) : QUERIES.map(candidatesOf);
  const table = useAssociations ? learnAssociations(QUERIES) : new Map();
  const weights = fit(rows);
  console.log(`fitted on all of dev (${rows.length} requests), l2 ${L2}:`, JSON.stringify(weights));
  show("dev, lexical", metrics(rows, identity));
  show("dev, learned", metrics(rows, weights));
  for (const origin of DEV_ORIGINS) {
    const subset = rows.filter((r) => r.q.origin === origin);
    show(`  origin ${origin ?? "first dev"}, learned`, metrics(subset, weights));
  }
  if (flag("write")) {
    const path = join(here, "..", "src", "core", "search", "ranker.ts");
    const src = readFileSync(path, "utf8");
    const body = RANKER_FEATURES.map((f) => `  ${f}: ${weights[f]},`).join("\n");
    const pattern = /(export const RANKER_WEIGHTS[^=]*= \{\n)[\s\S]*?(\n\};)/;
    if (!pattern.test(src)) throw new Error(`${path}: RANKER_WEIGHTS not found`);
    const next = src.replace(pattern, `$1${body}$2`);
    writeFileSync(path, next);
    const text = [...table].sort(([a], [b]) => (a < b ? -1 : 1)).map(([w, row]) => `${w}:${[...row].map(([t, v]) => `${t}=${v}`).join(",")}`).join(";");
    const assocPath = join(here, "..", "src", "core", "search", "ranker-associations.ts");
    const assocSrc = readFileSync(assocPath, "utf8");
    writeFileSync(assocPath, assocSrc.replace(/export const RANKER_ASSOCIATIONS_TEXT = [\s\S]*$/, `export const RANKER_ASSOCIATIONS_TEXT =\n  ${JSON.stringify(text)};\n`));
    console.log(`wrote ${path} and ${assocPath} (${table.size} request words)`);
  }
}
