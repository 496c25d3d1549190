/**
 * Who may read `/api/repos/{owner}/{repo}/…`: the caller sends a GitHub token
 * (`Authorization: Bearer <token>`, or the dashboard's session cookie), GitHub says whether its person can read
 * the repository, and heaven must be installed there. A repository the
 * person cannot see and one heaven does not serve both answer 404, so the
 * API tells nobody that a private repository exists.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { RepoAccessCheck } from "../github/check-repo-access.js";
import type { RepoTarget } from "../github/read-release-records.js";

export interface ReleaseApiAuth {
  access: Pick<RepoAccessCheck, "check">;
  /** The installation serving the repository (kept briefly), undefined when heaven is not installed there. */
  installationOf(target: RepoTarget): Promise<number | undefined>;
  /** A signed-in dashboard session's token (the person's own), used when no Authorization header is sent. */
  sessionToken?: (req: IncomingMessage) => string | undefined;
}

export type Authorized = { target: RepoTarget; installationId: number; defaultBranch: string };

const NAME = "[A-Za-z0-9._-]{1,100}";
const JSON_HEADERS = { "content-type": "application/json; charset=utf-8", "cache-control": "private, no-store" };

/** `/api/repos/{owner}/{repo}/{what}` → the target, or undefined for any other path. */
export function matchRepoPath(pathname: string, what: string): RepoTarget | undefined {
  const match = new RegExp(`^/api/repos/(${NAME})/(${NAME})/${what}/?$`).exec(pathname);
  if (match === null || match[1] === undefined || match[2] === undefined || [match[1], match[2]].some((p) => p === "." || p === "..")) return undefined;
  return { owner: match[1], repo: match[2] };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...JSON_HEADERS, ...headers }).end(`${JSON.stringify(body)}\n`);
}

const bearer = (req: IncomingMessage) => /^(?:Bearer|token)\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "")?.[1];

/** Authorizes the request, or answers it (401, 404, 405, 502) and returns undefined. */
export async function authorize(req: IncomingMessage, res: ServerResponse, target: RepoTarget, auth: ReleaseApiAuth): Promise<Authorized | undefined> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    sendJson(res, 405, { error: "only GET and HEAD" }, { allow: "GET, HEAD" });
    return undefined;
  }
  const token = bearer(req) ?? auth.sessionToken?.(req);
  const challenge = { "www-authenticate": 'Bearer realm="heaven"' };
  if (token === undefined) {
    sendJson(res, 401, { error: "send a GitHub token that can read the repository: Authorization: Bearer <token>" }, challenge);
    return undefined;
  }
  try {
    const access = await authorizeToken(token, target, auth);
    if (access.kind === "bad-token") {
      sendJson(res, 401, { error: "GitHub does not accept this token" }, challenge);
      return undefined;
    }
    if (access.kind === "not-found") return void sendJson(res, 404, { error: `${target.owner}/${target.repo} is not a repository heaven deploys that this token can read` });
    return access.authorized;
  } catch (error) {
    sendJson(res, 502, { error: `could not ask GitHub: ${error instanceof Error ? error.message : String(error)}` });
    return undefined;
  }
}

/** The same rule for any caller holding the person's token (the dashboard's pages): throws when GitHub cannot be asked. */
export async function authorizeToken(token: string, target: RepoTarget, auth: Pick<ReleaseApiAuth, "access" | "installationOf">): Promise<{ kind: "authorized"; authorized: Authorized } | { kind: "bad-token" } | { kind: "not-found" }> {
  const access = await auth.access.check(token, target);
  if (access.kind === "bad-token") return { kind: "bad-token" };
  if (access.kind === "hidden") return { kind: "not-found" };
  const installationId = await auth.installationOf(target);
  if (installationId === undefined) return { kind: "not-found" };
  return { kind: "authorized", authorized: { target, installationId, defaultBranch: access.defaultBranch } };
}

/** A reader of which installation serves a repository, keeping each answer for `ttlMs`. */
export function cachedInstallations(lookup: (target: RepoTarget) => Promise<number | undefined>, ttlMs: number, now: () => number = Date.now) {
  const kept = new Map<string, { id: number | undefined; until: number }>();
  return async (target: RepoTarget): Promise<number | undefined> => {
    const key = `${target.owner}/${target.repo}`.toLowerCase();
    const before = kept.get(key);
    if (before !== undefined && before.until > now()) return before.id;
    const id = await lookup(target);
    if (kept.size >= 1000) kept.clear();
    kept.set(key, { id, until: now() + ttlMs });
    return id;
  };
}
