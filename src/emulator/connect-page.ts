// The emulator's own Connect Link page, so the "connect an app" flow can be tried offline: the
// links the emulator mints point here (same path and query as Pipedream's hosted page), a person
// opens one in a browser, sees "Connect <app> as <user>" and presses the button, which creates a
// healthy account exactly as POST /__emulator/connect does.

import type { WireApp } from "./types.js";

/** Where the emulator serves its Connect Link page (Pipedream's hosted page has the same path). */
export const CONNECT_PAGE_PATH = "/_static/connect.html";

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 34rem; margin: 3rem auto; padding: 0 1rem; color: #1d1d1f; }
  .demo { background: #fff4ce; border: 1px solid #e6c200; border-radius: 6px; padding: .5rem .75rem; font-size: .9rem; }
  label { display: block; margin: 1rem 0 .25rem; }
  input, select { font-size: 1rem; padding: .4rem; width: 100%; box-sizing: border-box; }
  button { margin-top: 1.25rem; font-size: 1rem; padding: .6rem 1.2rem; border: 0; border-radius: 6px; background: #0b63ce; color: #fff; cursor: pointer; }
  code { background: #f2f2f2; padding: 0 .2rem; }
</style>
</head>
<body>
<p class="demo">Pipedream Connect <strong>emulator</strong>: demo data on this machine. No real account is connected.</p>
${body}
</body>
</html>
`;
}

/** The page a Connect Link opens: a form whose button finishes the connection. */
export function connectFormPage(opts: { token: string; user: string; app?: WireApp; apps: WireApp[]; expiresAt: string }): string {
  const { token, user, app } = opts;
  const title = app ? `Connect ${app.name} as ${user}` : `Connect an app as ${user}`;
  const choose = app
    ? `<input type="hidden" name="app" value="${escapeHtml(app.name_slug)}">`
    : `<label for="app">App</label><select id="app" name="app">${opts.apps
        .map((a) => `<option value="${escapeHtml(a.name_slug)}">${escapeHtml(a.name)}</option>`)
        .join("")}</select>`;
  const defaultName = app ? `${user}'s ${app.name}` : "";
  return page(
    title,
    `<h1>${escapeHtml(title)}</h1>
<p>An agent asked to use ${app ? `your <strong>${escapeHtml(app.name)}</strong> account` : "one of your apps"}. Pressing the button creates a healthy demo account for <code>${escapeHtml(user)}</code>; then ask the agent to try again.</p>
<form method="post" action="${CONNECT_PAGE_PATH}">
<input type="hidden" name="token" value="${escapeHtml(token)}">
${choose}
<label for="name">Account name (optional)</label>
<input id="name" name="name" placeholder="${escapeHtml(defaultName)}">
<button type="submit" id="connect">${escapeHtml(app ? `Connect ${app.name}` : "Connect")}</button>
</form>
<p><small>This link is valid until ${escapeHtml(opts.expiresAt)}.</small></p>`,
  );
}

export function connectedPage(opts: { user: string; app: WireApp; accountId: string; accountName: string }): string {
  const title = `Connected ${opts.app.name}`;
  return page(
    title,
    `<h1 id="done">${escapeHtml(title)}</h1>
<p>The account <strong>${escapeHtml(opts.accountName)}</strong> (<code>${escapeHtml(opts.accountId)}</code>) is now connected for <code>${escapeHtml(opts.user)}</code>.</p>
<p>You can close this tab and ask the agent to try again.</p>`,
  );
}

export function connectErrorPage(message: string): string {
  return page(
    "Connect Link not usable",
    `<h1>This Connect Link cannot be used</h1>
<p id="error">${escapeHtml(message)}</p>
<p>Ask the agent again for a new link. Links the emulator made before it was reset or restarted no longer work.</p>`,
  );
}
