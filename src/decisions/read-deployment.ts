/**
 * A `deployment` webhook payload, read defensively into a deployment request.
 * Pure. A payload is data: nothing here is trusted to have the right shape.
 */
import { isObject, type JsonObject } from "../core/json.js";
import type { DeploymentRequest } from "../core/request.js";
import { ownerOf } from "./lock-state.js";

export type DeploymentRead =
  | { ok: true; request: DeploymentRequest; owner: string; repo: string; deploymentId: number; comment?: { number: number; id: number } | undefined }
  | { ok: false; reason: string; owner?: string; repo?: string; deploymentId?: number };


const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

/** hubot-deploy sends `hosts` as a string ("" for none, "fe" for `production/fe`); API clients may send a list. */
export function readHosts(value: unknown): string[] | undefined {
  const list = typeof value === "string" ? value.split(/[\s,]+/) : stringList(value);
  const hosts = list?.map((host) => host.trim()).filter((host) => host !== "");
  return hosts === undefined || hosts.length === 0 ? undefined : hosts;
}

function commentOf(value: unknown): { number: number; id: number } | undefined {
  if (!isObject(value)) return undefined;
  const { number, id } = value;
  const whole = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n);
  return whole(number) && whole(id) ? { number, id } : undefined;
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === "string") ? value : undefined;
}

/**
 * A deployment's payload as an object. hubot-deploy and old API clients send
 * it as a JSON string; none at all is an empty payload. undefined: neither.
 */
export function readPayload(value: unknown): JsonObject | undefined {
  if (value === undefined || value === null || value === "") return {};
  if (isObject(value)) return value;
  if (typeof value !== "string") return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The payload to act on: one heaven cannot read counts as empty. */
export function deploymentPayload(value: unknown): JsonObject {
  return readPayload(value) ?? {};
}

/** An app's deployment carrying `payload.heaven`: only then does it matter who heaven is (readDeployment's `ownLogin`). */
export function claimsToBeHeavens(event: unknown): boolean {
  if (!isObject(event) || !isObject(event.deployment)) return false;
  const { creator, payload } = event.deployment;
  return isObject(creator) && creator.type === "Bot" && isObject(deploymentPayload(payload).heaven);
}

/**
 * `ownLogin`: heaven's own account (`<app slug>[bot]`, own-login.ts). What
 * heaven wrote under `payload.heaven` for itself (where to reply, the sha a
 * comment asked for, the checks a merged branch had) is believed only of a
 * deployment that account created: another app that may create deployments
 * must not be able to skip CI or aim heaven's replies.
 */
export function readDeployment(event: unknown, ownLogin?: string): DeploymentRead {
  if (!isObject(event) || !isObject(event.deployment) || !isObject(event.repository)) {
    return { ok: false, reason: "the event has no deployment or repository" };
  }
  const { deployment, repository } = event;
  const owner = isObject(repository.owner) ? text(repository.owner.login) : undefined;
  const repo = text(repository.name);
  const deploymentId = typeof deployment.id === "number" ? deployment.id : undefined;
  if (owner === undefined || repo === undefined || deploymentId === undefined) {
    return { ok: false, reason: "the event names no repository owner, repository or deployment id" };
  }
  const where = { owner, repo, deploymentId };
  const sha = text(deployment.sha);
  const environment = text(deployment.environment);
  const cloneUrl = text(repository.clone_url);
  if (sha === undefined) return { ok: false, reason: "the deployment has no sha", ...where };
  if (environment === undefined) return { ok: false, reason: "the deployment has no environment", ...where };
  if (cloneUrl === undefined) return { ok: false, reason: "the repository has no clone_url", ...where };

  const payload = deploymentPayload(deployment.payload);
  const creator = isObject(deployment.creator) ? text(deployment.creator.login) : undefined;
  const creatorType = isObject(deployment.creator) ? text(deployment.creator.type) : undefined;
  const ref = text(deployment.ref) ?? sha;
  const task = text(deployment.task) ?? "deploy";
  const heaven = isObject(payload.heaven) ? payload.heaven : {};
  const ours = creatorType === "Bot" && ownLogin !== undefined && creator?.toLowerCase() === ownLogin.toLowerCase();
  return {
    ok: true,
    ...where,
    // Set by heaven on a deployment it made from a pull-request comment: where to reply.
    comment: ours ? commentOf(heaven.comment) : undefined,
    request: {
      id: String(deploymentId),
      repository: { fullName: text(repository.full_name) ?? `${owner}/${repo}`, cloneUrl },
      environment,
      ref,
      sha,
      task,
      force: payload.force === true,
      payloadConfig: payload.config,
      hosts: readHosts(payload.hosts),
      // The person: hubot-deploy's chat user, not its machine user's token.
      creator: ownerOf({ creator: { login: creator ?? "unknown", type: creatorType ?? "User" }, payload }),
      defaultBranch: text(repository.default_branch),
      automatic: heaven.auto === true,
      // Set by heaven itself on a merge commit's deployment: the checks the branch's commit had.
      requiredContexts: ours ? stringList(heaven.required_contexts) : undefined,
      expectedSha: ours ? text(heaven.sha) : undefined,
      record: {
        id: deploymentId,
        sha,
        ref,
        task,
        environment,
        createdAt: text(deployment.created_at) ?? new Date(0).toISOString(),
        creator: { login: creator ?? "unknown", type: creatorType ?? "User" },
        payload,
        description: text(deployment.description) ?? null,
      },
    },
  };
}
