/**
 * Did a write that may have reached GitHub (sent before a restart, or
 * answered with a 5xx or not at all) land after all? Asked before sending it
 * again, for the writes where a second copy does harm: a final deployment
 * status (a repeated success is noise in the deployment's history) and a
 * create-deployment (a second deployment deploys twice), a reply's first
 * comment (a second comment says everything twice; found by its exact body,
 * made since the write was queued). Intermediate statuses and commit
 * statuses (the same context replaces itself) are just sent again.
 */
import { z } from "zod";
import { isObject } from "../core/json.js";
import { deploymentPayload } from "../decisions/read-deployment.js";
import { COMMENT_ROUTE, type OutboxOctokit, type OutboxWrite } from "./outbox-state.js";

/** What the check found: `comment`, the reply's comment that landed (its group's later writes edit it). */
export type Landed = { landed: false } | { landed: true; comment?: number | undefined };

export function needsDeliveryCheck(write: OutboxWrite): boolean {
  if (write.route === "POST /repos/{owner}/{repo}/deployments" || write.route === COMMENT_ROUTE) return true;
  return write.route === "POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses" && !write.supersedable;
}

const repoParams = z.object({ owner: z.string(), repo: z.string() });
const statusParams = repoParams.extend({ deployment_id: z.union([z.number(), z.string()]), state: z.string(), description: z.string().optional() });
const deploymentParams = repoParams.extend({ ref: z.string(), environment: z.string().optional(), task: z.string().optional() });
const statusList = z.array(z.object({ state: z.string(), description: z.string().nullish() }));
const deploymentList = z.array(z.object({ payload: z.unknown() }));
const commentParams = repoParams.extend({ issue_number: z.union([z.number(), z.string()]), body: z.string() });
const commentList = z.array(z.object({ id: z.number(), body: z.string().nullish() }));
/** Clocks differ: a comment GitHub dates a little before the write was queued is still this write's. */
const CLOCK_SLACK_MS = 5 * 60_000;

/**
 * True when GitHub already has the write. Throws what Octokit throws (the
 * caller retries it like a write). A write whose params do not say where it
 * goes cannot be checked: it is sent, and GitHub's 4xx says what is wrong.
 */
export async function isAlreadyDelivered(octokit: OutboxOctokit, write: OutboxWrite, createdAt: number, request: Record<string, unknown>): Promise<Landed> {
  if (write.route === COMMENT_ROUTE) return findComment(octokit, write, createdAt, request);
  return { landed: await hasRecord(octokit, write, request) };
}

async function hasRecord(octokit: OutboxOctokit, write: OutboxWrite, request: Record<string, unknown>): Promise<boolean> {
  if (write.route === "POST /repos/{owner}/{repo}/deployments") {
    const params = deploymentParams.safeParse(write.params).data;
    if (params === undefined) return false;
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/deployments", {
      owner: params.owner,
      repo: params.repo,
      ref: params.ref,
      // GitHub's defaults, stated: the list filters on them.
      environment: params.environment ?? "production",
      task: params.task ?? "deploy",
      per_page: 100,
      request,
    });
    return parseList(deploymentList, data, write).some((deployment) => {
      const { heaven } = deploymentPayload(deployment.payload);
      return isObject(heaven) && heaven.key === write.key;
    });
  }
  const params = statusParams.safeParse(write.params).data;
  if (params === undefined) return false;
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", {
    owner: params.owner,
    repo: params.repo,
    deployment_id: params.deployment_id,
    per_page: 100,
    request,
  });
  const description = params.description ?? "";
  return parseList(statusList, data, write).some((status) => status.state === params.state && (status.description ?? "") === description);
}

async function findComment(octokit: OutboxOctokit, write: OutboxWrite, createdAt: number, request: Record<string, unknown>): Promise<Landed> {
  const params = commentParams.safeParse(write.params).data;
  if (params === undefined) return { landed: false };
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", {
    owner: params.owner,
    repo: params.repo,
    issue_number: params.issue_number,
    since: new Date(createdAt - CLOCK_SLACK_MS).toISOString(),
    per_page: 100,
    request,
  });
  const found = parseList(commentList, data, write).find((comment) => comment.body === params.body);
  return found === undefined ? { landed: false } : { landed: true, comment: found.id };
}

function parseList<T>(schema: z.ZodType<T>, data: unknown, write: OutboxWrite): T {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  throw new Error(`outbox write ${write.key}: GitHub answered the delivery check with something that is not a list`);
}
