/**
 * Step (Heaven's rule): a branch being deployed gets the default branch
 * merged into it first. The merge commit is a different commit from the one
 * this deployment records, so it ships as a deployment of its own, created
 * here: GitHub's records then say which commit runs where (rollback,
 * auto-deploy and a restarted heaven read them), and this one ends inactive.
 */
import type { DeploymentConfig } from "../../core/config.js";
import { isObject } from "../../core/json.js";
import type { LogSink } from "../../core/log.js";
import type { DeploymentOutcome } from "../../core/outcome.js";
import type { DeploymentRequest } from "../../core/request.js";
import { isFullSha } from "../../core/sha.js";
import type { DeploymentSources } from "../../core/sources.js";
import { ownerOf } from "../../decisions/lock-state.js";
import { contextsReportedOn } from "./check-ci.js";

export async function mergeDefaultBranch(
  request: DeploymentRequest,
  config: DeploymentConfig,
  sources: DeploymentSources,
  log: LogSink,
): Promise<{ kind: "unchanged" } | DeploymentOutcome> {
  const { defaultBranch, record } = request;
  if (
    sources.mergeDefaultBranch === undefined ||
    sources.createDeployment === undefined ||
    defaultBranch === undefined ||
    record === undefined ||
    request.ref === defaultBranch ||
    isFullSha(request.ref) ||
    !config.mergeDefaultBranch ||
    record.payload.merge_default_branch === false
  ) {
    return { kind: "unchanged" };
  }
  const merge = await sources.mergeDefaultBranch(request.ref, defaultBranch, request.sha);
  switch (merge.kind) {
    case "up-to-date":
      log.note(`${request.ref} already contains ${defaultBranch}`);
      return { kind: "unchanged" };
    case "conflict":
      return { kind: "merge-conflict", branch: request.ref, defaultBranch };
    case "not-mergeable":
      log.note(`not merging ${defaultBranch} into ${request.ref}: ${merge.reason}`);
      return { kind: "unchanged" };
    case "merged":
      break;
  }
  log.note(`merged ${defaultBranch} into ${request.ref} as ${merge.sha}; it deploys as a new deployment`);
  // A fresh merge commit has reported no CI yet: it must pass what the branch's commit reported.
  const contexts = await contextsReportedOn(request.sha, config, sources);
  const { heaven, notify } = record.payload;
  const created = await sources.createDeployment({
    ref: request.ref,
    environment: request.environment,
    task: request.task,
    payload: {
      ...record.payload,
      notify: { ...(isObject(notify) ? notify : {}), user: ownerOf(record) },
      merge_default_branch: false,
      heaven: { ...(isObject(heaven) ? heaven : {}), merged_for: record.id, ...(contexts !== undefined ? { required_contexts: contexts } : {}) },
    },
    description: `${defaultBranch} merged into ${request.ref} for deployment ${record.id}`,
  });
  log.note(`deployment ${created.id} ships ${merge.sha}`);
  return { kind: "merged", branch: request.ref, defaultBranch, sha: merge.sha, id: created.id };
}
