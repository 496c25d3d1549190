/** `pull_request.closed`: the branch's environment locks are released (after the webhook is answered). */
import type { ProviderSchemas } from "../decisions/resolve-config.js";
import type { Context } from "probot";
import type { OutboxWriter } from "../github/outbox.js";
import { releaseBranchLocks } from "../github/release-branch-locks.js";

export interface PullRequestHandlerOptions {
  providers: ProviderSchemas;
  defaultTimeoutSeconds: number;
  outbox: OutboxWriter;
}

export function handlePullRequestClosed(options: PullRequestHandlerOptions) {
  return async (context: Context<"pull_request.closed">): Promise<void> => {
    const { pull_request: pull, repository, sender, installation } = context.payload;
    // A fork's branch cannot hold a lock in this repository.
    if (pull.head.repo?.full_name !== repository.full_name || installation === undefined) return;
    const io = {
      ...options,
      octokit: context.octokit,
      owner: repository.owner.login,
      repo: repository.name,
      defaultBranch: repository.default_branch,
      installationId: installation.id,
    };
    const closed = { branch: pull.head.ref, number: pull.number, merged: pull.merged === true, actor: pull.merged_by?.login ?? sender.login };
    void releaseBranchLocks(io, closed).then(
      (released) => released.length > 0 && context.log.info({ branch: closed.branch, released }, "released branch locks"),
      (error: unknown) => context.log.error({ err: error, branch: closed.branch }, "could not release branch locks"),
    );
  };
}
