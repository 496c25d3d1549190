/**
 * The few plain pages sign-in answers with when it cannot go on: not set up
 * (which variables to set), a refused or failed callback (why, and where to
 * start again). No token or secret ever appears in them.
 */
import type { ServerResponse } from "node:http";
import { CALLBACK_PATH } from "../decisions/session-cookie.js";
import { escapeHtml } from "./log-html.js";

/** Never cached, never framed (no clickjacking of a sign-out), and no Referer carrying a callback's code onward. */
export const NO_STORE = { "cache-control": "no-store", "x-content-type-options": "nosniff", "referrer-policy": "no-referrer", "content-security-policy": "default-src 'none'; frame-ancestors 'none'" };

export function sendPage(res: ServerResponse, status: number, title: string, paragraphs: string[], headers: Record<string, string | string[]> = {}): void {
  const body = paragraphs.map((text) => `<p>${text}</p>`).join("\n");
  res
    .writeHead(status, { "content-type": "text/html; charset=utf-8", ...NO_STORE, ...headers })
    .end(`<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · heaven</title></head>\n<body><h1>${escapeHtml(title)}</h1>\n${body}\n</body></html>\n`);
}

/** 503: the App's OAuth credentials are not in heaven's environment. */
export function sendNotConfigured(res: ServerResponse, heavenUrl: string, missing: string[]): void {
  const names = missing.map((name) => `<code>${escapeHtml(name)}</code>`).join(" and ");
  sendPage(res, 503, "Dashboard sign-in is not set up", [
    `heaven signs people in with the GitHub App's own OAuth credentials. Set ${names} in heaven's environment (or <code>.env</code>) and restart heaven.`,
    "Both are on the App's settings page on GitHub (Client ID, and a client secret you generate there); registering the App through Probot's setup page writes them into <code>.env</code>.",
    `Register this callback URL on the App: <code>${escapeHtml(`${heavenUrl}${CALLBACK_PATH}`)}</code>.`,
  ]);
}

/** 4xx/5xx after GitHub sent the browser back: what went wrong, and a link to start over. */
export function sendSignInProblem(res: ServerResponse, status: number, reason: string, headers: Record<string, string | string[]> = {}): void {
  sendPage(res, status, "Sign-in did not complete", [escapeHtml(reason), '<a href="/dashboard/sign-in">Sign in with GitHub again</a>'], headers);
}
