/**
 * The log page, streamed: the header goes out first, then the lines the log
 * holds, rendered a store read at a time (never the whole log in memory),
 * then the script that follows the live tail from the byte offset the page
 * ended at. Only what the store holds is shown: no path on heaven's disk.
 */
import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { LogInfo, LogMeta, LogStore } from "../core/log-store.js";
import { isFullSha } from "../core/sha.js";
import { escapeHtml, LineRenderer } from "./log-html.js";
import { PAGE_SCRIPT, PAGE_STYLE } from "./log-page-assets.js";
import { stateView, type StateView } from "./log-view.js";
import { writeOrWait } from "./log-write.js";

export interface LogPageRequest {
  store: LogStore;
  key: string;
  info: LogInfo;
  /** Relative links that carry the page's signature: the raw text, and the live tail from a byte offset. */
  rawHref: string;
  streamHref: (from: number) => string;
  now: () => number;
}

/** Only the page's own inline script and style (ansi_up colours with style attributes); nothing from elsewhere. */
export function pageSecurityHeaders(nonce: string): Record<string, string> {
  return {
    "content-security-policy": [
      "default-src 'none'",
      `script-src 'nonce-${nonce}'`,
      `style-src 'nonce-${nonce}'`,
      `style-src-elem 'nonce-${nonce}'`,
      "style-src-attr 'unsafe-inline'",
      "connect-src 'self'",
      "img-src data:",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join("; "),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
  };
}

export async function writeLogPage(res: ServerResponse, page: LogPageRequest): Promise<void> {
  const nonce = randomBytes(16).toString("base64");
  res.writeHead(200, { "content-type": "text/html; charset=utf-8", vary: "Accept", ...pageSecurityHeaders(nonce) });
  const { meta, size } = page.info;
  await writeOrWait(res, header(page.key, meta, stateView(meta, page.now()), page.rawHref, nonce));
  const renderer = new LineRenderer();
  let next = 0;
  let lines = 0;
  let finished = false;
  // What the log held when the page was asked for; what comes after arrives through the live tail.
  while (!res.destroyed) {
    const chunk = await page.store.read(page.key, next);
    if (chunk === undefined) break;
    const rendered = renderer.lines(chunk.text, lines + 1);
    lines += rendered.count;
    next = chunk.next;
    finished = chunk.finished;
    if (rendered.html !== "") await writeOrWait(res, rendered.html);
    if (finished || chunk.text === "" || next >= size) break;
  }
  const view = stateView((await page.store.info(page.key))?.meta ?? meta, page.now());
  res.end(footer({ lines, finished, view, stream: page.streamHref(next) }, nonce));
}

function header(key: string, meta: LogMeta | undefined, view: StateView, rawHref: string, nonce: string): string {
  const [owner = "", repo = "", id = ""] = key.split("/");
  const repository = meta?.repository ?? `${owner}/${repo}`;
  const web = meta?.repositoryUrl;
  const link = (href: string | undefined, html: string) => (href === undefined ? html : `<a href="${escapeHtml(href)}">${html}</a>`);
  const fact = (name: string, html: string, id?: string) => `<div><dt>${name}</dt><dd${id === undefined ? "" : ` id="${id}"`}>${html}</dd></div>`;
  const facts =
    meta === undefined
      ? ""
      : [
          fact("environment", link(meta.environmentUrl, escapeHtml(meta.environment))),
          fact("ref", link(web && `${web}/tree/${meta.ref.split("/").map(encodeURIComponent).join("/")}`, escapeHtml(meta.ref))),
          fact("sha", isFullSha(meta.sha) ? link(web && `${web}/commit/${meta.sha}`, `<code>${meta.sha.slice(0, 7)}</code>`) : escapeHtml(meta.sha)),
          fact("task", escapeHtml(meta.task)),
          fact("by", escapeHtml(meta.who)),
        ].join("");
  const title = `${repository} deployment ${meta?.deploymentId ?? id}${meta === undefined ? "" : ` to ${meta.environment}`}`;
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta name="referrer" content="no-referrer"><link rel="icon" href="data:,"><title>${escapeHtml(title)} · heaven</title>` +
    `<style nonce="${nonce}">${PAGE_STYLE}</style></head><body><header>` +
    `<h1>${link(web, escapeHtml(repository))} · deployment ${escapeHtml(meta?.deploymentId ?? id)}</h1><dl>${facts}` +
    fact("state", `<span id="state" class="state ${escapeHtml(view.state)}">${escapeHtml(view.label)}</span> <span id="about">${escapeHtml(view.description)}</span>`) +
    fact("duration", escapeHtml(view.duration), "duration") +
    `<div><dd><a id="raw" href="${escapeHtml(rawHref)}">raw text</a></dd></div></dl></header><main id="log">`
  );
}

function footer(end: { lines: number; finished: boolean; view: StateView; stream: string }, nonce: string): string {
  const text = end.finished ? end.view.marker : "Live: new lines appear here as the deployment prints them.";
  // The script reads where to go on from here: the last line's number, and the stream from the page's last byte.
  return (
    `</main><div id="end" class="${end.finished ? "end finished" : "end live"}" data-lines="${end.lines}" data-finished="${end.finished}" ` +
    `data-stream="${escapeHtml(end.stream)}" data-view="${escapeHtml(JSON.stringify(end.view))}">${escapeHtml(text)}</div>` +
    `<button id="follow" type="button" hidden>↓ follow the newest line</button><script nonce="${nonce}">${PAGE_SCRIPT}</script></body></html>\n`
  );
}
