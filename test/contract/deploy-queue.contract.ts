/**
 * What every DeployQueue promises, whatever keeps its jobs: the embedded one
 * (journal on disk) and the PostgreSQL one (graphile-worker) both run these.
 * Not a test file itself (jest's testMatch is *.test.ts): a suite calls
 * `describeDeployQueueContract` with a factory for its implementation.
 */
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { laneOf, type DeploymentJob } from "../../src/core/job.js";
import type { DeployQueue, JobResult } from "../../src/core/queue.js";
import { automaticJob, deferred, gated, job } from "../helpers/queue-jobs.js";
import { describeDrainContract } from "./deploy-queue-drain.contract.js";

export interface QueueFactory {
  /** Before each test: a fresh, empty store. */
  reset(): Promise<void>;
  /** A queue on this test's store, as a new process would open it. */
  open(concurrency: number): Promise<DeployQueue>;
  /** After each test, once every queue is closed. */
  cleanup(): Promise<void>;
}

export function describeDeployQueueContract(name: string, factory: QueueFactory): void {
  describe(`${name} keeps the DeployQueue contract`, () => {
    const queues: DeployQueue[] = [];
    const closed = new Set<DeployQueue>();
    const open = async (concurrency = 4) => {
      const queue = await factory.open(concurrency);
      queues.push(queue);
      return queue;
    };
    /** A process stopping as SIGTERM makes it: drain, then close. */
    const shut = async (queue: DeployQueue, graceMs = 60_000) => {
      await queue.drain(graceMs);
      await queue.close();
      closed.add(queue);
    };

    beforeEach(() => factory.reset());
    afterEach(async () => {
      for (const queue of queues.splice(0)) {
        if (closed.has(queue)) continue;
        await queue.drain(0);
        await queue.close().catch(() => undefined);
      }
      closed.clear();
      await factory.cleanup();
    });

    it("runs the jobs of one lane one at a time, in the order they arrived", async () => {
      const queue = await open();
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
      const queue = await open(2);
      const g = gated();
      await queue.process(g.handlers);
      await queue.enqueue(job(1, "production"));
      await queue.enqueue(job(2, "staging"));
      await queue.enqueue(job(3, "qa"));
      await Promise.all([g.started(1), g.started(2)]);
      expect(g.events.slice().sort()).toEqual(["1 start", "2 start"]);
      g.finish(2);
      await g.started(3);
      expect(g.events.slice(2)).toEqual(["2 end", "3 start"]);
    });

    it("says which deployment a new job waits behind, and how many before it", async () => {
      const queue = await open();
      const g = gated();
      await queue.process(g.handlers);
      expect(await queue.enqueue(job(1))).toEqual({ kind: "added", position: undefined });
      await g.started(1);
      expect(await queue.enqueue(job(2))).toEqual({
        kind: "added",
        position: { kind: "lane", running: { key: "test:1", label: "deployment 1 (main to production)", creator: "alice", sha: "a".repeat(40) }, ahead: 0 },
      });
      expect(await queue.enqueue(job(3))).toMatchObject({ position: { kind: "lane", running: { key: "test:1" }, ahead: 1 } });
      g.finish(1);
      await g.started(2);
      expect(await queue.enqueue(job(4))).toMatchObject({ position: { kind: "lane", running: { key: "test:2" }, ahead: 1 } });
    });

    it("runs a job once, however often it is enqueued: at once, while it runs, after it finished, and after a restart", async () => {
      const queue = await open();
      const g = gated();
      await queue.process(g.handlers);
      const answers = await Promise.all([queue.enqueue(job(1)), queue.enqueue(job(1))]);
      expect(answers.map((a) => a.kind).sort()).toEqual(["added", "duplicate"]);
      await g.started(1);
      expect(await queue.enqueue(job(1))).toEqual({ kind: "duplicate" });
      g.finish(1);
      await queue.drain(60_000);
      expect(await queue.enqueue(job(1))).toEqual({ kind: "duplicate" });
      await shut(queue);

      const next = await open();
      await next.process(gated().handlers);
      expect(await next.enqueue(job(1))).toEqual({ kind: "duplicate" });
      expect(g.events).toEqual(["1 start", "1 end"]);
    });

    it("lists the jobs not finished, with their state, and counts those waiting, per lane, and those running here", async () => {
      const queue = await open();
      const g = gated();
      await queue.process(g.handlers);
      await queue.enqueue(job(1));
      await queue.enqueue(job(2));
      await queue.enqueue(job(3, "staging"));
      await Promise.all([g.started(1), g.started(3)]);
      expect((await queue.list(laneOf("octo/app", "Production"))).map((e) => [e.job.key, e.state])).toEqual([
        ["test:1", "running"],
        ["test:2", "queued"],
      ]);
      expect(await queue.list()).toHaveLength(3);
      expect(queue.runningHere()).toBe(2);
      expect(await queue.depth()).toBe(1);
      expect(await queue.depth(laneOf("octo/app", "staging"))).toBe(0);
    });

    it("shows a starting job the newer automatic ones queued in its lane, so only the first and the latest deploy", async () => {
      const queue = await open();
      const g = gated();
      await queue.process({
        ...g.handlers,
        // As the Deployer's `newerAutomatic`: a newer automatic job queued in the lane makes this one moot.
        run: async (j, control) => {
          const newer = (await queue.list(j.lane)).some(
            (e) => e.state === "queued" && e.job.request.automatic === true && Number(e.job.request.id) > Number(j.request.id),
          );
          if (!newer) return g.handlers.run(j, control);
          g.events.push(`${j.request.id} superseded`);
          return { kind: "done" };
        },
      });
      await queue.enqueue(automaticJob(1));
      await g.started(1);
      for (const id of [2, 3, 4]) await queue.enqueue(automaticJob(id));
      g.finish(1);
      await g.started(4);
      g.finish(4);
      await queue.drain(60_000);
      expect(g.events).toEqual(["1 start", "1 end", "2 superseded", "3 superseded", "4 start", "4 end"]);
      expect(await queue.list()).toEqual([]);
    });

    it("frees the lane when a run throws", async () => {
      const queue = await open();
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
      const park = (j: DeploymentJob, until = Date.now() + 600_000): JobResult => ({ kind: "park", job: { ...j, ciDeadline: until }, until, wakeOn: "ci:octo/app@sha" });

      it("holds no worker while parked, and runs the parked job again, as parked, when its condition is woken", async () => {
        const queue = await open(1);
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
        expect(await queue.depth()).toBe(0);
        g.finish(2);
        expect(await queue.wake("ci:octo/app@other")).toBe(0);
        expect(await queue.wake("ci:octo/app@sha")).toBe(1);
        const control = await g.started(1);
        expect(control.signal.aborted).toBe(false);
        expect((await queue.list()).map((e) => [e.job.key, e.state, e.job.ciDeadline !== undefined])).toEqual([["test:1", "running", true]]);
        expect(g.events).toEqual(["1 start", "1 end", "2 start", "2 end", "1 start"]);
      });

      it("runs the parked job again at its deadline", async () => {
        const queue = await open();
        const g = gated();
        await queue.process(g.handlers);
        await queue.enqueue(job(1));
        await g.started(1);
        g.finish(1, park(job(1), Date.now() + 50));
        await g.started(1);
        expect(g.events).toEqual(["1 start", "1 end", "1 start"]);
      });

      it("looks again at once when its condition was woken while it was still running", async () => {
        const queue = await open();
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

    describeDrainContract(open, shut);
  });
}
