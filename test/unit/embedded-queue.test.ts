/**
 * The embedded queue: lanes, concurrency, positions, idempotency, parking,
 * draining, and what a new process finds in the journal an earlier one left.
 */
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { laneOf, type DeploymentJob } from "../../src/core/job.js";
import type { JobControl, JobResult, ProcessRecord, QueueHandlers } from "../../src/core/queue.js";
import { EmbeddedQueue } from "../../src/queue/embedded-queue.js";
import { tempDir } from "../helpers/git-repo.js";

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function job(id: number, environment = "production", changes: Partial<DeploymentJob["request"]> = {}): DeploymentJob {
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

/**
 * Handlers whose runs wait until the test lets them go: `finish(id)` ends a
 * run with `result` (done unless told), `started(id)` resolves when it
 * begins. An aborted run ends at once, as a provider's process group does.
 */
function gated() {
  const events: string[] = [];
  const gates = new Map<string, { started: ReturnType<typeof deferred<JobControl>>; finish: ReturnType<typeof deferred<JobResult>> }>();
  const interrupted: Array<{ key: string; processes: readonly ProcessRecord[] }> = [];
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
    interrupted: async (j, processes) => void interrupted.push({ key: j.key, processes }),
  };
  return {
    events,
    handlers,
    interrupted,
    started: (id: number) => gate(`test:${id}`).started.promise,
    /** Ends the current run; a later `started(id)` waits for the next one. */
    finish: (id: number, result: JobResult = { kind: "done" }) => {
      const entry = gate(`test:${id}`);
      gates.delete(`test:${id}`);
      entry.finish.resolve(result);
    },
  };
}

let dir: ReturnType<typeof tempDir>;
let journalFile: string;
const queues: EmbeddedQueue[] = [];

async function openQueue(concurrency = 4): Promise<EmbeddedQueue> {
  const queue = await EmbeddedQueue.open({ journalFile, concurrency });
  queues.push(queue);
  return queue;
}

beforeEach(() => {
  dir = tempDir("heaven-queue-");
  journalFile = join(dir.path, "journal.jsonl");
});

afterEach(async () => {
  for (const queue of queues.splice(0)) {
    await queue.drain(0);
    await queue.close().catch(() => undefined);
  }
  dir.remove();
});

describe("EmbeddedQueue", () => {
  it("runs the jobs of one lane one at a time, in the order they arrived", async () => {
    const queue = await openQueue();
    const g = gated();
    await queue.process(g.handlers);
    for (const id of [1, 2, 3]) await queue.enqueue(job(id));
    await g.started(1);
    expect(g.events).toEqual(["1 start"]);
    g.finish(1);
    await g.started(2);
    g.finish(2);
    await g.started(3);
    expect(g.events).toEqual(["1 start", "1 end", "2 start", "2 end", "3 start"]);
  });

  it("runs different lanes side by side, but no more than its concurrency", async () => {
    const queue = await openQueue(2);
    const g = gated();
    await queue.process(g.handlers);
    await queue.enqueue(job(1, "production"));
    await queue.enqueue(job(2, "staging"));
    const third = await queue.enqueue(job(3, "qa"));
    await g.started(1);
    await g.started(2);
    expect(third).toEqual({ kind: "added", position: { kind: "workers", busy: 2, concurrency: 2 } });
    expect(g.events).toEqual(["1 start", "2 start"]);
    g.finish(2);
    await g.started(3);
    expect(g.events).toEqual(["1 start", "2 start", "2 end", "3 start"]);
  });

  it("says which deployment a job waits behind, and how many before it", async () => {
    const queue = await openQueue();
    const g = gated();
    await queue.process(g.handlers);
    expect(await queue.enqueue(job(1))).toEqual({ kind: "added", position: undefined });
    await g.started(1);
    expect(await queue.enqueue(job(2))).toEqual({
      kind: "added",
      position: { kind: "lane", running: { key: "test:1", label: "deployment 1 (main to production)", creator: expect.any(String), sha: expect.any(String) }, ahead: 0 },
    });
    expect(await queue.enqueue(job(3))).toMatchObject({ position: { kind: "lane", running: { key: "test:1" }, ahead: 1 } });
    g.finish(1);
    await g.started(2);
    // The lane has moved on: the running one is named, not the first ever.
    expect(await queue.enqueue(job(4))).toMatchObject({ position: { kind: "lane", running: { key: "test:2" }, ahead: 1 } });
  });

  it("runs a job once, however often it is enqueued: while it waits, while it runs, after it finished, and after a restart", async () => {
    const queue = await openQueue();
    const g = gated();
    await queue.process(g.handlers);
    await Promise.all([queue.enqueue(job(1)), queue.enqueue(job(1))]).then((answers) =>
      expect(answers.map((a) => a.kind).sort()).toEqual(["added", "duplicate"]),
    );
    await g.started(1);
    expect(await queue.enqueue(job(1))).toEqual({ kind: "duplicate" });
    g.finish(1);
    await queue.drain(1000);
    expect(await queue.enqueue(job(1))).toEqual({ kind: "duplicate" });
    await queue.close();

    const next = await openQueue();
    await next.process(gated().handlers);
    expect(await next.enqueue(job(1))).toEqual({ kind: "duplicate" });
    expect(g.events).toEqual(["1 start", "1 end"]);
  });

  it("lists the jobs not finished, with their state, per lane", async () => {
    const queue = await openQueue();
    const g = gated();
    await queue.process(g.handlers);
    await queue.enqueue(job(1));
    await queue.enqueue(job(2));
    await queue.enqueue(job(3, "staging"));
    await g.started(1);
    await g.started(3);
    expect((await queue.list(laneOf("octo/app", "Production"))).map((e) => [e.job.key, e.state])).toEqual([
      ["test:1", "running"],
      ["test:2", "queued"],
    ]);
    expect(await queue.list()).toHaveLength(3);
    expect(await queue.depth()).toBe(1);
    expect(await queue.depth(laneOf("octo/app", "staging"))).toBe(0);
  });

  it("frees the lane when a run throws", async () => {
    const queue = await openQueue();
    const ran: string[] = [];
    const done = deferred();
    await queue.process({
      run: async (j) => {
        ran.push(j.key);
        if (j.key === "test:1") throw new Error("boom");
        done.resolve();
        return { kind: "done" };
      },
      interrupted: async () => undefined,
    });
    await queue.enqueue(job(1));
    await queue.enqueue(job(2));
    await done.promise;
    expect(ran).toEqual(["test:1", "test:2"]);
  });

  describe("parking", () => {
    const park = (j: DeploymentJob, until = Date.now() + 60_000): JobResult => ({ kind: "park", job: { ...j, ciDeadline: until }, until, wakeOn: "ci:octo/app@sha" });

    it("holds no worker while parked, and runs the parked job again when its condition is woken", async () => {
      const queue = await openQueue(1);
      const g = gated();
      await queue.process(g.handlers);
      await queue.enqueue(job(1));
      await g.started(1);
      g.finish(1, park(job(1)));
      await queue.enqueue(job(2, "staging"));
      await g.started(2); // the only worker is free again
      expect((await queue.list()).map((e) => [e.job.key, e.state])).toEqual([
        ["test:1", "parked"],
        ["test:2", "running"],
      ]);
      g.finish(2);
      expect(await queue.wake("ci:octo/app@other")).toBe(0);
      expect(await queue.wake("ci:octo/app@sha")).toBe(1);
      const control = await g.started(1);
      expect(control.signal.aborted).toBe(false);
      expect(g.events).toEqual(["1 start", "1 end", "2 start", "2 end", "1 start"]);
    });

    it("runs the parked job again at its deadline", async () => {
      const queue = await openQueue();
      const g = gated();
      await queue.process(g.handlers);
      await queue.enqueue(job(1));
      await g.started(1);
      g.finish(1, park(job(1), Date.now() + 50));
      await g.started(1);
      expect(g.events).toEqual(["1 start", "1 end", "1 start"]);
    });

    it("looks again at once when its condition was woken while it was still running", async () => {
      const queue = await openQueue();
      const g = gated();
      await queue.process(g.handlers);
      await queue.enqueue(job(1));
      await g.started(1);
      expect(await queue.wake("ci:octo/app@sha")).toBe(0);
      g.finish(1, park(job(1)));
      await g.started(1);
      expect(g.events).toEqual(["1 start", "1 end", "1 start"]);
    });
  });

  describe("draining", () => {
    it("lets the running job finish within the grace, starts nothing new, and keeps what waits for the next process", async () => {
      const queue = await openQueue();
      const g = gated();
      await queue.process(g.handlers);
      await queue.enqueue(job(1));
      await queue.enqueue(job(2));
      const control = await g.started(1);
      const drained = queue.drain(60_000);
      // Still accepted (and journaled) while draining.
      expect(await queue.enqueue(job(3, "staging"))).toMatchObject({ kind: "added" });
      g.finish(1);
      await drained;
      expect(control.signal.aborted).toBe(false);
      expect(g.events).toEqual(["1 start", "1 end"]);
      await queue.close();

      const next = await openQueue();
      const h = gated();
      expect(await next.process(h.handlers)).toEqual({ interrupted: 0, queued: 2, parked: 0, skipped: [] });
      await h.started(2);
      await h.started(3);
    });

    it("aborts the running job once the grace is over, and waits for it to report", async () => {
      const queue = await openQueue();
      const g = gated();
      await queue.process(g.handlers);
      await queue.enqueue(job(1));
      const control = await g.started(1);
      await queue.drain(20);
      expect(control.signal.aborted).toBe(true);
      expect(g.events).toEqual(["1 start", "1 end"]);
    });

    it("aborts at once when asked to drain again with no grace", async () => {
      const queue = await openQueue();
      const g = gated();
      await queue.process(g.handlers);
      await queue.enqueue(job(1));
      const control = await g.started(1);
      const first = queue.drain(600_000);
      await queue.drain(0);
      await first;
      expect(control.signal.aborted).toBe(true);
    });
  });

  describe("after a crash", () => {
    it("reports the job that was running as interrupted, with its processes, runs the queued one, and reports nothing twice", async () => {
      const crashed = await openQueue();
      const g = gated();
      await crashed.process(g.handlers);
      await crashed.enqueue(job(1));
      await crashed.enqueue(job(2));
      const control = await g.started(1);
      await control.processStarted({ pgid: 4242, startTicks: 7, bootId: "boot" });
      // The process dies here: nothing more is written.

      const next = await openQueue();
      const h = gated();
      expect(await next.process(h.handlers)).toEqual({ interrupted: 1, queued: 1, parked: 0, skipped: [] });
      expect(h.interrupted).toEqual([{ key: "test:1", processes: [{ pgid: 4242, startTicks: 7, bootId: "boot" }] }]);
      await h.started(2);
      expect(h.events).toEqual(["2 start"]);
      expect(await next.enqueue(job(1))).toEqual({ kind: "duplicate" });

      const third = await openQueue();
      const i = gated();
      expect(await third.process(i.handlers)).toEqual({ interrupted: 1, queued: 0, parked: 0, skipped: [] });
      expect(i.interrupted.map((x) => x.key)).toEqual(["test:2"]);
    });

    it("keeps the original order of queued jobs, parked ones included, ahead of anything new", async () => {
      const crashed = await openQueue(1);
      const g = gated();
      await crashed.process(g.handlers);
      await crashed.enqueue(job(1));
      await g.started(1);
      g.finish(1, { kind: "park", job: job(1), until: Date.now() + 60_000, wakeOn: "ci:x" });
      await crashed.enqueue(job(2));
      await g.started(2);
      g.finish(2);
      await crashed.enqueue(job(3));
      await g.started(3);

      const next = await openQueue(1);
      const h = gated();
      const restored = next.process(h.handlers);
      await next.enqueue(job(4));
      expect(await restored).toEqual({ interrupted: 1, queued: 0, parked: 1, skipped: [] });
      await h.started(1);
      h.finish(1);
      await h.started(4);
      expect(h.events).toEqual(["1 start", "1 end", "4 start"]);
    });

    it("starts past a torn last line and a damaged line, and says what it skipped", async () => {
      const first = await openQueue();
      await first.enqueue(job(1));
      await first.close();
      appendFileSync(journalFile, 'garbage\n{"t":"accepted","job":{"key":"x"}}\n{"t":"accepted","job":{"ke');
      const next = await openQueue();
      const h = gated();
      const report = await next.process(h.handlers);
      expect(report.queued).toBe(1);
      expect(report.skipped).toEqual([
        "line 3: not JSON; skipped",
        "line 4: a accepted record with an unreadable job (lane: Invalid input: expected string, received undefined); skipped",
        "line 5: cut short (written when the process died); skipped",
      ]);
      await h.started(1);
    });
  });
});
