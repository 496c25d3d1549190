/**
 * What only the embedded queue does: its journal on disk, as a new process
 * finds it after an earlier one died. Lanes, positions, idempotency,
 * parking and draining are the DeployQueue contract both queues pass
 * (test/contract/deploy-queue.contract.ts, run in embedded-queue-contract.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { EmbeddedQueue } from "../../src/queue/embedded-queue.js";
import { tempDir } from "../helpers/git-repo.js";
import { gated, job } from "../helpers/queue-jobs.js";

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

describe("EmbeddedQueue after a crash", () => {
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
