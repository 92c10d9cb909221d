/** The ranking pieces: text → terms, the BM25F index, action/app search, slug suggestions. */
import { describe, expect, it } from "vitest";
import { slugSimilarity } from "../../src/core/catalog.js";
import { SearchIndex } from "../../src/core/search/bm25.js";
import { CatalogSearch } from "../../src/core/search/catalog-search.js";
import { associationScore, associationTargets, associationWords, hasIdentifier, isQuestion, parseAssociations, RANKER_FEATURES, RANKER_WEIGHTS, rankerScore } from "../../src/core/search/ranker.js";
import { actionIntent, editDistance, phraseSynonyms, plainDescription, queryIntent, stem, synonymsOf, terms, tokenize, withEntityKinds } from "../../src/core/search/text.js";
import type { ActionDefinition, AppInfo } from "../../src/providers/provider.js";

function action(key: string, name: string, description: string, props: string[] = [], app = key.split("-")[0]!): ActionDefinition {
  return {
    key,
    name,
    version: "1",
    description,
    props: [{ name: app, type: "app", app }, ...props.map((p) => ({ name: p, type: "string", label: p }))],
  };
}

function app(slug: string, name: string, extra: Partial<AppInfo> = {}): AppInfo {
  return { slug, name, customFieldNames: [], ...extra };
}

describe("text", () => {
  it("tokenizes words, splitting camelCase only for documents", () => {
    expect(tokenize("google_sheets-add-single-row")).toEqual(["google", "sheets", "add", "single", "row"]);
    expect(tokenize("sheetId ChatGPT")).toEqual(["sheetid", "chatgpt"]);
    expect(tokenize("sheetId ChatGPT", true)).toEqual(["sheetid", "sheet", "id", "chatgpt", "chat", "gpt"]);
  });

  it("stems word forms together and keeps short stems intact", () => {
    for (const group of [
      ["message", "messages", "messaging"],
      ["create", "created", "creating", "creates"],
      ["add", "added", "adding"],
      ["reply", "replies", "replied"],
      ["run", "running"],
    ]) {
      expect(new Set(group.map(stem)), group.join(",")).toHaveProperty("size", 1);
    }
    expect(stem("status")).toBe("status");
    expect(stem("api")).toBe("api");
  });

  it("drops stop words and one-letter noise", () => {
    expect(terms("Send a message to the channel")).toEqual(["send", "messag", "channel"]);
    expect(terms("a b c 3")).toEqual(["3"]);
  });

  it("has synonyms both ways, and multi-word meanings", () => {
    expect(synonymsOf(stem("todo"))).toContain(stem("task"));
    expect(synonymsOf(stem("task"))).toContain(stem("todo"));
    expect(synonymsOf("dm")).toEqual(expect.arrayContaining(["direct", stem("message")]));
    expect(synonymsOf("zzz")).toEqual([]);
  });

  it("reads a request's intent from its verb: words, phrases, lead-ins, causatives, a terse verb last", () => {
    expect(queryIntent("take down the message I posted by mistake")).toEqual({ intent: "delete", text: "the message i posted by mistake" });
    expect(queryIntent("get rid of a file in slack").intent).toBe("delete");
    expect(queryIntent("draw up a quote for Acme")).toEqual({ intent: "create", text: "a quote for acme" });
    expect(queryIntent("please look up the customer").intent).toBe("read");
    expect(queryIntent("I want to rename the channel")).toMatchObject({ intent: "update", verb: "renam" });
    expect(queryIntent("who is in the ops channel").intent).toBe("read");
    expect(queryIntent("DM my manager").intent).toBe("send");
    expect(queryIntent("write back to the sender").intent).toBe("reply");
    expect(queryIntent("let the on-call person know the server is down").intent).toBe("send");
    expect(queryIntent("get Slack to remind me at 9").intent).toBe("send");
    expect(queryIntent("gitlab issue create").intent).toBe("create");
    // A terse request of up to five words without stop words may have its verb anywhere.
    expect(queryIntent("mysql edit row").intent).toBe("update");
    expect(queryIntent("google drive shared drives list").intent).toBe("read");
    // A verb-like noun later in a longer request is not the verb.
    expect(queryIntent("the proposal file from last week").intent).toBeUndefined();
    // No verb, but things in the plural first or in two words: a listing. A plural after a
    // first word that may be a verb is not.
    expect(queryIntent("comments on the proposal file").intent).toBe("read");
    expect(queryIntent("linear projects").intent).toBe("read");
    expect(queryIntent("label products with tags").intent).toBeUndefined();
    // No verb, but an adjective that says what to do.
    expect(queryIntent("notion new page").intent).toBe("create");
    // A mistyped verb, when the word is none of the catalog's; not a real word one letter off at its start.
    const known = (t: string) => ["take", "tak", "slack"].includes(t);
    expect(queryIntent("sned a slack dm to jordan", known).intent).toBe("send");
    expect(queryIntent("sned a slack dm to jordan").intent).toBeUndefined();
    expect(queryIntent("take a product off the store", known).intent).toBeUndefined();
    // Channel and people handles are names, not words of the request.
    expect(queryIntent("add Priya to the #design channel").text).not.toContain("design");
    // ...but they say what is meant: "#finance" is a channel, "@oncall" a user; "#42" is a number.
    expect(queryIntent("post the weekly numbers in #finance").text).toBe("post the weekly numbers in channel");
    expect(queryIntent("ping @oncall").text).toBe("ping user");
    expect(queryIntent("details of issue #42").text).toBe("details of issue ");
  });

  it("stems irregular verb forms to their base, and phrases find what they mean", () => {
    expect(stem("paid")).toBe(stem("pay"));
    expect(stem("bought")).toBe(stem("buy"));
    expect(terms("the customer paid")).toEqual([stem("customer"), stem("pay")]);
    expect(phraseSynonyms("give them their money back")).toEqual([{ phrase: "money back", meaning: [stem("refund")] }]);
    expect(phraseSynonyms("send back an item")).toEqual([{ phrase: "send back", meaning: [stem("return")] }]);
    expect(phraseSynonyms("back up the money")).toEqual([]);
  });

  it("reads an action's intent from the verb its name starts with", () => {
    expect(actionIntent("Delete Message", "delete message")).toBe("delete");
    expect(actionIntent("DynamoDB - Get Item", "dynamodb get item")).toBe("read");
    expect(actionIntent("Reply to a Message Thread", "reply to a message")).toBe("reply");
    expect(actionIntent("Build and Send a Block Kit Message", "send block kit message")).toBe("create");
    expect(actionIntent("Channel Statistics", "channel statistics")).toBeUndefined();
  });

  it("measures edit distance with transpositions and a cut-off", () => {
    expect(editDistance("slak", "slack", 2)).toBe(1);
    expect(editDistance("gmial", "gmail", 2)).toBe(1);
    expect(editDistance("kitten", "sitting", 3)).toBe(3);
    expect(editDistance("kitten", "sitting", 1)).toBe(2); // gave up: max + 1
  });

  it("reads values as the kind of thing they are: address → email, link → url, file name → file, sum → amount", () => {
    expect(withEntityKinds("mail the summary to board@acme.com")).toBe("mail the summary to email");
    expect(withEntityKinds("scrape https://acme.io/pricing?x=1 now")).toBe("scrape url now");
    expect(withEntityKinds("stick export.csv into Finance")).toBe("stick export.csv into Finance file");
    expect(withEntityKinds("bill Acme $4,500")).toBe("bill Acme $4,500 amount");
    expect(withEntityKinds("250 euros in dollars")).toBe("250 euros in dollars amount");
    // Versions, plain numbers and words are no values of a kind.
    expect(withEntityKinds("release v1.2 of 40 items")).toBe("release v1.2 of 40 items");
  });

  it("strips documentation links and URLs from descriptions", () => {
    expect(plainDescription("Send a message. [See the documentation](https://api.slack.com/x) or [this guide](https://x.y) https://z.w/q").trim()).toBe(
      "Send a message.   or this guide",
    );
  });
});

describe("SearchIndex (BM25F)", () => {
  const fields = [
    { name: "title", weight: 3, b: 0.3 },
    { name: "body", weight: 1, b: 0.75 },
  ];

  it("ranks a title match above a body match, and more matched words above fewer", () => {
    const idx = new SearchIndex(fields);
    idx.upsert("a", { title: "other", body: "send a message to a channel" });
    idx.upsert("b", { title: "send message", body: "something" });
    idx.upsert("c", { title: "send", body: "unrelated" });
    idx.upsert("d", { title: "nothing", body: "nothing" });
    const ids = idx.search("send message").map((h) => h.id);
    expect(ids).toEqual(["b", "a", "c"]);
    expect(idx.search("send message")[0]).toMatchObject({ matched: 2 });
  });

  it("rare words weigh more than common ones", () => {
    const idx = new SearchIndex(fields);
    for (let i = 0; i < 20; i++) idx.upsert(`common${i}`, { title: "create", body: "" });
    idx.upsert("rare", { title: "spreadsheet", body: "" });
    expect(idx.search("create spreadsheet")[0]!.id).toBe("rare");
  });

  it("corrects typos against the vocabulary and completes prefixes", () => {
    const idx = new SearchIndex(fields);
    idx.upsert("slack", { title: "slack send message", body: "" });
    idx.upsert("sheets", { title: "add spreadsheet row", body: "" });
    expect(idx.search("slak mesage")[0]!.id).toBe("slack");
    expect(idx.search("spread")[0]!.id).toBe("sheets");
    expect(idx.search("qqqq")).toEqual([]);
  });

  it("expands synonyms, but never above the word typed", () => {
    const idx = new SearchIndex(fields);
    for (let i = 0; i < 30; i++) idx.upsert(`create${i}`, { title: `create thing${i}`, body: "" });
    idx.upsert("make-call", { title: "make a phone call", body: "" });
    idx.upsert("create-sheet", { title: "create spreadsheet", body: "" });
    const hits = idx.search("create a new spreadsheet");
    expect(hits[0]!.id).toBe("create-sheet");
    // "post" finds "send" through a synonym.
    idx.upsert("send", { title: "send message", body: "" });
    expect(idx.search("post message")[0]!.id).toBe("send");
  });

  it("updates incrementally: unchanged upserts are no-ops, changes replace, removals disappear", () => {
    const idx = new SearchIndex(fields);
    idx.upsert("x", { title: "alpha", body: "" });
    idx.upsert("x", { title: "alpha", body: "" });
    expect(idx.size).toBe(1);
    idx.upsert("x", { title: "beta", body: "" });
    expect(idx.size).toBe(1);
    expect(idx.search("alpha")).toEqual([]);
    expect(idx.search("beta").map((h) => h.id)).toEqual(["x"]);
    idx.remove("x");
    expect(idx.size).toBe(0);
    expect(idx.search("beta")).toEqual([]);
  });

  it("skips replaced documents until it compacts, then drops them", () => {
    const idx = new SearchIndex(fields);
    for (let i = 0; i < 1500; i++) idx.upsert(`d${i}`, { title: `word${i % 50} alpha`, body: "" });
    for (let i = 0; i < 700; i++) idx.upsert(`d${i}`, { title: `word${i % 50} beta`, body: "" });
    expect(idx.tombstones).toBe(700);
    expect(idx.search("alpha")).toHaveLength(800);
    expect(idx.search("beta")).toHaveLength(700);
    // Tombstones outnumber live documents on the 1,500th replacement: compaction.
    for (let i = 700; i < 1500; i++) idx.upsert(`d${i}`, { title: `word${i % 50} beta`, body: "" });
    expect(idx.tombstones).toBe(0);
    expect(idx.size).toBe(1500);
    expect(idx.search("alpha")).toEqual([]);
    const hits = idx.search("word7 beta");
    expect(hits).toHaveLength(1500);
    expect(hits.slice(0, 30).every((h) => Number(h.id.slice(1)) % 50 === 7)).toBe(true);
    expect(hits[30]!.score).toBeLessThan(hits[29]!.score);
  });

  it("scores each field on its own for a few documents, and the words as typed apart from expansions", () => {
    const idx = new SearchIndex([
      { name: "title", weight: 3, b: 0 },
      { name: "body", weight: 1, b: 0 },
    ]);
    idx.upsert("a", { title: "invoice", body: "bill" });
    idx.upsert("b", { title: "bill", body: "invoice invoice" });
    idx.upsert("c", { title: "other", body: "nothing" });
    const query = [{ word: "invoic", expansions: [{ term: "invoic", weight: 1 }, { term: "bill", weight: 0.5 }] }];
    const scores = idx.fieldScores(query, ["a", "b", "c", "missing"]);
    expect([...scores.keys()]).toEqual(["a", "b", "c"]);
    const a = scores.get("a")!;
    const b = scores.get("b")!;
    expect(a.fields[0]).toBeGreaterThan(b.fields[0]!); // title: invoice (1) beats bill (0.5)
    expect(b.fields[1]).toBeGreaterThan(a.fields[1]!); // body: invoice twice beats bill
    expect(a.typed).toBeGreaterThan(0);
    expect(a.matched).toBe(1);
    expect(scores.get("c")).toEqual({ fields: [0, 0], typed: 0, matched: 0 });
  });

  it("filters and limits, with deterministic ties", () => {
    const idx = new SearchIndex(fields);
    for (const id of ["b", "a", "c"]) idx.upsert(id, { title: "same", body: "" });
    expect(idx.search("same").map((h) => h.id)).toEqual(["a", "b", "c"]);
    expect(idx.search("same", { limit: 1, filter: (id) => id !== "a" }).map((h) => h.id)).toEqual(["b"]);
  });
});

describe("CatalogSearch", () => {
  function catalog(): CatalogSearch {
    const c = new CatalogSearch();
    c.upsertAction(action("slack-send-message", "Send Message to Channel", "Send a message to a public or private channel.", ["conversation", "text"]));
    c.upsertAction(action("slack-list-channels", "List Channels", "Return a list of all channels in a workspace."));
    c.upsertAction(action("discord-send-message", "Send Message", "Send a simple message to a Discord channel.", ["channel", "message"]));
    c.upsertAction(action("google_sheets-add-single-row", "Add Single Row", "Add a single row of data to Google Sheets.", ["sheetId", "myColumnData"]));
    c.upsertAction(action("openai-chat", "Chat", "The Chat API, using the gpt-4o or other models."));
    c.upsertAction(action("openai-create-image", "Create Image", "Creates an image given a prompt."));
    c.upsertApp(app("slack", "Slack", { description: "Slack is a channel-based messaging platform.", categories: ["Communication"] }));
    c.upsertApp(app("discord", "Discord", { categories: ["Communication"] }));
    c.upsertApp(app("google_sheets", "Google Sheets", { categories: ["Productivity"] }));
    c.upsertApp(app("openai", "OpenAI (ChatGPT)", { categories: ["Artificial Intelligence"] }));
    return c;
  }

  it("naming an app puts its actions first", () => {
    const c = catalog();
    expect(c.searchActions("send a message in discord")[0]!.key).toBe("discord-send-message");
    expect(c.searchActions("send a message in slack")[0]!.key).toBe("slack-send-message");
  });

  it("an app named only by its brand still surfaces its actions (ChatGPT → OpenAI)", () => {
    const keys = catalog().searchActions("ask chatgpt something").map((r) => r.key);
    expect(keys.slice(0, 2).sort()).toEqual(["openai-chat", "openai-create-image"]);
  });

  it("matches prop names split from camelCase", () => {
    expect(catalog().searchActions("column data")[0]!.key).toBe("google_sheets-add-single-row");
  });

  it("an email address in a request finds actions about email", () => {
    const c = catalog();
    c.upsertAction(action("gmail-send-email", "Send Email", "Send an email from your account."));
    c.upsertAction(action("monday-create-board", "Create Board", "Creates a new board for a summary."));
    expect(c.searchActions("mail the summary to board@acme.com")[0]!.key).toBe("gmail-send-email");
  });

  it("restricts to one app when asked", () => {
    const keys = catalog().searchActions("message", { app: "discord" }).map((r) => r.key);
    expect(keys).toEqual(["discord-send-message"]);
  });

  it("ranks apps by their own text and their actions' matches", () => {
    const c = catalog();
    const ranked = c.searchActions("gogle sheets add row");
    expect(c.searchApps("gogle sheets add row", ranked)[0]!.slug).toBe("google_sheets");
    const chat = c.searchActions("channel message");
    const apps = c.searchApps("channel message", chat).map((a) => a.slug);
    expect(apps.slice(0, 2).sort()).toEqual(["discord", "slack"]);
    expect(apps).not.toContain("google_sheets");
  });

  it("re-ranks by how much of what an action's name acts on the request covers, in the form typed", () => {
    const c = new CatalogSearch();
    c.upsertAction(action("youtube-delete-playlist-items", "Delete Playlist Items", "Deletes items from a playlist. Deletes a playlist item.", ["playlistId"]));
    c.upsertAction(action("youtube-delete-playlist", "Delete Playlist", "Deletes a playlist.", ["id"]));
    expect(c.searchActions("delete a playlist")[0]!.key).toBe("youtube-delete-playlist");
    c.upsertAction(action("linear-get-project", "Get Project", "Get a project by its ID.", ["projectId"]));
    c.upsertAction(action("linear-list-projects", "List Projects", "List projects.", ["filter"]));
    expect(c.searchActions("linear projects")[0]!.key).toBe("linear-list-projects");
    expect(c.searchActions("the linear project")[0]!.key).toBe("linear-get-project");
  });

  it("finds a word inside a compound the catalog uses, but not a verb inside a noun", () => {
    const c = new CatalogSearch();
    c.upsertAction(action("shop-create-metafield", "Create Metafield", "Creates a metafield on a resource.", ["ownerResource"]));
    c.upsertAction(action("shop-create-collection", "Create Collection", "Creates a collection.", ["title"]));
    c.upsertAction(action("yt-create-playlist", "Create Playlist", "Creates a playlist.", ["title"]));
    // A camelCase prop ("additionalField") is indexed with its parts: it is no compound to find.
    c.upsertAction(action("shop-create-order", "Create Order", "Creates an order.", ["additionalField"]));
    expect(c.searchActions("add a field to a product")[0]!.key).toBe("shop-create-metafield");
    expect(c.searchActions("list the things")).toEqual([]);
  });

  it("'who' asks about people and 'my' about the current user", () => {
    const c = new CatalogSearch();
    c.upsertAction(action("slack-get-current-user", "Get Current User", "Returns the user the token belongs to."));
    c.upsertAction(action("slack-list-files", "List Files", "Returns files in a workspace."));
    c.upsertAction(action("launch-list-members", "List Members", "List the account's members."));
    c.upsertAction(action("launch-get-flag", "Get Feature Flag", "Get a feature flag of the account."));
    expect(c.searchActions("who am I")[0]!.key).toBe("slack-get-current-user");
    expect(c.searchActions("who has access to the account")[0]!.key).toBe("launch-list-members");
  });

  it("a phrase finds what it means; irregular verb forms find their base", () => {
    const c = new CatalogSearch();
    c.upsertAction(action("shop-create-refund", "Create Refund", "Creates a refund for an order.", ["orderId"]));
    c.upsertAction(action("shop-cancel-order", "Cancel Order", "Cancels an order.", ["orderId"]));
    expect(c.searchActions("give them their money back for the order")[0]!.key).toBe("shop-create-refund");
    c.upsertAction(action("qb-create-payment", "Create Payment", "Records a payment a customer made.", ["customer"]));
    c.upsertAction(action("qb-create-customer", "Create Customer", "Creates a customer.", ["name"]));
    expect(c.searchActions("record that the customer paid")[0]!.key).toBe("qb-create-payment");
  });

  it("results do not depend on the queries asked before (expansions are not shared between queries)", () => {
    const build = () => catalog();
    // "add" alone also finds what is named "Create …"; after "add a row" (where the intent's
    // verbs only re-score) it still must.
    const fresh = build().searchActions("add");
    expect(fresh.map((r) => r.key)).toContain("openai-create-image");
    const c = build();
    c.searchActions("add a row");
    expect(c.searchActions("add")).toEqual(fresh);
  });

  it("ranks the actions that do what the request asks first, whatever the words", () => {
    const c = new CatalogSearch();
    c.upsertAction(action("slack-send-message", "Send Message", "Send a message to a channel.", ["text"]));
    c.upsertAction(action("slack-delete-message", "Delete Message", "Delete a message.", ["timestamp"]));
    c.upsertAction(action("slack-update-message", "Update Message", "Update a message.", ["text"]));
    c.upsertAction(action("slack-list-channels", "List Channels", "Return a list of all channels."));
    expect(c.searchActions("take down the message I posted by mistake")[0]!.key).toBe("slack-delete-message");
    expect(c.searchActions("fix a typo in a message I posted")[0]!.key).toBe("slack-update-message");
    expect(c.searchActions("ping the team with a message")[0]!.key).toBe("slack-send-message");
    expect(c.searchActions("which channels exist")[0]!.key).toBe("slack-list-channels");
  });

  it("within an app, lists its unmatched actions after the matches (never nothing), the request's intent first", () => {
    const c = catalog();
    // No learned associations: the dev set's ("everyone" → channel) would match these requests.
    c.setAssociations(new Map());
    c.upsertAction(action("slack-delete-message", "Delete Message", "Delete a message.", ["timestamp"]));
    const matched = c.searchActions("channels", { app: "slack" });
    expect(matched[0]).toMatchObject({ key: "slack-list-channels" });
    expect(matched.map((r) => r.key).sort()).toEqual(["slack-delete-message", "slack-list-channels", "slack-send-message"]);
    // No word matched: the app's actions all the same (score 0), those that send first for "tell".
    const tell = c.searchActions("tell everyone the release is live", { app: "slack" });
    expect(tell.map((r) => r.key)).toEqual(["slack-send-message", "slack-delete-message", "slack-list-channels"]);
    expect(tell.every((r) => r.score === 0)).toBe(true);
    // Of the unmatched ones, those with the request's intent come first ("purge" deletes).
    c.upsertAction(action("slack-kick-user", "Kick User", "Remove a user from a conversation.", ["user"]));
    const purge = c.searchActions("purge zzz", { app: "slack" });
    expect(purge.map((r) => r.key)).toEqual(["slack-delete-message", "slack-kick-user", "slack-list-channels", "slack-send-message"]);
    expect(purge.every((r) => r.score === 0)).toBe(true);
    expect(c.searchActions("qqqq", { app: "slack", limit: 1 })).toHaveLength(1);
    expect(c.searchActions("qqqq", { app: "nope" })).toEqual([]);
    expect(c.searchActions("qqqq")).toEqual([]);
  });

  it("finds acronyms both ways: 'request for information' → RFI, PO → Purchase Order", () => {
    const c = new CatalogSearch();
    c.upsertAction(action("procore-create-rfi", "Create RFI", "Create a new RFI."));
    c.upsertAction(action("procore-create-incident", "Create Incident", "Create a new incident on the project."));
    c.upsertAction(action("quickbooks-get-purchase-order", "Get Purchase Order", "Returns details about a purchase order."));
    c.upsertAction(action("quickbooks-get-bill", "Get Bill", "Returns info about a bill."));
    expect(c.searchActions("request for information on the project")[0]!.key).toBe("procore-create-rfi");
    expect(c.searchActions("status of PO 1042")[0]!.key).toBe("quickbooks-get-purchase-order");
  });

  it("prop descriptions re-order the candidates the other fields found, and find nothing alone", () => {
    const c = new CatalogSearch();
    const withProp = (key: string, name: string, description: string): ActionDefinition => ({
      ...action(key, name, `${name}.`),
      props: [{ name: "shop", type: "app", app: "shop" }, { name: "value", type: "string", label: "Value", description }],
    });
    c.upsertAction(withProp("shop-create-metafield", "Create Metafield", "Custom fields hold extra data on a product."));
    c.upsertAction(withProp("shop-create-collection", "Create Collection", "A group of products shown together."));
    c.upsertAction(withProp("shop-create-tag", "Create Tag", "Words to label products with."));
    // No learned associations: the dev set's would find actions for "shown together".
    c.setAssociations(new Map());
    expect(c.searchActions("create a custom field")[0]!.key).toBe("shop-create-metafield");
    expect(c.searchActions("shown together")).toEqual([]);
    // "shown" is a form of "show", a verb: no typo of the "shop" app.
    expect(c.searchActions("shown")).toEqual([]);
  });

  it("an app's description lifts its matching actions", () => {
    const c = new CatalogSearch();
    c.upsertAction(action("procore-create-incident", "Create Incident", "Create a new incident."));
    c.upsertAction(action("pagerduty-create-incident", "Create Incident", "Create a new incident."));
    c.upsertApp(app("procore", "Procore", { description: "Construction management software for building sites." }));
    c.upsertApp(app("pagerduty", "PagerDuty", { description: "On-call alerting for software teams." }));
    expect(c.searchActions("report an incident on the construction site")[0]!.key).toBe("procore-create-incident");
    expect(c.searchActions("report an incident to the on-call team")[0]!.key).toBe("pagerduty-create-incident");
  });

  it("the learned re-ranker prefers a read-only action for a question, and keeps scores falling and above 0", () => {
    const c = new CatalogSearch();
    const withHint = (key: string, name: string, readOnlyHint: boolean): ActionDefinition => ({ ...action(key, name, `${name}.`), annotations: { readOnlyHint } });
    // Same words, same lengths: lexically a tie, which the key breaks (alpha first).
    c.upsertAction(withHint("x-alpha", "Ledger Summary", false));
    c.upsertAction(withHint("x-beta", "Ledger Digest", true));
    const asked = c.searchActions("is there a ledger?");
    expect(asked[0]!.key).toBe("x-beta");
    expect(asked[0]!.score).toBeGreaterThan(asked[1]!.score);
    expect(asked[1]!.score).toBeGreaterThan(0);
    // Within an app, the unmatched still follow with score 0.
    c.upsertAction(withHint("x-gamma", "Archive Everything", false));
    expect(c.searchActions("is there a ledger?", { app: "x" }).map((r) => r.score > 0)).toEqual([true, true, false]);
  });

  it("a request word's learned associations find actions its words do not, and lift them", () => {
    const c = catalog();
    c.setAssociations(new Map());
    expect(c.searchActions("kanban")).toEqual([]);
    c.setAssociations(parseAssociations("kanban:row=2,sheet=1"));
    expect(c.searchActions("kanban")[0]!.key).toBe("google_sheets-add-single-row");
    const features = c.rankerCandidates("kanban")[0]!.features!;
    expect(features[RANKER_FEATURES.indexOf("associated")]).toBe(2);
  });

  it("the re-ranker's candidates carry one value per feature, for fitting its weights", () => {
    const c = catalog();
    const candidates = c.rankerCandidates("send a message in slack", { depth: 50 });
    expect(candidates[0]!.key).toBe("slack-send-message");
    expect(candidates[0]!.features).toHaveLength(RANKER_FEATURES.length);
    expect(candidates.every((x) => x.features!.every(Number.isFinite))).toBe(true);
    // Restricted to an app, its unmatched actions follow, without features.
    const inApp = c.rankerCandidates("chat", { app: "openai" });
    expect(inApp.map((x) => x.key)).toEqual(["openai-chat", "openai-create-image"]);
    expect(inApp[1]!.features).toBeUndefined();
  });

  it("forgets removed actions and moves re-keyed ones between apps", () => {
    const c = catalog();
    c.removeAction("discord-send-message");
    expect(c.searchActions("discord message").map((r) => r.key)).not.toContain("discord-send-message");
    expect(c.keysOfApp("discord")).toEqual([]);
    c.upsertAction(action("openai-chat", "Chat", "Chat.", [], "openai_v2"));
    expect(c.keysOfApp("openai")).toEqual(["openai-create-image"]);
    expect(c.keysOfApp("openai_v2")).toEqual(["openai-chat"]);
  });
});

describe("learned re-ranker (ranker.ts)", () => {
  it("reads questions and polite imperatives apart", () => {
    expect(isQuestion("who signed up for the webinar?")).toBe(true);
    expect(isQuestion("is there a flag called beta")).toBe(true);
    expect(isQuestion("What's the status of item 123")).toBe(true);
    expect(isQuestion("do we have a Priority column")).toBe(true);
    expect(isQuestion("can you create a task?")).toBe(false);
    expect(isQuestion("create a task")).toBe(false);
    expect(isQuestion("show me the open issues")).toBe(false);
  });

  it("sees identifiers: words with digits and quoted values, not dates", () => {
    expect(hasIdentifier("pull up ENG-123")).toBe(true);
    expect(hasIdentifier("rename the 'Q4 plan' doc")).toBe(true);
    expect(hasIdentifier("list the open issues")).toBe(false);
    expect(hasIdentifier("meetings on 2026-12-01")).toBe(false);
  });

  it("learned associations: request words to the words of answers' names, not counting a word typed as such", () => {
    const table = parseAssociations("kanban:board=1.5,column=0.5;bin:trash=2,delet=1");
    expect(table.get("kanban")).toEqual(new Map([["board", 1.5], ["column", 0.5]]));
    expect(associationWords("show my Kanban boards for Q4 at ana@corp.com")).toEqual(["show", "kanban", "board", "email"]);
    expect(associationTargets("Monday - Create Board")).toEqual(["creat", "board"]);
    // Per request word its best target, over the request's word count.
    expect(associationScore(["bin", "invoic"], ["delet", "trash", "invoic"], table)).toBe(1);
    expect(associationScore(["kanban"], ["creat", "board"], table)).toBe(1.5);
    // "board" typed: the literal match is BM25's, not an association's.
    expect(associationScore(["kanban", "board"], ["creat", "board"], table)).toBe(0);
    expect(associationScore(["kanban"], ["creat", "board"], new Map())).toBe(0);
  });

  it("scores features linearly with the fitted weights; the lexical score counts", () => {
    const zero = RANKER_FEATURES.map(() => 0);
    expect(rankerScore(zero)).toBe(0);
    const score = RANKER_FEATURES.map((f) => (f === "score" ? 1 : 0));
    expect(rankerScore(score)).toBe(RANKER_WEIGHTS.score);
    expect(RANKER_WEIGHTS.score).toBeGreaterThan(0);
  });
});

describe("slugSimilarity", () => {
  const apps = [app("slack", "Slack"), app("google_sheets", "Google Sheets"), app("microsoft_outlook", "Microsoft Outlook"), app("hubspot", "HubSpot"), app("gmail", "Gmail")];
  const best = (typed: string) =>
    apps
      .map((a) => ({ slug: a.slug, score: slugSimilarity(typed, a) }))
      .sort((a, b) => b.score - a.score)[0]!;

  it.each([
    ["slak", "slack"],
    ["gogle_sheets", "google_sheets"],
    ["googlesheets", "google_sheets"],
    ["sheets", "google_sheets"],
    ["outlook", "microsoft_outlook"],
    ["hub_spot", "hubspot"],
    ["gmial", "gmail"],
  ])("%s → %s", (typed, expected) => {
    const b = best(typed);
    expect(b.slug).toBe(expected);
    expect(b.score).toBeGreaterThanOrEqual(0.5);
  });

  it("finds nothing close for a random slug", () => {
    expect(best("qqqqzzzz").score).toBeLessThan(0.5);
  });
});
