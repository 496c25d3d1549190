/**
 * Step: check the exact sha out of the cached clone and run the provider in
 * it, under the configured timeout; the checkout is removed afterwards,
 * whatever happened. Every way a provider can end becomes an outcome.
 */
import { existsSync } from "node:fs";
import type { DeploymentConfig } from "../../core/config.js";
import type { DeploymentOutcome } from "../../core/outcome.js";
import type { ProviderContext, ProviderRegistry } from "../../core/provider.js";
import type { DeploymentRequest } from "../../core/request.js";
import type { DeploymentSources } from "../../core/sources.js";
import { formatDuration } from "../../decisions/text.js";
import type { DeploymentLog } from "../../engine/deployment-log.js";
import { runProcess } from "../../engine/run-process.js";
import type { Workspaces } from "../../engine/workspace.js";

export interface ProviderDeps {
  providers: ProviderRegistry;
  workspaces: Workspaces;
  /** PATH, HOME and whatever else the operator passes to providers. */
  baseEnv: Readonly<Record<string, string>>;
  killGraceMs?: number | undefined;
}

export interface ProviderRun {
  /** Aborted when heaven stops (or Ctrl-C on the command line): the process group is stopped. */
  signal: AbortSignal;
  /** Who stops it when `signal` aborts, for the status: "heaven's shutdown". */
  abortReason: string;
  /** A process group was started (journaled, so a crash cannot orphan it unnoticed). */
  processStarted: (pgid: number) => void;
}

export async function checkoutAndRun(
  request: DeploymentRequest,
  config: DeploymentConfig,
  sources: DeploymentSources,
  log: DeploymentLog,
  deps: ProviderDeps,
  run: ProviderRun,
): Promise<DeploymentOutcome> {
  const provider = deps.providers[config.provider];
  if (provider === undefined) return { kind: "config-invalid", message: `provider "${config.provider}" is not known` };
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
    return await runProvider(provider, { request, config, checkoutDir: checkout.dir }, log, deps, run);
  } finally {
    await checkout.release();
  }
}

async function runProvider(
  provider: ProviderRegistry[string],
  context: ProviderContext,
  log: DeploymentLog,
  deps: ProviderDeps,
  run: ProviderRun,
): Promise<DeploymentOutcome> {
  const what = provider.describe(context);
  const timeoutSeconds = context.config.timeoutSeconds;
  log.note(`running ${what}`);
  if (run.signal.aborted) return { kind: "aborted", reason: run.abortReason };

  if (provider.kind === "api") {
    const timeout = AbortSignal.timeout(timeoutSeconds * 1000);
    const started = Date.now();
    try {
      const result = await provider.run(context, { signal: AbortSignal.any([timeout, run.signal]), log });
      if (result.kind === "failed") return { kind: "provider-error", what, message: result.message };
      return { kind: "succeeded", what, durationMs: Date.now() - started };
    } catch (error) {
      if (timeout.aborted) return { kind: "timed-out", what, timeoutSeconds };
      if (run.signal.aborted) return { kind: "aborted", reason: run.abortReason };
      return { kind: "provider-error", what, message: error instanceof Error ? error.message : String(error) };
    }
  }

  const spec = provider.command(context);
  const result = await runProcess(
    { ...spec, env: { ...deps.baseEnv, ...spec.env } },
    {
      timeoutMs: timeoutSeconds * 1000,
      signal: run.signal,
      killGraceMs: deps.killGraceMs,
      onSpawn: run.processStarted,
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
      return { kind: "aborted", reason: run.abortReason };
    case "spawn-failed":
      // ENOENT for a file that exists: its #! interpreter is missing.
      if (result.code === "ENOENT") return { kind: "not-runnable", what, reason: existsSync(spec.file) ? "bad-interpreter" : "missing" };
      if (result.code === "EACCES") return { kind: "not-runnable", what, reason: "not-executable" };
      return { kind: "provider-error", what, message: result.message };
  }
}
