/**
 * The deployment records the command line (and the dashboard, acting with
 * the person's own token) creates: the same tasks, payload and descriptions
 * as the pull-request commands (decisions/plan-command.ts), without a
 * comment to reply to. The person is the token's user, in
 * `payload.notify` as hubot-deploy and the PR path put it. Pure.
 */
import { LOCK_TASK, ROLLBACK_TASK, UNLOCK_TASK } from "../core/record.js";
import type { NewDeployment } from "../core/sources.js";
import { newDeploymentParams } from "./deployments-api.js";
import { checkHosts, checkTask } from "../decisions/check-request.js";

export type CliVerb =
  | { kind: "lock"; environment: string; reason?: string | undefined; ttlSeconds?: number | undefined }
  | { kind: "unlock"; environment: string }
  | { kind: "rollback"; environment: string }
  | { kind: "deploy"; environment: string; ref?: string | undefined; task?: string | undefined; force?: boolean | undefined; hosts?: string[] | undefined };

export interface CliActor {
  login: string;
  defaultBranch: string;
  /** What was typed (`heaven lock production --reason …`), kept on the record as the PR path keeps the comment's line. */
  command: string;
  /** Where the person acted, in default reasons and descriptions; default "the command line". */
  from?: string | undefined;
}

export type CliPlan = { ok: true; deployment: NewDeployment; force: boolean } | { ok: false; message: string };

/** `migrate` is hubot-deploy's `deploy:migrate`. */
export function taskOf(option: string | undefined): string {
  if (option === undefined || option.trim() === "") return "deploy";
  return option === "deploy" || option.startsWith("deploy:") ? option : `deploy:${option}`;
}

export function planCliRecord(verb: CliVerb, actor: CliActor): CliPlan {
  const from = actor.from ?? "the command line";
  const notify = { user: actor.login, user_name: actor.login };
  const base = { environment: verb.environment, payload: { notify, heaven: { command: actor.command } } };
  switch (verb.kind) {
    case "lock": {
      const payload = { ...base.payload, reason: verb.reason ?? `locked from ${from}`, ...(verb.ttlSeconds === undefined ? {} : { ttl: verb.ttlSeconds }) };
      return plan({ ...base, ref: actor.defaultBranch, task: LOCK_TASK, payload, description: verb.reason ?? `locked by @${actor.login}` });
    }
    case "unlock":
      return plan({ ...base, ref: actor.defaultBranch, task: UNLOCK_TASK, description: `unlocked by @${actor.login}` });
    case "rollback":
      return plan({ ...base, ref: actor.defaultBranch, task: ROLLBACK_TASK, description: `rollback requested by @${actor.login}` });
    case "deploy": {
      const task = taskOf(verb.task);
      const taskCheck = checkTask(task);
      if (!taskCheck.ok || [LOCK_TASK, UNLOCK_TASK, ROLLBACK_TASK].includes(task)) {
        return { ok: false, message: taskCheck.ok ? `${task} is heaven's own task: use heaven ${task.slice("deploy:".length)}` : taskCheck.message };
      }
      const hostsCheck = checkHosts(verb.hosts);
      if (!hostsCheck.ok) return { ok: false, message: hostsCheck.message };
      const force = verb.force === true;
      const payload = {
        ...base.payload,
        ...(force ? { force: true, merge_default_branch: false } : {}),
        ...(verb.hosts === undefined || verb.hosts.length === 0 ? {} : { hosts: verb.hosts.join(",") }),
      };
      const deployment = { ...base, ref: verb.ref ?? actor.defaultBranch, task, payload, description: `${force ? "forced deploy" : "deploy"} requested by @${actor.login} from ${from}` };
      return { ok: true, deployment, force };
    }
  }
}

function plan(deployment: NewDeployment): CliPlan {
  return { ok: true, deployment, force: false };
}

/**
 * The request body. Like hubot-deploy (heaven trusts a person's deployment
 * to GitHub's check at creation): a plain deploy lets GitHub check the
 * required contexts (409 on red CI); `--force`, like `deploy!`, sends
 * `required_contexts: []`, and so do locks, unlocks and rollbacks, which
 * deploy nothing of their own ref. `auto_merge: false`: heaven merges the
 * default branch itself when configured to.
 */
export function createParams(target: { owner: string; repo: string }, planned: { deployment: NewDeployment; force: boolean }): Record<string, unknown> {
  const { deployment } = planned;
  const checksCi = deployment.task !== LOCK_TASK && deployment.task !== UNLOCK_TASK && deployment.task !== ROLLBACK_TASK && !planned.force;
  const { required_contexts: _skipsCi, ...params } = newDeploymentParams(target, deployment);
  return checksCi ? params : { ...params, required_contexts: [] };
}
