/**
 * One deployment, start to finish: configuration, CI gate, checkout,
 * provider, final status. Every way it can go wrong ends as an outcome that
 * describeOutcome turns into a status a person understands; nothing throws
 * past this function.
 */
import { existsSync } from "node:fs";
import { evaluateCi } from "../decisions/ci-gate.js";
import { describeOutcome } from "../decisions/describe-outcome.js";
import { resolveConfig } from "../decisions/resolve-config.js";
import { LOCK_TASK, ROLLBACK_TASK, UNLOCK_TASK } from "../core/record.js";
import { checkLock, handleLockTask } from "./locks.js";
import { handleRollback } from "./rollback.js";
import { DeploymentLog } from "../engine/deployment-log.js";
import type { ProviderContext, ProviderRegistry } from "../core/provider.js";
import type { DeploymentReporter } from "./reporter.js";
import type { DeploymentRequest } from "../core/request.js";
import { runProcess } from "../engine/run-process.js";
import type { DeploymentSources } from "../core/sources.js";
import { isFullSha, Workspaces } from "../engine/workspace.js";
import { formatDuration } from "../decisions/text.js";
import type { DeploymentOutcome, FinalStatus } from "../core/outcome.js";
import type { DeploymentConfig } from "../core/config.js";
import type { LogSink } from "../core/log.js";

export interface PipelineDeps {
  providers: ProviderRegistry;
  workspaces: Workspaces;
  defaultTimeoutSeconds: number;
  /** PATH, HOME and whatever else the operator passes to providers. */
  baseEnv: Readonly<Record<string, string>>;
  /** Values masked in every log line. */
  secrets: readonly string[];
  /** Aborted when heaven shuts down. */
  shutdown: AbortSignal;
  killGraceMs?: number;
}

export interface Parking {
  sha: string;
  waiting: string[];
  /** Epoch ms after which heaven stops waiting. */
  deadline: number;
  /** The contexts waited for when the configuration names none (after a merge). */
  requiredContexts: string[] | undefined;
}

export interface PipelineRun {
  request: DeploymentRequest;
  sources: DeploymentSources;
  reporter: DeploymentReporter;
  logPath: string;
  logUrl: string;
  echo?: (line: string) => void;
  /** Parks the deployment until CI on `sha` settles; absent: pending CI is a failure. */
  park?: (parking: Parking) => Promise<void>;
  /** When this deployment was first parked: the CI timeout counts from then. */
  ciDeadline?: number | undefined;
  /** A newer automatic deployment waiting in the same lane, if any. */
  supersededBy?: () => { id: string; sha: string } | undefined;
  /** The default branch was merged in: this deployment now ships `sha`, not the sha GitHub recorded for it. */
  shipsMergeCommit?: (sha: string) => void;
}

export interface PipelineResult {
  state: FinalStatus["state"] | "pending";
  description: string;
  /** undefined when the deployment was parked to wait for CI. */
  outcome: DeploymentOutcome | undefined;
  /**
   * Settles when the reporter has delivered the final status. Not awaited
   * here: the lane's next deployment must not wait behind a status write.
   */
  delivered: Promise<void>;
}

const HEAVEN_CONTEXT_PREFIX = "heaven/";

export async function runPipeline(run: PipelineRun, deps: PipelineDeps): Promise<PipelineResult> {
  const { request, reporter, logUrl } = run;
  const log = await DeploymentLog.open(run.logPath, { secrets: deps.secrets, echo: run.echo });
  log.note(`deployment ${request.id}: ${request.ref} (${request.sha}) to ${request.environment}, task ${request.task}, by ${request.creator}`);
  let environmentUrl: string | undefined;
  let outcome: DeploymentOutcome | Parked;
  try {
    outcome = await deploy(run, deps, log, (config) => {
      environmentUrl = config.environmentUrl;
    });
  } catch (error) {
    outcome = { kind: "crashed", message: error instanceof Error ? error.message : String(error) };
  }
  if (outcome.kind === "parked") {
    log.note(`waiting: ${outcome.description}`);
    await log.close();
    // Parked before it says so: whoever sees "pending" can count on the next CI event to wake it.
    await run.park?.(outcome.parking);
    reporter.waiting(outcome.description, logUrl);
    return { state: "pending", description: outcome.description, outcome: undefined, delivered: Promise.resolve() };
  }
  const status = describeOutcome(outcome);
  log.note(`${status.state}: ${status.description}`);
  await log.close();
  const delivered = reporter.finished({
    ...status,
    logUrl,
    environmentUrl: status.state === "success" ? environmentUrl : undefined,
  });
  return { ...status, outcome, delivered };
}

interface Parked {
  kind: "parked";
  description: string;
  parking: Parking;
}

async function deploy(
  run: PipelineRun,
  deps: PipelineDeps,
  log: DeploymentLog,
  configured: (config: DeploymentConfig) => void,
): Promise<DeploymentOutcome | Parked> {
  const { sources, reporter } = run;
  let request = run.request;
  if (!isFullSha(request.sha)) return { kind: "bad-request", message: `"${request.sha}" is not a commit sha` };
  const newer = request.automatic === true ? run.supersededBy?.() : undefined;
  if (newer !== undefined) return { kind: "superseded", by: newer };

  const read = await sources.loadConfig();
  if (!read.ok) return { kind: "config-invalid", message: read.error };
  const resolved = resolveConfig({
    file: read.file,
    payloadConfig: request.payloadConfig,
    environment: request.environment,
    knownProviders: Object.keys(deps.providers),
    defaultTimeoutSeconds: deps.defaultTimeoutSeconds,
  });
  if (!resolved.ok) return { kind: "config-invalid", message: resolved.error };
  const config = resolved.config;
  configured(config);
  if (request.task === LOCK_TASK || request.task === UNLOCK_TASK) return handleLockTask(request, config, sources, log);
  const lock = await checkLock(request, config, sources, log, run.ciDeadline !== undefined);
  if (lock.kind === "refused") return lock.outcome;
  if (request.task === ROLLBACK_TASK || request.record?.payload.rollback === true) return handleRollback(request, sources, log);
  log.note(`provider ${config.provider}, timeout ${config.timeoutSeconds} s`);

  let waitingNote = "";
  const merged = await mergeDefaultBranch(request, config, sources, log);
  if (merged.kind === "outcome") return merged.outcome;
  if (merged.kind === "merged") {
    waitingNote = `merged ${request.defaultBranch ?? "the default branch"} into ${request.ref} as ${merged.sha.slice(0, 7)}; `;
    request = { ...request, sha: merged.sha, requiredContexts: await contextsReportedOn(request.sha, config, sources) };
    run.shipsMergeCommit?.(merged.sha);
  }

  const gate = await checkCi(request, config, sources, log);
  if (gate?.kind === "ci-blocked" && gate.verdict.kind === "pending" && run.park !== undefined) {
    const waiting = [...gate.verdict.pending, ...gate.verdict.missing];
    const deadline = run.ciDeadline ?? Date.now() + config.ciTimeoutSeconds * 1000;
    if (Date.now() >= deadline) {
      return { kind: "ci-timed-out", sha: request.sha, waiting, minutes: Math.round(config.ciTimeoutSeconds / 60) };
    }
    return {
      kind: "parked",
      description: `${waitingNote}waiting for CI on ${request.sha.slice(0, 7)}: ${waiting.join(", ")}`,
      parking: { sha: request.sha, waiting, deadline, requiredContexts: request.requiredContexts },
    };
  }
  if (gate !== undefined) return gate;

  const provider = deps.providers[config.provider];
  if (provider === undefined) return { kind: "config-invalid", message: `provider "${config.provider}" is not known` };

  const forced = lock.kind === "forced" ? `, forced past @${lock.over.owner}'s lock` : "";
  reporter.started({
    description: `deploying ${request.ref} (${request.sha.slice(0, 7)}) to ${request.environment}${forced}`,
    logUrl: run.logUrl,
    environmentUrl: config.environmentUrl,
  });

  const token = await sources.gitToken?.();
  if (token !== undefined) log.addSecret(token);
  const checkout = await deps.workspaces.checkout({
    repository: request.repository.fullName,
    cloneUrl: request.repository.cloneUrl,
    sha: request.sha,
    token,
    note: (text) => log.note(text),
  });
  if (checkout.kind === "failed") return { kind: "checkout-failed", message: checkout.message };
  try {
    const context: ProviderContext = { request, config, checkoutDir: checkout.dir };
    return await runProvider(provider, context, deps, log);
  } finally {
    await checkout.release();
  }
}

/** The CI contexts reported on `sha` (not heaven's own); undefined when the configuration names them or there is no CI. */
async function contextsReportedOn(sha: string, config: DeploymentConfig, sources: DeploymentSources): Promise<string[] | undefined> {
  if (config.requiredContexts !== undefined || sources.ciState === undefined) return undefined;
  const { statuses, checkRuns } = await sources.ciState(sha);
  const names = [...statuses.map((s) => s.context), ...checkRuns.map((r) => r.name)];
  return [...new Set(names)].filter((name) => !name.startsWith(HEAVEN_CONTEXT_PREFIX)).sort();
}

type MergeStep = { kind: "unchanged" } | { kind: "merged"; sha: string } | { kind: "outcome"; outcome: DeploymentOutcome };

/** Heaven's rule: a branch being deployed has the default branch merged into it first. */
async function mergeDefaultBranch(
  request: DeploymentRequest,
  config: DeploymentConfig,
  sources: DeploymentSources,
  log: LogSink,
): Promise<MergeStep> {
  const defaultBranch = request.defaultBranch;
  const optedOut = request.record?.payload.merge_default_branch === false;
  if (
    sources.mergeDefaultBranch === undefined ||
    defaultBranch === undefined ||
    request.ref === defaultBranch ||
    isFullSha(request.ref) ||
    !config.mergeDefaultBranch ||
    optedOut
  ) {
    return { kind: "unchanged" };
  }
  const merge = await sources.mergeDefaultBranch(request.ref, defaultBranch, request.sha);
  switch (merge.kind) {
    case "up-to-date":
      log.note(`${request.ref} already contains ${defaultBranch}`);
      return { kind: "unchanged" };
    case "merged":
      log.note(`merged ${defaultBranch} into ${request.ref} as ${merge.sha}; deploying that commit`);
      return { kind: "merged", sha: merge.sha };
    case "conflict":
      return { kind: "outcome", outcome: { kind: "merge-conflict", branch: request.ref, defaultBranch } };
    case "not-mergeable":
      log.note(`not merging ${defaultBranch} into ${request.ref}: ${merge.reason}`);
      return { kind: "unchanged" };
  }
}

async function checkCi(
  request: DeploymentRequest,
  config: DeploymentConfig,
  sources: DeploymentSources,
  log: LogSink,
): Promise<Extract<DeploymentOutcome, { kind: "ci-blocked" }> | undefined> {
  if (request.force) {
    log.note("CI not checked: the deployment is forced");
    return undefined;
  }
  if (config.requiredContexts?.length === 0) {
    log.note("CI not checked: required_contexts is []");
    return undefined;
  }
  if (sources.ciState === undefined) {
    log.note("CI not checked: no GitHub to ask");
    return undefined;
  }
  const state = await sources.ciState(request.sha);
  const required = config.requiredContexts ?? request.requiredContexts;
  const verdict = evaluateCi({ required, ...state, ignorePrefix: HEAVEN_CONTEXT_PREFIX });
  if (verdict.kind === "green") {
    log.note(verdict.contexts.length > 0 ? `CI green: ${verdict.contexts.join(", ")}` : "CI: no contexts reported on this commit");
    return undefined;
  }
  return { kind: "ci-blocked", sha: request.sha, verdict };
}

async function runProvider(
  provider: ProviderRegistry[string],
  context: ProviderContext,
  deps: PipelineDeps,
  log: DeploymentLog,
): Promise<DeploymentOutcome> {
  const what = provider.describe(context);
  const timeoutSeconds = context.config.timeoutSeconds;
  const timeout = AbortSignal.timeout(timeoutSeconds * 1000);
  log.note(`running ${what}`);

  if (provider.kind === "api") {
    const signal = AbortSignal.any([timeout, deps.shutdown]);
    const started = Date.now();
    try {
      const result = await provider.run(context, { signal, log });
      if (result.kind === "failed") return { kind: "provider-error", what, message: result.message };
      return { kind: "succeeded", what, durationMs: Date.now() - started };
    } catch (error) {
      if (timeout.aborted) return { kind: "timed-out", what, timeoutSeconds };
      if (deps.shutdown.aborted) return { kind: "aborted", reason: "heaven is shutting down" };
      return { kind: "provider-error", what, message: error instanceof Error ? error.message : String(error) };
    }
  }

  const spec = provider.command(context);
  const result = await runProcess(
    { ...spec, env: { ...deps.baseEnv, ...spec.env } },
    {
      timeoutMs: timeoutSeconds * 1000,
      signal: deps.shutdown,
      killGraceMs: deps.killGraceMs,
      onOutput: (chunk, stream) => log.output(chunk, stream),
    },
  );
  switch (result.kind) {
    case "exited":
      log.note(`${what} exited ${result.exitCode} after ${formatDuration(result.durationMs)}`);
      return result.exitCode === 0
        ? { kind: "succeeded", what, durationMs: result.durationMs }
        : { kind: "failed", what, exitCode: result.exitCode, lastLine: log.lastLine() };
    case "signaled":
      return { kind: "killed", what, signal: result.signal, lastLine: log.lastLine() };
    case "timed-out":
      return { kind: "timed-out", what, timeoutSeconds };
    case "aborted":
      return { kind: "aborted", reason: "heaven is shutting down" };
    case "spawn-failed":
      // ENOENT for a file that exists: its #! interpreter is missing.
      if (result.code === "ENOENT") return { kind: "not-runnable", what, reason: existsSync(spec.file) ? "bad-interpreter" : "missing" };
      if (result.code === "EACCES") return { kind: "not-runnable", what, reason: "not-executable" };
      return { kind: "provider-error", what, message: result.message };
  }
}
