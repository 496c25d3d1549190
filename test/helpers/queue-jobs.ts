/**
 * Jobs and gated handlers for deploy-queue tests: a run waits until the test
 * lets it go (`finish(id)`), `started(id)` resolves when it begins, and an
 * aborted run ends at once, as a provider's process group does.
 */
import { laneOf, type DeploymentJob } from "../../src/core/job.js";
import type { JobControl, JobResult, ProcessRecord, QueueHandlers } from "../../src/core/queue.js";

export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export function job(id: number, environment = "production", changes: Partial<DeploymentJob["request"]> = {}): DeploymentJob {
  return {
    key: `test:${id}`,
    lane: laneOf("octo/app", environment),
    origin: { kind: "local" },
    acceptedAt: 0,
    request: {
      id: String(id),
      repository: { fullName: "octo/app", cloneUrl: "/nowhere" },
      environment,
      ref: "main",
      sha: "a".repeat(40),
      task: "deploy",
      force: false,
      payloadConfig: undefined,
      creator: "alice",
      ...changes,
    },
  };
}

/** A deployment heaven started itself (a push to the auto-deploy branch): a newer one in its lane supersedes it. */
export function automaticJob(id: number, environment = "production"): DeploymentJob {
  return job(id, environment, { automatic: true });
}

export function gated() {
  const events: string[] = [];
  const gates = new Map<string, { started: ReturnType<typeof deferred<JobControl>>; finish: ReturnType<typeof deferred<JobResult>> }>();
  const interrupted: Array<{ key: string; processes: readonly ProcessRecord[] }> = [];
  const interruptedOnce = deferred<string>();
  const gate = (key: string) => {
    let entry = gates.get(key);
    if (entry === undefined) {
      entry = { started: deferred<JobControl>(), finish: deferred<JobResult>() };
      gates.set(key, entry);
    }
    return entry;
  };
  const handlers: QueueHandlers = {
    run: async (j, control) => {
      events.push(`${j.request.id} start`);
      const entry = gate(j.key);
      entry.started.resolve(control);
      const aborted = new Promise<JobResult>((resolve) => control.signal.addEventListener("abort", () => resolve({ kind: "done" })));
      const result = await Promise.race([entry.finish.promise, aborted]);
      events.push(`${j.request.id} end`);
      return result;
    },
    interrupted: async (j, processes) => {
      interrupted.push({ key: j.key, processes });
      interruptedOnce.resolve(j.key);
    },
  };
  return {
    events,
    handlers,
    interrupted,
    /** Resolves with the key of the first job reported interrupted. */
    firstInterrupted: interruptedOnce.promise,
    started: (id: number) => gate(`test:${id}`).started.promise,
    /** Ends the current run; a later `started(id)` waits for the next one. */
    finish: (id: number, result: JobResult = { kind: "done" }) => {
      const entry = gate(`test:${id}`);
      gates.delete(`test:${id}`);
      entry.finish.resolve(result);
    },
  };
}
