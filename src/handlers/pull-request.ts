/** `pull_request.closed`: the branch's environment locks are released (after the webhook is answered, kept on disk until then). */
import type { ProviderSchemas } from "../decisions/resolve-config.js";
import type { Context } from "probot";
import type { OutboxWriter } from "../github/outbox.js";
import { releaseBranchLocks } from "../github/release-branch-locks.js";
import type { DeferredHandler } from "../github/webhook-intake.js";

export interface PullRequestHandlerOptions {
  providers: ProviderSchemas;
  defaultTimeoutSeconds: number;
  outbox: OutboxWriter;
}

type ClosedPayload = Context<"pull_request.closed">["payload"];

/** A fork's branch cannot hold a lock in this repository. */
const mayHoldLocks = ({ pull_request: pull, repository, installation }: ClosedPayload) => pull.head.repo?.full_name === repository.full_name && installation !== undefined;

export function handlePullRequestClosed(options: PullRequestHandlerOptions): DeferredHandler<ClosedPayload> {
  return {
    keep: (payload) => (mayHoldLocks(payload) ? "disk" : "drop"),
    handle: async ({ payload, octokit, log }) => {
      const { pull_request: pull, repository, sender, installation } = payload;
      if (!mayHoldLocks(payload) || installation === undefined) return;
      const io = {
        ...options,
        octokit,
        owner: repository.owner.login,
        repo: repository.name,
        defaultBranch: repository.default_branch,
        installationId: installation.id,
      };
      const closed = { branch: pull.head.ref, number: pull.number, merged: pull.merged === true, actor: pull.merged_by?.login ?? sender.login };
      const released = await releaseBranchLocks(io, closed);
      if (released.length > 0) log.info({ branch: closed.branch, released }, "released branch locks");
    },
  };
}
