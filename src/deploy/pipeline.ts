/**
 * One deployment, start to finish: configuration, CI gate, checkout,
 * provider, final status. Every way it can go wrong ends as an outcome that
 * describeOutcome turns into a status a person understands; nothing throws
 * past this function.
 */
import { existsSync } from "node:fs";
import { evaluateCi } from "../decisions/ci-gate.js";
import { describeOutcome, formatDuration, type DeploymentOutcome, type FinalStatus } from "../decisions/describe-outcome.js";
import { resolveConfig, type DeploymentConfig } from "../decisions/resolve-config.js";
import { DeploymentLog, type LogSink } from "./deployment-log.js";
import type { ProviderContext, ProviderRegistry } from "./provider.js";
import type { DeploymentReporter } from "./reporter.js";
import type { DeploymentRequest } from "./request.js";
import { runProcess } from "./run-process.js";
import type { DeploymentSources } from "./sources.js";
import { isFullSha, Workspaces } from "./workspace.js";

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

export interface PipelineRun {
  request: DeploymentRequest;
  sources: DeploymentSources;
  reporter: DeploymentReporter;
  logPath: string;
  logUrl: string;
  echo?: (line: string) => void;
}

export interface PipelineResult extends FinalStatus {
  outcome: DeploymentOutcome;
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
  let outcome: DeploymentOutcome;
  try {
    outcome = await deploy(run, deps, log, (config) => {
      environmentUrl = config.environmentUrl;
    });
  } catch (error) {
    outcome = { kind: "crashed", message: error instanceof Error ? error.message : String(error) };
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

async function deploy(
  run: PipelineRun,
  deps: PipelineDeps,
  log: DeploymentLog,
  configured: (config: DeploymentConfig) => void,
): Promise<DeploymentOutcome> {
  const { request, sources, reporter } = run;
  if (!isFullSha(request.sha)) return { kind: "bad-request", message: `"${request.sha}" is not a commit sha` };

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
  log.note(`provider ${config.provider}, timeout ${config.timeoutSeconds} s`);

  const gate = await checkCi(request, config, sources, log);
  if (gate !== undefined) return gate;

  const provider = deps.providers[config.provider];
  if (provider === undefined) return { kind: "config-invalid", message: `provider "${config.provider}" is not known` };

  reporter.started({
    description: `deploying ${request.ref} (${request.sha.slice(0, 7)}) to ${request.environment}`,
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

async function checkCi(
  request: DeploymentRequest,
  config: DeploymentConfig,
  sources: DeploymentSources,
  log: LogSink,
): Promise<DeploymentOutcome | undefined> {
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
  const verdict = evaluateCi({ required: config.requiredContexts, ...state, ignorePrefix: HEAVEN_CONTEXT_PREFIX });
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
