/**
 * GET /logs/<owner>/<repo>/<deployment>?sig=<hmac>: a deployment's log as
 * plain text, streamed from disk. A wrong or missing signature looks exactly
 * like a missing log.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { isLogKey, logFilePath, verifyLogKey } from "../engine/log-links.js";

export function logRoute(options: { dataDir: string; logSecret: string }) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? "/", "http://heaven.invalid");
    if (!url.pathname.startsWith("/logs/")) return false;
    let key = "";
    try {
      key = decodeURIComponent(url.pathname.slice("/logs/".length));
    } catch {
      // A malformed %-escape is just a link that leads nowhere.
    }
    const signature = url.searchParams.get("sig") ?? "";
    const notFound = () => {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      res.end("no such log (check that the link is complete)\n");
    };
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" });
      res.end();
      return true;
    }
    if (!isLogKey(key) || !verifyLogKey(options.logSecret, key, signature)) {
      notFound();
      return true;
    }
    const path = logFilePath(options.dataDir, key);
    try {
      await stat(path);
    } catch {
      notFound();
      return true;
    }
    res.writeHead(200, {
      "content-type": "text/plain; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    });
    if (req.method === "HEAD") {
      res.end();
      return true;
    }
    const stream = createReadStream(path);
    stream.on("error", () => res.destroy());
    stream.pipe(res);
    return true;
  };
}
