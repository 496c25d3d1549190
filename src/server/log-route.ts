/**
 * GET /logs/<owner>/<repo>/<deployment>?sig=<hmac>[&exp=<epoch s>]: a
 * deployment's log. A browser (Accept: text/html) gets the log page; curl
 * and `?raw` get plain text; `/logs/<key>/stream` is the page's live tail.
 * A wrong or missing signature looks exactly like a missing log (404); an
 * expired link says so (410). Everything is read through the log store.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { LogStore } from "../core/log-store.js";
import { checkLogLink, isLogKey, linkEndsAt } from "../engine/log-links.js";
import { FileLogStore } from "../engine/log-store.js";
import { writeLogPage } from "./log-page.js";
import { writeLogStream } from "./log-stream.js";
import { writeOrWait } from "./log-write.js";

export interface LogRouteOptions {
  dataDir: string;
  logSecret: string;
  /** HEAVEN_LOG_LINK_TTL in seconds: links without `exp` end this long after their log was last written. */
  logLinkTtlSeconds?: number | undefined;
  /** Default: the logs under `dataDir`. */
  store?: LogStore;
  /** How often the live tail looks at a quiet log again. */
  pollMs?: number;
  now?: () => number;
}

const STREAM = "/stream";
const PLAIN = { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", "x-content-type-options": "nosniff", "referrer-policy": "no-referrer" };

export function logRoute(options: LogRouteOptions) {
  const store = options.store ?? new FileLogStore(options.dataDir);
  const now = options.now ?? Date.now;
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? "/", "http://heaven.invalid");
    if (!url.pathname.startsWith("/logs/")) return false;
    const answer = (status: number, text: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { ...PLAIN, ...headers });
      res.end(`${text}\n`);
      return true;
    };
    if (req.method !== "GET" && req.method !== "HEAD") return answer(405, "only GET and HEAD", { allow: "GET, HEAD" });
    let path = "";
    try {
      path = decodeURIComponent(url.pathname.slice("/logs/".length));
    } catch {
      // A malformed %-escape is just a link that leads nowhere.
    }
    const stream = path.endsWith(STREAM);
    const key = stream ? path.slice(0, -STREAM.length) : path;
    const link = isLogKey(key) ? checkLogLink(options.logSecret, key, url.searchParams) : { kind: "forged" as const };
    const info = link.kind === "valid" ? await store.info(key) : undefined;
    if (link.kind !== "valid" || info === undefined) return answer(404, "no such log (check that the link is complete)");
    const endsAt = linkEndsAt(link.expiresAt, options.logLinkTtlSeconds, info.updatedAt);
    if (endsAt !== undefined && now() >= endsAt) {
      const when = new Date(endsAt).toISOString();
      return answer(410, `This log link expired on ${when}: log links here open for a limited time after the deployment (HEAVEN_LOG_LINK_TTL). Whoever runs heaven can still read the log.`);
    }
    if (stream) {
      const from = req.headers["last-event-id"] ?? url.searchParams.get("from") ?? "0";
      if (typeof from !== "string" || !/^\d{1,15}$/.test(from)) return answer(400, "the offset to read from must be a byte offset the stream gave");
      if (req.method === "HEAD") return answer(200, "");
      // Node sets `server` on the sockets a server accepts; it stops listening as soon as it is asked to close.
      const server = (req.socket as { server?: { listening?: boolean } }).server;
      await writeLogStream(res, { store, key, from: Number(from), endsAt, pollMs: options.pollMs ?? 300, now, closing: () => server?.listening === false });
      return true;
    }
    // The page's links carry its signature; relative, so they work behind any prefix HEAVEN_URL has.
    const signed = new URLSearchParams();
    if (link.expiresAt !== undefined) signed.set("exp", String(link.expiresAt));
    signed.set("sig", url.searchParams.get("sig") ?? "");
    const id = key.split("/")[2] ?? "";
    const html = !url.searchParams.has("raw") && /\btext\/html\b/i.test(req.headers.accept ?? "");
    if (req.method === "HEAD") {
      res.writeHead(200, { ...PLAIN, ...(html ? { "content-type": "text/html; charset=utf-8" } : {}), vary: "Accept" });
      res.end();
    } else if (html) {
      await writeLogPage(res, { store, key, info, rawHref: `?${signed}&raw`, streamHref: (offset) => `${id}/stream?${signed}&from=${offset}`, now });
    } else {
      await writeRaw(res, store, key, info.size);
    }
    return true;
  };
}

/** The log as it stands, whole lines only, a store read at a time. */
async function writeRaw(res: ServerResponse, store: LogStore, key: string, size: number): Promise<void> {
  res.writeHead(200, { ...PLAIN, vary: "Accept" });
  for (let next = 0; !res.destroyed; ) {
    const chunk = await store.read(key, next);
    if (chunk === undefined) break;
    next = chunk.next;
    if (chunk.text !== "") await writeOrWait(res, chunk.text);
    if (chunk.finished || chunk.text === "" || next >= size) break;
  }
  res.end();
}
