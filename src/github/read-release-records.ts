/**
 * The Deployments API reads the release-state API is built on, typed by
 * route: a repository's records, an environment's history (paged), a
 * record's statuses, and which installation serves a repository. Each is one
 * GET (one a page), so conditional-requests.ts can make repeats free.
 */
import { isObject } from "../core/json.js";
import type { DeploymentRecord } from "../core/record.js";
import type { StatusSeen } from "../decisions/deployment-outcome.js";
import { isDeployTask } from "../decisions/is-deploy-task.js";
import { toRecord, type RequestApi } from "./deployments-api.js";

export interface RepoTarget {
  owner: string;
  repo: string;
}

export interface PagingApi extends RequestApi {
  paginate: {
    iterator(route: "GET /repos/{owner}/{repo}/deployments", params: RepoTarget & { environment?: string; per_page: number }): AsyncIterable<{ data: unknown }>;
  };
}

const str = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);
const records = (data: unknown) => (Array.isArray(data) ? data : []).map(toRecord).filter((r): r is DeploymentRecord => r !== undefined);

/** The repository's newest 100 records of every environment and task (deploys and locks): one request. */
export async function listRepoRecords(api: RequestApi, target: RepoTarget): Promise<DeploymentRecord[]> {
  const { data } = await api.request("GET /repos/{owner}/{repo}/deployments", { ...target, per_page: 100 });
  return records(data);
}

export interface HistoryQuery {
  /** undefined: every environment. */
  environment: string | undefined;
  /** Only deployments with a lower id (older); undefined: from the newest. */
  before: number | undefined;
  limit: number;
}

/**
 * Up to `limit` deploys of `environment` older than deployment `before`
 * (all, without it), newest first: a page of 100 per request, stopping at
 * the first page that fills the list.
 */
export async function listHistoryRecords(api: PagingApi, target: RepoTarget, query: HistoryQuery): Promise<DeploymentRecord[]> {
  const found: DeploymentRecord[] = [];
  const filter = query.environment === undefined ? {} : { environment: query.environment };
  for await (const page of api.paginate.iterator("GET /repos/{owner}/{repo}/deployments", { ...target, ...filter, per_page: 100 })) {
    const older = records(page.data).filter((r) => isDeployTask(r.task) && (query.before === undefined || r.id < query.before));
    found.push(...older);
    if (found.length >= query.limit) break;
  }
  return found.sort((a, b) => b.id - a.id).slice(0, query.limit);
}

export function toStatus(item: unknown): StatusSeen | undefined {
  if (!isObject(item) || typeof item.state !== "string") return undefined;
  return {
    id: typeof item.id === "number" ? item.id : undefined,
    state: item.state,
    createdAt: str(item.created_at) ?? "",
    description: str(item.description) ?? "",
    logUrl: str(item.log_url) ?? str(item.target_url),
    environmentUrl: str(item.environment_url),
  };
}

/** Every status of a deployment (GitHub keeps a handful; 100 is one page): one request. */
export async function listStatuses(api: RequestApi, target: RepoTarget, deploymentId: number): Promise<StatusSeen[]> {
  const { data } = await api.request("GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", { ...target, deployment_id: deploymentId, per_page: 100 });
  return (Array.isArray(data) ? data : []).map(toStatus).filter((s): s is StatusSeen => s !== undefined);
}

/** The installation of heaven's App on the repository, asked with the App's JWT; undefined when heaven is not installed there. */
export async function getRepoInstallation(appApi: RequestApi, target: RepoTarget): Promise<number | undefined> {
  try {
    const { data } = await appApi.request("GET /repos/{owner}/{repo}/installation", { ...target });
    return isObject(data) && typeof data.id === "number" ? data.id : undefined;
  } catch (error) {
    if (isObject(error) && error.status === 404) return undefined;
    throw error;
  }
}
