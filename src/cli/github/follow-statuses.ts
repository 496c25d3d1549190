/**
 * `--wait`: follows a deployment's statuses until a final one, printing each
 * new one (state, description, log link). Conditional requests (ETag), so a
 * poll that finds nothing new costs no rate limit; a failed poll is said
 * once and tried again.
 */
import { isObject } from "../../core/json.js";
import { EXIT } from "../exit-codes.js";
import { gitHubMessage } from "../../github/create-record.js";
import type { CliOctokit } from "./client.js";
import type { RepoTarget } from "./target.js";

export interface SeenStatus {
  id: number;
  state: string;
  description: string;
  logUrl: string | undefined;
  environmentUrl: string | undefined;
  createdAt: string;
}

const FINAL = new Set(["success", "failure", "error", "inactive"]);

/** The exit status a final state means; undefined while the deployment goes on. Pure. */
export function exitCodeOf(statuses: readonly SeenStatus[]): number | undefined {
  const final = statuses.filter((status) => FINAL.has(status.state));
  // An inactive after a success is a later deployment taking over: it did succeed.
  if (final.some((status) => status.state === "success")) return EXIT.success;
  const first = final[0];
  if (first === undefined) return undefined;
  return first.state === "failure" ? EXIT.failure : EXIT.error;
}

export function toSeen(item: unknown): SeenStatus | undefined {
  if (!isObject(item) || typeof item.id !== "number" || typeof item.state !== "string") return undefined;
  const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
  return {
    id: item.id,
    state: item.state,
    description: text(item.description) ?? "",
    logUrl: text(item.log_url) ?? text(item.target_url),
    environmentUrl: text(item.environment_url),
    createdAt: text(item.created_at) ?? "",
  };
}

export interface FollowOptions {
  intervalMs: number;
  print: (status: SeenStatus) => void;
  /** Said once per run of failed polls, and once when nothing has come for `quietMs`. */
  warn: (message: string) => void;
  quietMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function followStatuses(octokit: CliOctokit, target: RepoTarget, id: number, options: FollowOptions): Promise<{ code: number; statuses: SeenStatus[] }> {
  const sleep = options.sleep ?? pause;
  const seen = new Map<number, SeenStatus>();
  let etag: string | undefined;
  let failing = false;
  let quietFor = 0;
  for (;;) {
    try {
      const response = await octokit.request("GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", {
        ...target,
        deployment_id: id,
        per_page: 100,
        headers: etag === undefined ? {} : { "if-none-match": etag },
      });
      etag = typeof response.headers.etag === "string" ? response.headers.etag : undefined;
      failing = false;
      // GitHub lists newest first: print oldest first.
      const fresh = (Array.isArray(response.data) ? response.data : []).map(toSeen).filter((s): s is SeenStatus => s !== undefined && !seen.has(s.id)).reverse();
      for (const status of fresh) {
        seen.set(status.id, status);
        options.print(status);
      }
      if (fresh.length > 0) quietFor = 0;
    } catch (error) {
      const status = isObject(error) ? error.status : undefined;
      if (status === 401 || status === 403 || status === 404) {
        options.warn(`cannot read the statuses of deployment ${id}: ${gitHubMessage(error)}`);
        return { code: EXIT.error, statuses: [...seen.values()] };
      }
      if (status !== 304 && !failing) options.warn(`could not read the statuses (${gitHubMessage(error)}); trying again`);
      failing = status !== 304;
    }
    const statuses = [...seen.values()];
    const code = exitCodeOf(statuses);
    if (code !== undefined) return { code, statuses };
    quietFor += options.intervalMs;
    if (seen.size === 0 && options.quietMs !== undefined && quietFor >= options.quietMs && quietFor - options.intervalMs < options.quietMs) {
      options.warn(`no status on deployment ${id} after ${Math.round(options.quietMs / 1000)} s: is heaven running and receiving this repository's webhooks?`);
    }
    await sleep(options.intervalMs);
  }
}
