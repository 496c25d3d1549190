/**
 * A process provider's plan, run: each track's steps one after another,
 * tracks side by side up to `parallel`, all under one deadline. The first
 * failing step ends the deployment: running steps finish, no new one starts,
 * and the outcome names the track and the step ("app2: git reset exited 128").
 */
import { realpath } from "node:fs/promises";
import { existsSync } from "node:fs";
import { relative, isAbsolute } from "node:path";
import type { DeploymentOutcome } from "../../core/outcome.js";
import type { ProviderStep, ProviderTrack } from "../../core/provider.js";
import { formatDuration } from "../../decisions/text.js";
import type { DeploymentLog, TrackOutput } from "../../engine/deployment-log.js";
import { runProcess } from "../../engine/run-process.js";
import { identityEnv, type RunAs } from "../../engine/run-as.js";
import type { ProviderRun } from "./run-provider.js";

export interface TracksRun extends ProviderRun {
  checkoutDir: string;
  timeoutSeconds: number;
  parallel: number;
  baseEnv: Readonly<Record<string, string>>;
  killGraceMs?: number | undefined;
  /** HEAVEN_RUN_AS: who every step runs as. */
  runAs?: RunAs | undefined;
}

export async function runTracks(tracks: readonly ProviderTrack[], what: string, log: DeploymentLog, run: TracksRun): Promise<DeploymentOutcome> {
  const started = Date.now();
  const deadline = started + run.timeoutSeconds * 1000;
  let failure: DeploymentOutcome | undefined;
  const labelled = tracks.length > 1 || tracks.some((track) => track.label !== undefined);

  const runTrack = async (track: ProviderTrack) => {
    const output = log.track(labelled ? track.label : undefined);
    for (const step of track.steps) {
      if (failure !== undefined) return;
      const name = track.label === undefined ? step.name : `${track.label}: ${step.name}`;
      // runProvider has said "running <what>" already: a lone step of that name is not announced twice.
      const announce = !(tracks.length === 1 && track.steps.length === 1 && name === what);
      const outcome = await runStep(step, name, announce, output, log, run, deadline);
      if (outcome !== undefined) failure ??= outcome;
    }
  };
  const waiting = [...tracks];
  const workers = Array.from({ length: Math.min(run.parallel, tracks.length) }, async () => {
    for (let track = waiting.shift(); track !== undefined && failure === undefined; track = waiting.shift()) await runTrack(track);
  });
  await Promise.all(workers);
  return failure ?? { kind: "succeeded", what, durationMs: Date.now() - started };
}

/** undefined: the step succeeded. */
async function runStep(
  step: ProviderStep,
  name: string,
  announce: boolean,
  output: TrackOutput,
  log: DeploymentLog,
  run: TracksRun,
  deadline: number,
): Promise<DeploymentOutcome | undefined> {
  if (run.signal.aborted) return { kind: "aborted", reason: run.abortReason };
  const escaped = await escapesCheckout(step.spec.file, run.checkoutDir);
  if (escaped) return { kind: "not-runnable", what: name, reason: "outside-checkout" };
  // The steps before used the whole timeout: this one does not start at all.
  if (Date.now() >= deadline) return { kind: "timed-out", what: name, timeoutSeconds: run.timeoutSeconds };
  if (announce) log.note(`running ${name}`);
  const result = await runProcess(
    { ...step.spec, env: { ...run.baseEnv, ...(run.runAs === undefined ? {} : identityEnv(run.runAs)), ...step.spec.env } },
    {
      timeoutMs: Math.max(1, deadline - Date.now()),
      signal: run.signal,
      killGraceMs: run.killGraceMs,
      onSpawn: run.processStarted,
      user: run.runAs,
      onOutput: (chunk, stream) => output.output(chunk, stream),
    },
  );
  switch (result.kind) {
    case "exited": {
      log.note(`${name} exited ${result.exitCode} after ${formatDuration(result.durationMs)}`);
      if (result.exitCode === 0) return undefined;
      const hint = step.hints?.[result.exitCode];
      if (hint !== undefined) log.note(`${name}: ${hint}`);
      return { kind: "failed", what: name, exitCode: result.exitCode, lastLine: output.lastLine() };
    }
    case "signaled":
      return { kind: "killed", what: name, signal: result.signal, lastLine: output.lastLine() };
    case "timed-out":
      return { kind: "timed-out", what: name, timeoutSeconds: run.timeoutSeconds };
    case "aborted":
      return { kind: "aborted", reason: run.abortReason };
    case "spawn-failed":
      if (result.code === "ENOENT" && step.install !== undefined && !inside(step.spec.file, run.checkoutDir)) {
        return { kind: "tool-missing", what: name, tool: step.spec.file, install: step.install };
      }
      // ENOENT for a file that exists: its #! interpreter is missing.
      if (result.code === "ENOENT") return { kind: "not-runnable", what: name, reason: existsSync(step.spec.file) ? "bad-interpreter" : "missing" };
      if (result.code === "EACCES") return { kind: "not-runnable", what: name, reason: "not-executable" };
      return { kind: "provider-error", what: name, message: result.message };
  }
}

/** An absolute path below `dir` (a bare name like `fab` is looked up on PATH, never in the checkout). */
function inside(file: string, dir: string): boolean {
  if (!isAbsolute(file)) return false;
  const path = relative(dir, file);
  return path !== "" && !path.startsWith("..") && !isAbsolute(path);
}

/** A file of the checkout that is a symlink to somewhere else (`script/deploy -> /usr/bin/env`, `../../.env`). */
async function escapesCheckout(file: string, checkoutDir: string): Promise<boolean> {
  if (!inside(file, checkoutDir)) return false;
  try {
    const [real, root] = await Promise.all([realpath(file), realpath(checkoutDir)]);
    return !inside(real, root);
  } catch {
    return false; // missing: reported as such when it fails to start
  }
}
