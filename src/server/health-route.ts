/**
 * GET /health: liveness, 200 as long as the process serves.
 * GET /ready: readiness (decide-readiness.ts): 503 with each failed check
 * and why when heaven should not get traffic; an unreachable GitHub is
 * reported but fails readiness only with `?github=required` (README,
 * Health and metrics, says why).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { decideReadiness, type GitHubContact } from "../decisions/decide-readiness.js";

export interface HealthRouteOptions {
  dataDir: string;
  github: GitHubContact;
  /** True once the deployer's start finished (the journal is replayed). */
  journalReplayed: () => boolean;
  now?: () => number;
  /** Default 5 minutes. */
  githubWindowMs?: number;
}

/** Where readiness proves the data directory takes writes. */
export const READY_PROBE = ".ready-probe";
const PROBE_TIMEOUT_MS = 2_000;
const JSON_HEADERS = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" };

export function healthRoute(options: HealthRouteOptions) {
  const now = options.now ?? Date.now;
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? "/", "http://heaven.invalid");
    if (url.pathname !== "/health" && url.pathname !== "/ready") return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { ...JSON_HEADERS, allow: "GET, HEAD" }).end(`${JSON.stringify({ error: "only GET and HEAD" })}\n`);
      return true;
    }
    if (url.pathname === "/health") {
      res.writeHead(200, JSON_HEADERS).end(`${JSON.stringify({ status: "ok" })}\n`);
      return true;
    }
    const readiness = decideReadiness({
      settingsLoaded: true,
      journalReplayed: options.journalReplayed(),
      dataDirProblem: await probeDataDir(options.dataDir),
      github: options.github,
      now: now(),
      githubWindowMs: options.githubWindowMs ?? 5 * 60_000,
      requireGitHub: url.searchParams.get("github") === "required",
    });
    res.writeHead(readiness.httpStatus, JSON_HEADERS).end(`${JSON.stringify(readiness.body)}\n`);
    return true;
  };
}

/** Writes and removes a small file; a full disk, a read-only mount or a hung disk says so. */
async function probeDataDir(dataDir: string): Promise<string | undefined> {
  const file = join(dataDir, READY_PROBE);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`writing ${READY_PROBE} took over ${PROBE_TIMEOUT_MS / 1000} s`), PROBE_TIMEOUT_MS)));
  const attempt = writeFile(file, `${process.pid}\n`)
    .then(() => rm(file, { force: true }))
    .then(() => undefined)
    .catch((error: unknown) => (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error)));
  try {
    return await Promise.race([attempt, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
