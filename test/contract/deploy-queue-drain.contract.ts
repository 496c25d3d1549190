/**
 * The DeployQueue contract's stopping and starting (deploy-queue.contract.ts
 * runs it): a drain's grace, aborts, and what the next process finds.
 */
import { describe, expect, it } from "@jest/globals";
import type { DeployQueue } from "../../src/core/queue.js";
import { gated, job } from "../helpers/queue-jobs.js";

export function describeDrainContract(open: (concurrency?: number) => Promise<DeployQueue>, shut: (queue: DeployQueue, graceMs?: number) => Promise<void>): void {
  describe("draining and restarting", () => {
    it("lets the running job finish within the grace, starts nothing new, and keeps what waits for the next process", async () => {
      const queue = await open();
      const g = gated();
      await queue.process(g.handlers);
      await queue.enqueue(job(1));
      await queue.enqueue(job(2));
      const control = await g.started(1);
      const drained = queue.drain(60_000);
      // Still accepted while draining, and kept.
      expect(await queue.enqueue(job(3, "staging"))).toMatchObject({ kind: "added" });
      g.finish(1);
      await drained;
      expect(control.signal.aborted).toBe(false);
      expect(g.events).toEqual(["1 start", "1 end"]);
      await shut(queue);

      const next = await open();
      const h = gated();
      expect(await next.process(h.handlers)).toEqual({ interrupted: 0, queued: 2, parked: 0, skipped: [] });
      await Promise.all([h.started(2), h.started(3)]);
    });

    it("aborts the running job once the grace is over, and waits for it to report", async () => {
      const queue = await open();
      const g = gated();
      await queue.process(g.handlers);
      await queue.enqueue(job(1));
      const control = await g.started(1);
      await queue.drain(20);
      expect(control.signal.aborted).toBe(true);
      expect(g.events).toEqual(["1 start", "1 end"]);
    });

    it("aborts at once when asked to drain again with no grace", async () => {
      const queue = await open();
      const g = gated();
      await queue.process(g.handlers);
      await queue.enqueue(job(1));
      const control = await g.started(1);
      const first = queue.drain(600_000);
      await queue.drain(0);
      await first;
      expect(control.signal.aborted).toBe(true);
    });

    it("restores parked and queued jobs after a restart, in the order they were accepted, ahead of new ones", async () => {
      const queue = await open(1);
      const g = gated();
      await queue.process(g.handlers);
      await queue.enqueue(job(1));
      await g.started(1);
      g.finish(1, { kind: "park", job: job(1), until: Date.now() + 600_000, wakeOn: "ci:x" });
      await queue.enqueue(job(2));
      await g.started(2);
      const drained = queue.drain(60_000);
      await queue.enqueue(job(3));
      g.finish(2);
      await drained;
      await shut(queue);

      const next = await open(1);
      const h = gated();
      expect(await next.process(h.handlers)).toEqual({ interrupted: 0, queued: 1, parked: 1, skipped: [] });
      await next.enqueue(job(4));
      await h.started(1);
      h.finish(1);
      await h.started(3);
      h.finish(3);
      await h.started(4);
      expect(h.events).toEqual(["1 start", "1 end", "3 start", "3 end", "4 start"]);
    });
  });
}
