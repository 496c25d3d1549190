/**
 * GET /: a small status page once the app is registered (version, uptime,
 * installations seen, the queue) instead of an empty 404; JSON when asked
 * with `Accept: application/json`. The setup page of an unregistered app is
 * Probot's own: heaven's routes are not loaded then.
 */
import { existsSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { DeployQueue } from "../core/queue.js";
import { formatDuration } from "../decisions/text.js";

export interface StatusPageOptions {
  queue: Pick<DeployQueue, "list">;
  installationsSeen: () => number;
  startedAt: number;
  now?: () => number;
}

/** The README's sections an operator looks for, by anchor. */
const DOCS = [
  ["Health and metrics", "health-and-metrics"],
  ["Logs", "logs"],
  ["Notifications", "notifications"],
  ["On a bad day", "on-a-bad-day"],
  ["Configuration", "configuration"],
] as const;

export function statusPage(options: StatusPageOptions) {
  const now = options.now ?? Date.now;
  const about = readPackage();
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (new URL(req.url ?? "/", "http://heaven.invalid").pathname !== "/" || (req.method !== "GET" && req.method !== "HEAD")) return false;
    const entries = await options.queue.list();
    const count = (state: string) => entries.filter((entry) => entry.state === state).length;
    const status = {
      name: "heaven",
      version: about.version,
      uptimeSeconds: Math.floor((now() - options.startedAt) / 1000),
      installationsSeen: options.installationsSeen(),
      queue: { queued: count("queued"), running: count("running"), parked: count("parked") },
      endpoints: { health: "/health", ready: "/ready", metrics: "/metrics" },
    };
    const json = /\bapplication\/json\b/i.test(req.headers.accept ?? "");
    res.writeHead(200, { "content-type": json ? "application/json; charset=utf-8" : "text/html; charset=utf-8", "cache-control": "no-store", vary: "Accept" });
    res.end(req.method === "HEAD" ? undefined : json ? `${JSON.stringify(status)}\n` : html(status, about.docs));
    return true;
  };
}

function html(status: { version: string; uptimeSeconds: number; installationsSeen: number; queue: Record<"queued" | "running" | "parked", number> }, docs: string | undefined): string {
  const row = (name: string, value: string | number) => `<tr><th>${name}</th><td>${value}</td></tr>`;
  const sections = DOCS.map(([title, anchor]) => (docs === undefined ? `<li>${title}</li>` : `<li><a href="${escape(docs)}#${anchor}">${title}</a></li>`)).join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>heaven</title>
<style>body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:40rem;padding:0 1rem}th{text-align:left;padding-right:2rem;font-weight:600}</style></head>
<body><h1>heaven ${escape(status.version)}</h1><p>A GitHub App that deploys code when GitHub says so.</p>
<table>${row("Up for", formatDuration(status.uptimeSeconds * 1000))}${row("Installations seen", status.installationsSeen)}${row("Queued", status.queue.queued)}${row("Running", status.queue.running)}${row("Waiting for CI or a lock", status.queue.parked)}</table>
<p><a href="/health">/health</a> · <a href="/ready">/ready</a> · <a href="/metrics">/metrics</a></p>
<p>${docs === undefined ? "In heaven's README.md:" : "Documentation:"}</p><ul>${sections}</ul></body></html>\n`;
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** heaven's package.json, found from this file in src/ (tests) or lib/src/ (the build). */
function readPackage(): { version: string; docs: string | undefined } {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { version?: unknown; homepage?: unknown };
      return { version: typeof pkg.version === "string" ? pkg.version : "unknown", docs: typeof pkg.homepage === "string" ? pkg.homepage : undefined };
    }
    if (dirname(dir) === dir) return { version: "unknown", docs: undefined };
  }
}
