/**
 * One deployment, start to finish, as a list of steps: check the request,
 * load the configuration, answer a lock task or check the lock, roll back,
 * merge the default branch, check CI (or park), then check out and run the
 * provider. The reads and the checkout those steps need start together at
 * the beginning (head-start.ts); the steps still decide in this order. Each step returns what the next takes or an outcome; whatever
 * goes wrong ends as an outcome (never an exception), which the caller turns
 * into a `finished` event.
 */
import type { DeploymentConfig } from "../core/config.js";
import type { DeploymentEvent } from "../core/events.js";
import type { DeploymentJob } from "../core/job.js";
import type { Lock } from "../core/lock.js";
import type { DeploymentOutcome } from "../core/outcome.js";
import { ROLLBACK_TASK, LOCK_TASK, UNLOCK_TASK } from "../core/record.js";
import { isFullSha } from "../core/sha.js";
import type { DeploymentSources } from "../core/sources.js";
import { describeOutcome } from "../decisions/describe-outcome.js";
import { quoted } from "../decisions/check-request.js";
import type { LogAppender } from "../core/log-store.js";
import { DeploymentLog } from "../engine/deployment-log.js";
import { logKey } from "../engine/log-links.js";
import { announceNotify } from "../notify/announce-notify.js";
import { checkCi } from "./steps/check-ci.js";
import { checkLock, handleLockTask } from "./steps/check-lock.js";
import { loadConfig } from "./steps/load-config.js";
import { mergeDefaultBranch } from "./steps/merge-default-branch.js";
import { handleRollback } from "./steps/roll-back.js";
import { checkoutAndRun, type ProviderDeps, type ProviderRun } from "./steps/run-provider.js";
import { startEarly, type HeadStart, type ReadAheadMemory } from "./head-start.js";

export interface PipelineDeps extends ProviderDeps {
  defaultTimeoutSeconds: number;
  /** Values masked in every log line. */
  secrets: readonly string[];
  /** What each lane's last deployment read, so the next one reads it early; none: CI is read when its step comes. */
  readAhead?: ReadAheadMemory | undefined;
  /** HEAVEN_LOG_MAX_BYTES; none or 0: logs are not capped. */
  logMaxBytes?: number | undefined;
  /** Where a deployment's log lines also go, by log key (scale-out mode: PostgresLogs.tee); none: the file alone. */
  logTee?: ((key: string) => LogAppender) | undefined;
}

export interface PipelineRun extends ProviderRun {
  job: DeploymentJob;
  sources: DeploymentSources;
  logPath: string;
  /** Tells the sinks; not awaited, so a slow sink never holds the provider up. */
  publish: (event: DeploymentEvent) => void;
  /** Pending CI parks the deployment; false (the command line): pending CI refuses it. */
  canPark: boolean;
  /** A newer automatic deployment waiting in the same lane, if any. */
  supersededBy?: () => Promise<{ id: string; sha: string } | undefined>;
  echo?: ((line: string) => void) | undefined;
}

export type PipelineResult =
  | { kind: "finished"; outcome: DeploymentOutcome; environmentUrl: string | undefined }
  /** `job` carries its CI deadline; it waits for CI on its own sha. */
  | { kind: "parked"; job: DeploymentJob; waiting: string[]; deadline: number }
  /** `job` carries its lock deadline; it waits for `holder`'s lock to go. */
  | { kind: "waiting-for-unlock"; job: DeploymentJob; holder: Lock; deadline: number };

/** What went wrong inside heaven (not in the deployment), as the outcome that still gets a final status. */
export function crashed(error: unknown): PipelineResult {
  return { kind: "finished", outcome: { kind: "crashed", message: error instanceof Error ? error.message : String(error) }, environmentUrl: undefined };
}

export async function runPipeline(run: PipelineRun, deps: PipelineDeps): Promise<PipelineResult> {
  const { request } = run.job;
  let log: DeploymentLog | undefined;
  let head: HeadStart | undefined;
  let result: PipelineResult;
  try {
    const tee = deps.logTee?.(logKey(request.repository.fullName, request.id));
    log = await DeploymentLog.open(run.logPath, { secrets: deps.secrets, echo: run.echo, maxBytes: deps.logMaxBytes, tee });
    log.note(`deployment ${request.id}: ${request.ref} (${request.sha}) to ${request.environment}, task ${request.task}, by ${request.creator}`);
    const refused = await precheck(run);
    if (refused !== undefined) result = { kind: "finished", outcome: refused, environmentUrl: undefined };
    else {
      const opened = log;
      head = startEarly(request, run.sources, {
        workspaces: deps.workspaces,
        memory: deps.readAhead,
        note: (text) => opened.note(text),
        addSecret: (secret) => opened.addSecret(secret),
      });
      result = await deploy(run, deps, log, head);
    }
  } catch (error) {
    result = crashed(error);
  }
  await head?.settle().catch(() => undefined);
  if (result.kind === "parked") log?.note(`waiting for CI on ${request.sha.slice(0, 7)}: ${result.waiting.join(", ")}`);
  else if (result.kind === "waiting-for-unlock") log?.note(`waiting for @${result.holder.owner}'s lock to go, until ${new Date(result.deadline).toISOString()}`);
  else {
    const status = describeOutcome(result.outcome);
    log?.note(`${status.state}: ${status.description}`);
    // The environment URL is shown only where the deployment reached it.
    if (status.state !== "success") result = { ...result, environmentUrl: undefined };
  }
  await log?.close().catch(() => undefined);
  return result;
}

/** 1–2: a request that names no commit, or one a newer automatic deployment supersedes, is not read further. */
async function precheck(run: PipelineRun): Promise<DeploymentOutcome | undefined> {
  const { request } = run.job;
  if (!isFullSha(request.sha)) return { kind: "bad-request", message: `${quoted(request.sha)} is not a commit sha` };
  if (request.expectedSha !== undefined && request.expectedSha !== request.sha) {
    const message = `${request.ref} moved to ${request.sha.slice(0, 7)} after the comment that asked for ${request.expectedSha.slice(0, 7)}; comment again to deploy it`;
    return { kind: "bad-request", message };
  }
  const newer = request.automatic === true ? await run.supersededBy?.() : undefined;
  return newer === undefined ? undefined : { kind: "superseded", by: newer };
}

async function deploy(run: PipelineRun, deps: PipelineDeps, log: DeploymentLog, head: HeadStart): Promise<PipelineResult> {
  const { job } = run;
  const { sources, timings } = head;
  const { request } = job;
  let environmentUrl: string | undefined;
  const finished = (outcome: DeploymentOutcome): PipelineResult => ({ kind: "finished", outcome, environmentUrl });

  // 3. Configuration from the default branch; the request checked against it.
  const loaded = await timings.time("config", loadConfig(request, sources, { providers: deps.providers, defaultTimeoutSeconds: deps.defaultTimeoutSeconds }));
  if (loaded.kind !== "config") return finished(loaded);
  const { config } = loaded;
  announceNotify(run, config, log, deps.hostEnv);
  environmentUrl = config.environmentUrl;
  // 4. Locks: a lock task is answered here; anything else meets the lock.
  if (request.task === LOCK_TASK || request.task === UNLOCK_TASK) return finished(await handleLockTask(request, config, sources, log));
  const lock = await checkLock(request, config, sources, log, job.ciDeadline !== undefined || job.lockDeadline !== undefined);
  if (lock.kind === "refused") {
    const wait = waitForUnlock(job, config, lock.outcome, run.canPark, Date.now());
    return wait ?? finished(lock.outcome);
  }
  // 5. A rollback becomes a new deployment of an earlier sha.
  if (request.task === ROLLBACK_TASK || request.record?.payload.rollback === true) return finished(await handleRollback(request, sources, log));
  log.note(`provider ${config.provider}, timeout ${config.timeoutSeconds} s`);
  // 6. A branch behind the default branch gets it merged in; the merge commit ships as a new deployment.
  const merged = await mergeDefaultBranch(request, config, sources, log);
  if (merged.kind !== "unchanged") return finished(merged);
  // 7. CI must be green; pending CI parks the deployment until it settles.
  const ci = await checkCi(request, config, sources, log, { canPark: run.canPark, deadline: job.ciDeadline, now: Date.now() });
  head.ciDecided();
  if (ci.kind === "outcome") return finished(ci.outcome);
  if (ci.kind === "wait") return { kind: "parked", job: { ...job, ciDeadline: ci.deadline }, waiting: ci.waiting, deadline: ci.deadline };
  // 8. Ship it.
  run.publish({ type: "started", sha: request.sha, forcedOver: lock.kind === "forced" ? lock.over : undefined, environmentUrl: config.environmentUrl });
  return finished(await checkoutAndRun(request, config, sources, log, deps, { ...run, ...head }));
}

/** With wait_for_unlock, someone else's lock parks the deployment until it goes (or the wait ends) instead of refusing it. */
function waitForUnlock(job: DeploymentJob, config: DeploymentConfig, refusal: DeploymentOutcome, canPark: boolean, now: number): PipelineResult | undefined {
  if (refusal.kind !== "environment-locked" || config.waitForUnlockSeconds === undefined || !canPark) return undefined;
  const deadline = job.lockDeadline ?? now + config.waitForUnlockSeconds * 1000;
  if (now >= deadline) return undefined;
  return { kind: "waiting-for-unlock", job: { ...job, lockDeadline: deadline }, holder: refusal.holder, deadline };
}
