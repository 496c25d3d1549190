/**
 * GET /api/repos/{owner}/{repo}/deployments?environment=&before=&limit=:
 * deploy history, newest first, with outcome, duration and log link
 * (decisions/derive-deployment-history.ts); `before` (a deployment id) pages
 * back, and `next` is the URL of the next page. Authorized by release-api-auth.ts.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { deriveHistory, type HistoryItem } from "../decisions/derive-deployment-history.js";
import type { ReleaseReader } from "../github/release-reader.js";
import { freshLogLink } from "./fresh-log-link.js";
import { authorize, matchRepoPath, sendJson, type Authorized, type ReleaseApiAuth } from "./release-api-auth.js";

export interface DeploymentsRouteOptions {
  auth: ReleaseApiAuth;
  reader: Pick<ReleaseReader, "history">;
  logSecret: string;
  /** HEAVEN_LOG_LINK_TTL: a re-signed log link lasts this long (undefined: it never expires). */
  logLinkTtlSeconds: number | undefined;
  now?: () => number;
}

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 50;

export type Query = { environment: string | undefined; before: number | undefined; limit: number };

function readQuery(params: URLSearchParams): Query | string {
  const environment = params.get("environment")?.trim() || undefined;
  const before = params.get("before");
  const limit = params.get("limit");
  if (before !== null && !/^[1-9]\d{0,15}$/.test(before)) return "before must be a deployment id";
  if (limit !== null && !(/^\d{1,3}$/.test(limit) && Number(limit) >= 1 && Number(limit) <= MAX_LIMIT)) return `limit must be 1 to ${MAX_LIMIT}`;
  return { environment, before: before === null ? undefined : Number(before), limit: limit === null ? DEFAULT_LIMIT : Number(limit) };
}

function nextPage(pathname: string, query: Query, items: readonly HistoryItem[]): string | null {
  const oldest = items[items.length - 1];
  if (items.length < query.limit || oldest === undefined) return null;
  const params = new URLSearchParams({ ...(query.environment === undefined ? {} : { environment: query.environment }), before: String(oldest.deploymentId), limit: String(query.limit) });
  return `${pathname}?${params.toString()}`;
}

/** History items with log links that open, for any caller already authorized (the dashboard's pages show the same). */
export async function readHistory(options: Omit<DeploymentsRouteOptions, "auth">, authorized: Authorized, query: Query): Promise<HistoryItem[]> {
  const fullName = `${authorized.target.owner}/${authorized.target.repo}`;
  const now = (options.now ?? Date.now)();
  return deriveHistory(await options.reader.history(authorized.installationId, authorized.target, query)).map((item) => ({
    ...item,
    logUrl: item.logUrl === null ? null : freshLogLink(item.logUrl, { fullName, deploymentId: item.deploymentId, secret: options.logSecret, ttlSeconds: options.logLinkTtlSeconds, now }),
  }));
}

export function deploymentsRoute(options: DeploymentsRouteOptions) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? "/", "http://heaven.invalid");
    const target = matchRepoPath(url.pathname, "deployments");
    if (target === undefined) return false;
    const authorized = await authorize(req, res, target, options.auth);
    if (authorized === undefined) return true;
    const query = readQuery(url.searchParams);
    if (typeof query === "string") {
      sendJson(res, 400, { error: query });
      return true;
    }
    const fullName = `${target.owner}/${target.repo}`;
    try {
      const items = await readHistory(options, authorized, query);
      sendJson(res, 200, { repository: fullName, environment: query.environment ?? null, deployments: items, next: nextPage(url.pathname, query, items) });
    } catch (error) {
      sendJson(res, 502, { error: `could not read ${fullName}'s deployments from GitHub: ${error instanceof Error ? error.message : String(error)}` });
    }
    return true;
  };
}
