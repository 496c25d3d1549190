/** What heaven does when asked to stop: what it says, what it waits for, in which order, and how it exits. */
import { describe, expect, it } from "@jest/globals";
import type { DeployQueue, QueueEntry } from "../../src/core/queue.js";
import { createStop, OUTBOX_FLUSH_MS, type StoppableParts } from "../../src/shutdown.js";
import { deferred, job } from "../helpers/queue-jobs.js";

/**
 * One heaven process of several on a shared database: `list()` shows every
 * worker's jobs, `here` of them run in this process.
 */
function sharedQueue(entries: QueueEntry[], here: number, calls: string[]): DeployQueue {
  return {
    enqueue: async () => ({ kind: "duplicate" }),
    wake: async () => 0,
    process: async () => ({ interrupted: 0, queued: 0, parked: 0, skipped: [] }),
    list: async () => entries,
    depth: async () => entries.filter((e) => e.state === "queued").length,
    runningHere: () => here,
    drain: async (graceMs) => void calls.push(`drain ${graceMs}`),
    close: async () => void calls.push("close queue"),
  };
}

function stoppable(queue: DeployQueue, calls: string[], leftInOutbox = 0) {
  const lines: string[] = [];
  const exited = deferred<number>();
  const parts: StoppableParts = {
    queue,
    closeServer: async () => void calls.push("close server"),
    flushOutbox: async (timeoutMs) => (calls.push(`flush ${timeoutMs}`), leftInOutbox),
    stopIngress: async () => void calls.push("stop ingress"),
    log: { info: (line) => lines.push(line), warn: (line) => lines.push(`warn: ${line}`), error: (line) => lines.push(`error: ${line}`) },
  };
  return { parts, lines, exited: exited.promise, exit: (code: number) => exited.resolve(code) };
}

const runningElsewhere: QueueEntry[] = [
  { job: job(1), state: "running" },
  { job: job(2, "staging"), state: "running" },
  { job: job(3, "qa"), state: "running" },
  { job: job(4), state: "queued" },
];

describe("stopping on a signal", () => {
  it("counts only the deployments this process runs, not those other workers of the shared database run", async () => {
    const calls: string[] = [];
    const s = stoppable(sharedQueue(runningElsewhere, 1, calls), calls);
    await createStop(s.parts, 30, s.exit)("SIGTERM");
    expect(s.lines[0]).toBe("SIGTERM: starting no new deployments; 1 running deployment gets up to 30 s to finish (send SIGTERM again to stop them now)");
  });

  it("says none run when this process runs none, though others do", async () => {
    const calls: string[] = [];
    const s = stoppable(sharedQueue(runningElsewhere, 0, calls), calls);
    await createStop(s.parts, 600, s.exit)("SIGINT");
    expect(s.lines[0]).toBe("SIGINT: starting no new deployments; 0 running deployments get up to 600 s to finish (send SIGINT again to stop them now)");
  });

  it("drains within the grace, then stops taking events, closes, flushes the outbox and exits 0", async () => {
    const calls: string[] = [];
    const s = stoppable(sharedQueue([], 2, calls), calls, 3);
    await createStop(s.parts, 30, s.exit)("SIGTERM");
    expect(await s.exited).toBe(0);
    expect(calls).toEqual(["drain 30000", "stop ingress", "close server", "close queue", `flush ${OUTBOX_FLUSH_MS}`]);
    expect(s.lines.at(-1)).toBe("stopped; 3 GitHub writes stay in the outbox and go out at the next start");
  });

  it("stops running deployments at once on a second signal", async () => {
    const calls: string[] = [];
    const draining = deferred();
    const queue = { ...sharedQueue([], 1, calls), drain: (graceMs: number) => (calls.push(`drain ${graceMs}`), graceMs === 0 ? Promise.resolve() : draining.promise) };
    const s = stoppable(queue, calls);
    const stop = createStop(s.parts, 600, s.exit);
    const first = stop("SIGTERM");
    await stop("SIGTERM");
    expect(calls).toEqual(["drain 600000", "drain 0"]);
    expect(s.lines).toContain("warn: SIGTERM again: stopping running deployments now");
    draining.resolve();
    await first;
    expect(await s.exited).toBe(0);
  });
});
