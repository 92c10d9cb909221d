import { describe, expect, it } from "vitest";
import { classifyProxyRequest, proxyRequestIsWrite } from "../../src/core/request-kind.js";

describe("proxyRequestIsWrite", () => {
  it("any method but GET writes, on any host", () => {
    for (const m of ["POST", "PUT", "PATCH", "DELETE"]) expect(proxyRequestIsWrite(m, "https://api.example.com/items"), m).toBe(true);
    expect(proxyRequestIsWrite("GET", "https://api.example.com/items/delete")).toBe(false); // REST: the method decides
    expect(proxyRequestIsWrite("GET", "/api/v2/tickets.json")).toBe(false); // per-account REST domain
  });

  it.each([
    "conversations.list",
    "conversations.info",
    "conversations.history",
    "conversations.replies",
    "conversations.members",
    "users.list",
    "users.info",
    "users.lookupByEmail",
    "users.getPresence",
    "users.profile.get",
    "users.conversations",
    "users.identity",
    "auth.test",
    "api.test",
    "auth.teams.list",
    "team.info",
    "team.profile.get",
    "team.billableInfo",
    "team.accessLogs",
    "bots.info",
    "emoji.list",
    "chat.getPermalink",
    "chat.scheduledMessages.list",
    "reactions.get",
    "pins.list",
    "files.info",
    "files.remote.list",
    "search.messages",
    "search.all",
    "dnd.teamInfo",
    "openid.connect.userInfo",
    "canvases.sections.lookup",
    "admin.conversations.search",
    "usergroups.users.list",
  ])("Slack %s is a read", (method) => {
    expect(classifyProxyRequest("GET", `https://slack.com/api/${method}?channel=C1`)).toEqual({ write: false });
  });

  it.each([
    "chat.postMessage",
    "chat.update",
    "chat.delete",
    "chat.scheduleMessage",
    "chat.postEphemeral",
    "chat.meMessage",
    "conversations.create",
    "conversations.archive",
    "conversations.invite",
    "conversations.kick",
    "conversations.join",
    "conversations.leave",
    "conversations.mark",
    "conversations.setTopic",
    "reactions.add",
    "pins.add",
    "files.delete",
    "files.upload",
    "files.getUploadURLExternal",
    "files.completeUploadExternal",
    "users.setPresence",
    "users.profile.set",
    "usergroups.users.update",
    "reminders.add",
    "dnd.setSnooze",
    "auth.revoke",
    "oauth.v2.access",
    "views.publish",
    "team.externalTeams.disconnect",
    "rtm.connect",
    "admin.users.remove",
    "",
  ])("Slack %s is a write", (method) => {
    const kind = classifyProxyRequest("GET", `https://slack.com/api/${method}?channel=C1&text=hi`);
    expect(kind.write).toBe(true);
    expect(kind.write && kind.why).toContain(`Slack Web API method "${method}" is not a read`);
  });

  it("sees through Slack URL spellings: workspace and GovSlack hosts, case, encoding, slashes", () => {
    for (const url of [
      "https://acme.slack.com/api/chat.postMessage",
      "https://slack-gov.com/api/chat.postMessage",
      "https://SLACK.COM/api/chat.postMessage",
      "https://slack.com./api/chat.postMessage",
      "https://slack.com/API/chat.postMessage",
      "https://slack.com/api/chat.post%4Dessage",
      "https://slack.com//api//chat.postMessage/",
      "https://slack.com/api/conversations.list/../chat.postMessage",
      "https://slack.com/api/conversations.list%2F..%2Fchat.postMessage",
      "https://slack.com/api/chat.postMessage#conversations.list",
      "https://slack.com/api/%ZZ",
    ]) {
      expect(proxyRequestIsWrite("GET", url), url).toBe(true);
    }
    expect(proxyRequestIsWrite("GET", "https://slack.com/api/Conversations.List/")).toBe(false);
    expect(proxyRequestIsWrite("GET", "https://slack.com/__emulator/text")).toBe(false); // not the Web API
    expect(proxyRequestIsWrite("GET", "https://files.slack.com/files-pri/T1-F1/report.pdf")).toBe(false);
    expect(proxyRequestIsWrite("GET", "https://notslack.com/api/chat.postMessage")).toBe(false); // another host: REST rules
  });

  it("Telegram Bot API: get… methods read (not getUpdates), the rest write", () => {
    const bot = "https://api.telegram.org/bot123:ABC";
    expect(proxyRequestIsWrite("GET", `${bot}/getMe`)).toBe(false);
    expect(proxyRequestIsWrite("GET", `${bot}/GETCHAT?chat_id=1`)).toBe(false);
    expect(proxyRequestIsWrite("GET", "https://api.telegram.org/file/bot123:ABC/photos/file_1.jpg")).toBe(false);
    expect(proxyRequestIsWrite("GET", `${bot}/getUpdates?offset=42`)).toBe(true);
    const send = classifyProxyRequest("GET", `${bot}/sendMessage?chat_id=1&text=hi`);
    expect(send).toEqual({ write: true, why: expect.stringContaining('Telegram Bot API method "sendMessage" is not a read') });
    expect(proxyRequestIsWrite("GET", `${bot}/deleteMessage?chat_id=1&message_id=2`)).toBe(true);
  });

  it("a method override turns a GET into a write on any host", () => {
    expect(proxyRequestIsWrite("GET", "https://api.example.com/items/1", { "X-HTTP-Method-Override": "DELETE" })).toBe(true);
    expect(proxyRequestIsWrite("GET", "https://api.example.com/items/1", { "x-http-method": "PUT" })).toBe(true);
    expect(proxyRequestIsWrite("GET", "https://api.example.com/items/1", { "x-method-override": "post" })).toBe(true);
    expect(proxyRequestIsWrite("GET", "https://api.example.com/items/1?_method=DELETE")).toBe(true);
    expect(proxyRequestIsWrite("GET", "https://api.example.com/items/1", { "X-HTTP-Method-Override": "GET" })).toBe(false);
    expect(proxyRequestIsWrite("GET", "https://api.example.com/items/1", { accept: "application/json" })).toBe(false);
  });
});
