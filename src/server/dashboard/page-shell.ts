/**
 * What every dashboard page shares: its security headers (only its own
 * nonce'd script and style; forms post only to heaven), the header with the
 * person and a sign-out form, the live region the script refreshes, and the
 * small words pages are made of (a state badge, a short sha, an age). Every
 * value from GitHub or a person goes through `escapeHtml`. Pure but `sendPage`.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { escapeHtml } from "../log-html.js";
import { DASHBOARD_SCRIPT } from "./dashboard-script.js";

export const h = escapeHtml;

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
header{display:flex;gap:1em;align-items:center;padding:.6em 1.2em;background:#24292f;color:#fff}
header a{color:#fff}header form{margin-left:auto}main,section.actions{padding:0 1.2em 1em}
h1{font-size:1.3em}h2{font-size:1.1em;margin:1.2em 0 .4em}table{border-collapse:collapse;background:#fff;width:100%}
th,td{border:1px solid #d0d7de;padding:.3em .5em;text-align:left;vertical-align:top}th{background:#eaeef2}
code{font:12px ui-monospace,monospace}.muted{color:#57606a}
.state{display:inline-block;padding:0 .5em;border-radius:1em;color:#fff;background:#8c959f;font-size:12px}
.state[data-state=success]{background:#2da44e}.state[data-state=failure],.state[data-state=error]{background:#cf222e}
.state[data-state=in_progress],.state[data-state=running]{background:#bf8700}.state[data-state=queued],.state[data-state=pending]{background:#0969da}
.env{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:.6em .9em;margin:.6em 0}
.lock{color:#9a6700}.notice{padding:.6em .9em;border-radius:6px;margin:.8em 0;background:#dafbe1}.notice.refused{background:#ffebe9}
.dora{display:flex;gap:1em;flex-wrap:wrap}.dora div{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:.5em .8em}
.dora b{display:block;font-size:1.4em}form.act{display:flex;gap:.5em;flex-wrap:wrap;align-items:end;margin:.4em 0}
label{display:flex;flex-direction:column;font-size:12px}`;

export function pageHeaders(nonce: string): Record<string, string> {
  return {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": [
      "default-src 'none'",
      `script-src 'nonce-${nonce}'`,
      `style-src 'nonce-${nonce}'`,
      "connect-src 'self'",
      "img-src data:",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join("; "),
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cache-control": "private, no-store",
  };
}

export interface Shell {
  title: string;
  login: string;
  csrf: string;
  /** The stream's URL: the live region follows it. */
  stream: string;
  /** Refreshed in place when a deployment moves. */
  live: string;
  /** Around the live region and left alone (forms being filled in). */
  before?: string;
  after?: string;
  /** How long after an event GitHub's records are read again (the API's cache, plus the outbox's delay). */
  settleMs: number;
}

export function renderShell(shell: Shell, nonce: string): string {
  return (
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${h(shell.title)} · heaven</title>` +
    `<meta name="viewport" content="width=device-width"><style nonce="${nonce}">${STYLE}</style></head>\n<body data-live="connecting">` +
    `<header><a href="/dashboard"><b>heaven</b></a><span>${h(shell.title)}</span><span id="live-state" class="muted">connecting…</span>` +
    `<form method="post" action="/dashboard/sign-out"><input type="hidden" name="csrf" value="${h(shell.csrf)}"><span>@${h(shell.login)}</span> <button>Sign out</button></form></header>\n` +
    `${shell.before ?? ""}<main id="live" data-stream="${h(shell.stream)}" data-settle="${shell.settleMs}">${shell.live}</main>${shell.after ?? ""}\n` +
    `<script nonce="${nonce}">${DASHBOARD_SCRIPT}</script></body></html>\n`
  );
}

export function sendPage(res: ServerResponse, status: number, page: (nonce: string) => string): void {
  const nonce = randomBytes(16).toString("base64");
  res.writeHead(status, pageHeaders(nonce)).end(page(nonce));
}

/** The page, or only its live region when the page's script asks for it (header `X-Dashboard-Live: 1`). */
export function sendShell(req: IncomingMessage, res: ServerResponse, shell: Shell): void {
  if (req.headers["x-dashboard-live"] === "1") return sendPage(res, 200, () => shell.live);
  sendPage(res, 200, (nonce) => renderShell(shell, nonce));
}

/** A plain page for what stops a dashboard page (404, a refused change). */
export function sendProblem(res: ServerResponse, status: number, title: string, text: string): void {
  sendPage(res, status, (nonce) => `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${h(title)} · heaven</title><style nonce="${nonce}">${STYLE}</style></head><body><main><h1>${h(title)}</h1><p>${h(text)}</p><p><a href="/dashboard">Back to the dashboard</a></p></main></body></html>\n`);
}

/** The newest deployment's state as a coloured badge; `data-deployment` lets the script tell a newer event from an older read. */
export function stateBadge(state: string | null, deploymentId: number | null): string {
  const shown = state ?? "none";
  return `<span class="state" data-state="${h(shown)}"${deploymentId === null ? "" : ` data-deployment="${deploymentId}"`}>${h(shown.replace("_", " "))}</span>`;
}

export function shaLink(githubWebUrl: string, fullName: string, sha: string): string {
  return `<a href="${h(`${githubWebUrl}/${fullName}/commit/${sha}`)}"><code>${h(sha.slice(0, 7))}</code></a>`;
}

/** `5 min ago`, `3 h ago`, `2 d ago`, in a <time> holding the instant. */
export function age(iso: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  const text = seconds < 60 ? `${seconds} s` : seconds < 3600 ? `${Math.floor(seconds / 60)} min` : seconds < 172_800 ? `${Math.floor(seconds / 3600)} h` : `${Math.floor(seconds / 86_400)} d`;
  return `<time datetime="${h(iso)}" title="${h(iso)}">${text} ago</time>`;
}

/** Where an environment's cells are, for the script: `owner/repo:environment`, lower-cased. */
export const envKey = (fullName: string, environment: string) => `${fullName}:${environment}`.toLowerCase();
