/**
 * GET /metrics: heaven's registry in Prometheus' text format. With
 * HEAVEN_METRICS_TOKEN set, only for `Authorization: Bearer <token>`,
 * compared in constant time.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Registry } from "prom-client";

export function metricsRoute(options: { registry: Registry; token: string | undefined }) {
  // Digests have one length whatever was sent, so the comparison leaks nothing about the token's.
  const expected = options.token === undefined ? undefined : digest(options.token);
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (new URL(req.url ?? "/", "http://heaven.invalid").pathname !== "/metrics") return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" }).end("only GET and HEAD\n");
      return true;
    }
    if (expected !== undefined) {
      const given = /^Bearer (.+)$/i.exec(req.headers.authorization ?? "")?.[1]?.trim();
      if (given === undefined || !timingSafeEqual(digest(given), expected)) {
        res.writeHead(401, { "www-authenticate": 'Bearer realm="heaven metrics"', "content-type": "text/plain; charset=utf-8" }).end("metrics need Authorization: Bearer <HEAVEN_METRICS_TOKEN>\n");
        return true;
      }
    }
    const text = await options.registry.metrics();
    res.writeHead(200, { "content-type": options.registry.contentType, "cache-control": "no-store" }).end(req.method === "HEAD" ? undefined : text);
    return true;
  };
}

const digest = (value: string) => createHash("sha256").update(value).digest();
