/**
 * GET /api/repos/{owner}/{repo}/environments: what is deployed where, what
 * runs, waits and is parked, locks and auto-deploy, per environment
 * (decisions/derive-release-state.ts), from GitHub's records and heaven's
 * queue. Authorized by release-api-auth.ts.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { DeployQueue } from "../core/queue.js";
import { deriveReleaseState, queuedWork, type EnvironmentState } from "../decisions/derive-release-state.js";
import type { ReleaseReader } from "../github/release-reader.js";
import { authorize, matchRepoPath, sendJson, type Authorized, type ReleaseApiAuth } from "./release-api-auth.js";

export interface EnvironmentsRouteOptions {
  auth: ReleaseApiAuth;
  reader: Pick<ReleaseReader, "environments">;
  queue: Pick<DeployQueue, "list">;
  /** The checks a parked job waits for (parked-checks.ts). */
  waitingFor: (jobKey: string) => readonly string[] | undefined;
  now?: () => number;
}

/** The route's answer, for any caller already authorized (the dashboard's pages render the same view). */
export async function readEnvironments(options: Omit<EnvironmentsRouteOptions, "auth">, authorized: Authorized): Promise<{ repository: string; defaultBranch: string; environments: EnvironmentState[] }> {
  const fullName = `${authorized.target.owner}/${authorized.target.repo}`;
  const [read, entries] = await Promise.all([options.reader.environments(authorized.installationId, authorized.target), options.queue.list()]);
  const environments = deriveReleaseState({
    records: read.records,
    queue: queuedWork(entries, fullName, options.waitingFor),
    configured: read.configured,
    defaultBranch: authorized.defaultBranch,
    now: new Date((options.now ?? Date.now)()).toISOString(),
  });
  return { repository: fullName, defaultBranch: authorized.defaultBranch, environments };
}

export function environmentsRoute(options: EnvironmentsRouteOptions) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const target = matchRepoPath(new URL(req.url ?? "/", "http://heaven.invalid").pathname, "environments");
    if (target === undefined) return false;
    const authorized = await authorize(req, res, target, options.auth);
    if (authorized === undefined) return true;
    const fullName = `${target.owner}/${target.repo}`;
    try {
      sendJson(res, 200, await readEnvironments(options, authorized));
    } catch (error) {
      sendJson(res, 502, { error: `could not read ${fullName}'s deployments from GitHub: ${error instanceof Error ? error.message : String(error)}` });
    }
    return true;
  };
}
