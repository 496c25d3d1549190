/**
 * A pull-request command as the deployment heaven creates for it, or the
 * reason it will not. Pure. The deployment carries the person
 * (`notify`), the comment to reply to and the command (`heaven`), so locks,
 * statuses and every other client see it like any other deployment.
 */
import type { NewDeployment } from "../core/sources.js";
import { LOCK_TASK, ROLLBACK_TASK, UNLOCK_TASK } from "../core/record.js";
import type { Command } from "./parse-command.js";
import type { CommandComment } from "./read-comment.js";

export interface PullRequestState {
  state: "open" | "closed";
  headSha: string;
  headRef: string;
  fromFork: boolean;
  baseRef: string;
}

export type CommandPlan = { kind: "create"; deployment: NewDeployment } | { kind: "refuse"; message: string };

type Acting = Extract<Command, { kind: "deploy" | "lock" | "unlock" | "rollback" }>;

export interface PlanInput {
  command: Acting;
  text: string;
  comment: CommandComment;
  environment: string;
  /** Read for deploy commands only: the pull request now, and when its head commit was made. */
  pull?: PullRequestState | undefined;
  headCommittedAt?: number | undefined;
  allowForks: boolean;
}

export function planCommand(input: PlanInput): CommandPlan {
  const { command, comment, environment } = input;
  const heaven = { comment: { number: comment.number, id: comment.commentId }, command: input.text };
  const base = { environment, payload: { notify: { user: comment.login, user_name: comment.login }, heaven } };
  switch (command.kind) {
    case "lock":
      return create({
        ...base,
        ref: comment.defaultBranch,
        task: LOCK_TASK,
        payload: { ...base.payload, reason: command.reason ?? `locked from #${comment.number}`, ...(command.ttlSeconds === undefined ? {} : { ttl: command.ttlSeconds }) },
        description: command.reason ?? `locked by @${comment.login}`,
      });
    case "unlock":
      return create({ ...base, ref: comment.defaultBranch, task: UNLOCK_TASK, description: `unlocked by @${comment.login}` });
    case "rollback":
      return create({ ...base, ref: comment.defaultBranch, task: ROLLBACK_TASK, description: `rollback requested by @${comment.login}` });
    case "deploy":
      return planDeploy(command, input, { environment, notify: base.payload.notify, heaven });
  }
}

function planDeploy(
  command: Extract<Command, { kind: "deploy" }>,
  input: PlanInput,
  base: { environment: string; notify: Record<string, string>; heaven: Record<string, unknown> },
): CommandPlan {
  const { pull, comment } = input;
  if (pull === undefined) return { kind: "refuse", message: "heaven could not read this pull request; comment again" };
  if (pull.fromFork && !input.allowForks) {
    return { kind: "refuse", message: `this pull request comes from a fork; heaven deploys forks only where allow_forks: true is set for ${base.environment}` };
  }
  if (command.ref === undefined && pull.state !== "open") return { kind: "refuse", message: "this pull request is closed; reopen it, or name the ref to deploy" };
  // A commit pushed after the comment was written must not ship unseen.
  if (command.ref === undefined && input.headCommittedAt !== undefined && input.headCommittedAt > comment.createdAt) {
    return { kind: "refuse", message: `the head moved to ${pull.headSha.slice(0, 7)} after your comment; comment again to deploy it` };
  }
  const forced = command.force ? { force: true, merge_default_branch: false } : {};
  // The branch is what GitHub resolves at creation; the sha seen here is what the pipeline insists on.
  const heaven = { ...base.heaven, ...(command.ref === undefined ? { sha: pull.headSha } : {}) };
  return create({
    environment: base.environment,
    // A fork's branch name means nothing in this repository (or names another branch): its head commit does.
    ref: command.ref ?? (pull.fromFork ? pull.headSha : pull.headRef),
    task: command.task,
    payload: { notify: base.notify, heaven, ...forced, ...(command.hosts === undefined ? {} : { hosts: command.hosts.join(",") }) },
    description: `${command.force ? "forced deploy" : "deploy"} requested by @${comment.login} in #${comment.number}`,
  });
}

function create(deployment: NewDeployment): CommandPlan {
  return { kind: "create", deployment };
}
