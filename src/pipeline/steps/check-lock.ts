/**
 * Environment locks in the pipeline. The lock state is replayed from the
 * environment's deployment records (one API call) every time, inside the
 * environment's lane, so two lock requests are ordered and never race, and a
 * restarted heaven knows every lock.
 */
import { applyRecord, currentLockState, lockStateBefore, ownerOf, type LockRules } from "../../decisions/lock-state.js";
import { ROLLBACK_TASK, type DeploymentRecord } from "../../core/record.js";
import type { DeploymentRequest } from "../../core/request.js";
import type { DeploymentSources } from "../../core/sources.js";
import type { Lock } from "../../core/lock.js";
import type { DeploymentOutcome } from "../../core/outcome.js";
import type { DeploymentConfig } from "../../core/config.js";
import type { LogSink } from "../../core/log.js";

export type LockCheck = { kind: "free" } | { kind: "forced"; over: Lock } | { kind: "refused"; outcome: DeploymentOutcome };

/**
 * The lock state this deployment meets: what every earlier record left — or,
 * for a deployment coming back after waiting for CI, every record but its
 * own, so a lock taken while it waited holds it off.
 */
async function replay(request: DeploymentRequest, config: DeploymentConfig, sources: DeploymentSources, resumed: boolean) {
  const own = request.record;
  if (sources.environmentRecords === undefined || own === undefined || request.defaultBranch === undefined) return undefined;
  const rules: LockRules = { defaultBranch: request.defaultBranch, ttlSeconds: config.lockTtlSeconds };
  const records = (await sources.environmentRecords(request.environment)).filter((record) => record.id !== own.id);
  const now = new Date().toISOString();
  const state = resumed ? currentLockState(records, rules, now) : lockStateBefore(records, { ...rules, beforeId: own.id, now });
  return { state, rules, record: own };
}

/** Is the environment locked against this deployment? */
export async function checkLock(
  request: DeploymentRequest,
  config: DeploymentConfig,
  sources: DeploymentSources,
  log: LogSink,
  resumed: boolean,
): Promise<LockCheck> {
  const replayed = await replay(request, config, sources, resumed);
  if (replayed === undefined) {
    log.note("locks not checked: no deployment records to read them from");
    return { kind: "free" };
  }
  // A rollback request is judged as the deployment it will become.
  const record = request.task === ROLLBACK_TASK ? { ...replayed.record, task: "deploy", ref: replayed.record.sha } : replayed.record;
  const { effect } = applyRecord(replayed.state, record, replayed.rules);
  switch (effect.kind) {
    case "deploy-refused":
      return { kind: "refused", outcome: { kind: "environment-locked", environment: request.environment, holder: effect.holder } };
    case "deploy-forced":
      log.note(`${request.environment} is locked by @${effect.over.owner}; deploying anyway: the deployment is forced`);
      return { kind: "forced", over: effect.over };
    case "deploy-allowed":
      if (effect.lockedForDeployer?.kind === "branch") {
        log.note(
          `${request.environment} is now locked for @${effect.lockedForDeployer.owner} (branch ${request.ref}) until they unlock it, ` +
            `deploy ${request.defaultBranch ?? "the default branch"}, or the branch's pull request is merged or closed`,
        );
      }
      if (effect.released !== undefined) log.note(`this deployment releases @${effect.released.owner}'s branch lock`);
      return { kind: "free" };
    default:
      return { kind: "free" };
  }
}

/** `deploy:lock` and `deploy:unlock`: no provider runs; the status is the answer. */
export async function handleLockTask(
  request: DeploymentRequest,
  config: DeploymentConfig,
  sources: DeploymentSources,
  log: LogSink,
): Promise<DeploymentOutcome> {
  const replayed = await replay(request, config, sources, false);
  if (replayed === undefined) return { kind: "locks-unavailable" };
  const { effect } = applyRecord(replayed.state, replayed.record, replayed.rules);
  log.note(`lock request ${request.task} by @${ownerOf(replayed.record)}: ${effect.kind}`);
  switch (effect.kind) {
    case "locked":
      return { kind: "locked", lock: effect.lock, relocked: false };
    case "relocked":
      return { kind: "locked", lock: effect.lock, relocked: true };
    case "lock-refused":
      return { kind: "lock-refused", holder: effect.holder };
    case "unlocked":
      return { kind: "unlocked", by: ownerOf(replayed.record), reason: unlockReason(replayed.record), previous: effect.previous };
    case "was-unlocked":
      return { kind: "unlocked", by: ownerOf(replayed.record), reason: unlockReason(replayed.record), previous: undefined };
    default:
      return { kind: "bad-request", message: `heaven does not know what ${request.task} should do here` };
  }
}

function unlockReason(record: DeploymentRecord): string | undefined {
  const reason = record.description ?? record.payload.reason;
  return typeof reason === "string" && reason !== "" ? reason : undefined;
}
