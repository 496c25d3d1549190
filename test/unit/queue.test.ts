import { describe, expect, it } from "@jest/globals";
import { LocalDeployQueue, type QueuedJob } from "../../src/deploy/queue.js";

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * A job that records when it starts and ends in `events`, signals `started`,
 * and runs until the test calls `finish()` (or `fail(error)`).
 */
function gatedJob(events: string[], name: string, lane: string) {
  const started = deferred();
  const gate = deferred();
  const job: QueuedJob = {
    lane,
    label: `deployment ${name}`,
    run: async () => {
      events.push(`${name} start`);
      started.resolve();
      try {
        await gate.promise;
      } finally {
        events.push(`${name} end`);
      }
    },
  };
  return { job, started: started.promise, finish: gate.resolve, fail: gate.reject };
}

describe("LocalDeployQueue", () => {
  it("runs the jobs of one lane one at a time, in the order they arrived", async () => {
    const queue = new LocalDeployQueue(4);
    const events: string[] = [];
    const a = gatedJob(events, "a", "hello/production");
    const b = gatedJob(events, "b", "hello/production");
    const c = gatedJob(events, "c", "hello/production");
    const done = [queue.add(a.job), queue.add(b.job), queue.add(c.job)];

    await a.started;
    expect(events).toEqual(["a start"]);
    a.finish();
    await b.started;
    expect(events).toEqual(["a start", "a end", "b start"]);
    b.finish();
    await c.started;
    c.finish();
    await Promise.all(done);
    expect(events).toEqual(["a start", "a end", "b start", "b end", "c start", "c end"]);
  });

  it("runs different lanes side by side", async () => {
    const queue = new LocalDeployQueue(2);
    const events: string[] = [];
    const production = gatedJob(events, "production", "hello/production");
    const staging = gatedJob(events, "staging", "hello/staging");
    const done = [queue.add(production.job), queue.add(staging.job)];

    // Both have started while neither has finished.
    await production.started;
    await staging.started;
    expect(events).toEqual(["production start", "staging start"]);
    staging.finish();
    production.finish();
    await Promise.all(done);
  });

  it("runs no more lanes at once than its concurrency, starting the next when a worker frees", async () => {
    const queue = new LocalDeployQueue(2);
    const events: string[] = [];
    const x = gatedJob(events, "x", "x/production");
    const y = gatedJob(events, "y", "y/production");
    const z = gatedJob(events, "z", "z/production");
    const done = [queue.add(x.job), queue.add(y.job), queue.add(z.job)];

    await x.started;
    await y.started;
    expect(events).toEqual(["x start", "y start"]);
    y.finish();
    await z.started;
    expect(events).toEqual(["x start", "y start", "y end", "z start"]);
    x.finish();
    z.finish();
    await Promise.all(done);
    expect(events).toEqual(["x start", "y start", "y end", "z start", "x end", "z end"]);
  });

  it("resolves a job's promise only after the job has run", async () => {
    const queue = new LocalDeployQueue(1);
    const events: string[] = [];
    const a = gatedJob(events, "a", "lane");
    const done = queue.add(a.job).then(() => events.push("a resolved"));
    await a.started;
    a.finish();
    await done;
    expect(events).toEqual(["a start", "a end", "a resolved"]);
  });

  describe("onWait", () => {
    it("is not called for a job that starts at once", async () => {
      const queue = new LocalDeployQueue(2);
      const events: string[] = [];
      const reasons: string[] = [];
      const x = gatedJob(events, "x", "x/production");
      const y = gatedJob(events, "y", "y/production");
      const done = [queue.add(x.job, (reason) => reasons.push(`x: ${reason}`)), queue.add(y.job, (reason) => reasons.push(`y: ${reason}`))];
      await x.started;
      await y.started;
      x.finish();
      y.finish();
      await Promise.all(done);
      expect(reasons).toEqual([]);
    });

    it("says which deployment a job waits for when its lane is busy, before add returns", async () => {
      const queue = new LocalDeployQueue(4);
      const events: string[] = [];
      const reasons: string[] = [];
      const first = gatedJob(events, "41 (main → production)", "hello/production");
      const second = gatedJob(events, "42 (topic → production)", "hello/production");
      const third = gatedJob(events, "43 (fix → production)", "hello/production");
      const done = [
        queue.add(first.job, (reason) => reasons.push(`41: ${reason}`)),
        queue.add(second.job, (reason) => reasons.push(`42: ${reason}`)),
      ];
      expect(reasons).toEqual(["42: waiting for deployment 41 (main → production)"]);
      done.push(queue.add(third.job, (reason) => reasons.push(`43: ${reason}`)));
      expect(reasons).toEqual([
        "42: waiting for deployment 41 (main → production)",
        "43: waiting for deployment 41 (main → production) and 1 more queued before it",
      ]);

      first.finish();
      await second.started;
      second.finish();
      await third.started;
      third.finish();
      await Promise.all(done);
      expect(reasons).toHaveLength(2);
    });

    it("names the running deployment, not the first one ever, when a lane has moved on", async () => {
      const queue = new LocalDeployQueue(1);
      const events: string[] = [];
      const reasons: string[] = [];
      const first = gatedJob(events, "1", "lane");
      const second = gatedJob(events, "2", "lane");
      const third = gatedJob(events, "3", "lane");
      const done = [queue.add(first.job), queue.add(second.job)];
      first.finish();
      await second.started;
      done.push(queue.add(third.job, (reason) => reasons.push(reason)));
      expect(reasons).toEqual(["waiting for deployment 2"]);
      second.finish();
      await third.started;
      third.finish();
      await Promise.all(done);
    });

    it("says how many deployments are ahead when every worker is busy", async () => {
      const queue = new LocalDeployQueue(2);
      const events: string[] = [];
      const reasons: string[] = [];
      const x = gatedJob(events, "x", "x/production");
      const y = gatedJob(events, "y", "y/production");
      const z = gatedJob(events, "z", "z/production");
      const done = [queue.add(x.job, (r) => reasons.push(`x: ${r}`)), queue.add(y.job, (r) => reasons.push(`y: ${r}`))];
      done.push(queue.add(z.job, (r) => reasons.push(`z: ${r}`)));
      expect(reasons).toEqual(["z: waiting for a free worker: 2 deployments ahead (concurrency 2)"]);
      x.finish();
      y.finish();
      await z.started;
      z.finish();
      await Promise.all(done);
      expect(reasons).toHaveLength(1);
    });

    it("counts deployments waiting for a worker as well as running ones", async () => {
      const queue = new LocalDeployQueue(2);
      const events: string[] = [];
      const reasons: string[] = [];
      const jobs = ["a", "b", "c", "d"].map((name) => gatedJob(events, name, `${name}/production`));
      const done = jobs.map((job) => queue.add(job.job, (r) => reasons.push(r)));
      expect(reasons).toEqual([
        "waiting for a free worker: 2 deployments ahead (concurrency 2)",
        "waiting for a free worker: 3 deployments ahead (concurrency 2)",
      ]);
      for (const job of jobs) job.finish();
      await Promise.all(done);
    });

    it("says 1 deployment ahead, in the singular", async () => {
      const queue = new LocalDeployQueue(1);
      const events: string[] = [];
      const reasons: string[] = [];
      const a = gatedJob(events, "a", "a/production");
      const b = gatedJob(events, "b", "b/production");
      const done = [queue.add(a.job), queue.add(b.job, (r) => reasons.push(r))];
      expect(reasons).toEqual(["waiting for a free worker: 1 deployment ahead (concurrency 1)"]);
      a.finish();
      b.finish();
      await Promise.all(done);
    });

    it("is not called for a job added after the lane and workers have emptied", async () => {
      const queue = new LocalDeployQueue(1);
      const events: string[] = [];
      const reasons: string[] = [];
      const first = gatedJob(events, "1", "lane");
      const done = queue.add(first.job);
      first.finish();
      await done;
      await queue.onIdle();

      const sameLane = gatedJob(events, "2", "lane");
      const later = queue.add(sameLane.job, (r) => reasons.push(r));
      expect(reasons).toEqual([]);
      sameLane.finish();
      await later;

      await queue.onIdle();
      const otherLane = gatedJob(events, "3", "other");
      const last = queue.add(otherLane.job, (r) => reasons.push(r));
      expect(reasons).toEqual([]);
      otherLane.finish();
      await last;
    });

    it("is not called for a job added as soon as the previous job's promise resolves", async () => {
      const queue = new LocalDeployQueue(1);
      const events: string[] = [];
      const reasons: string[] = [];
      const first = gatedJob(events, "1", "x/production");
      const done = queue.add(first.job);
      first.finish();
      await done;

      // Nothing is running any more: this one can start at once.
      const next = gatedJob(events, "2", "y/production");
      const later = queue.add(next.job, (r) => reasons.push(r));
      expect(reasons).toEqual([]);
      next.finish();
      await later;
    });
  });

  describe("a job that fails", () => {
    it("rejects its own promise with its error", async () => {
      const queue = new LocalDeployQueue(1);
      const events: string[] = [];
      const a = gatedJob(events, "a", "lane");
      const done = queue.add(a.job);
      a.fail(new Error("provider exploded"));
      await expect(done).rejects.toThrow("provider exploded");
    });

    it("does not block the jobs behind it in its lane", async () => {
      const queue = new LocalDeployQueue(1);
      const events: string[] = [];
      const a = gatedJob(events, "a", "lane");
      const b = gatedJob(events, "b", "lane");
      const failed = queue.add(a.job);
      const next = queue.add(b.job);
      a.fail(new Error("boom"));
      await expect(failed).rejects.toThrow("boom");
      await b.started;
      b.finish();
      await expect(next).resolves.toBeUndefined();
      expect(events).toEqual(["a start", "a end", "b start", "b end"]);
    });

    it("does not reject the promises of other jobs", async () => {
      const queue = new LocalDeployQueue(2);
      const events: string[] = [];
      const a = gatedJob(events, "a", "x");
      const b = gatedJob(events, "b", "y");
      const failed = queue.add(a.job);
      const other = queue.add(b.job);
      a.fail(new Error("boom"));
      await expect(failed).rejects.toThrow("boom");
      b.finish();
      await expect(other).resolves.toBeUndefined();
    });

    it("frees its lane even when run throws before returning a promise", async () => {
      const queue = new LocalDeployQueue(1);
      const reasons: string[] = [];
      const failed = queue.add({
        lane: "lane",
        label: "deployment 1",
        run: () => {
          throw new Error("could not even start");
        },
      });
      await expect(failed).rejects.toThrow("could not even start");
      await queue.onIdle();
      const events: string[] = [];
      const next = gatedJob(events, "2", "lane");
      const done = queue.add(next.job, (r) => reasons.push(r));
      expect(reasons).toEqual([]);
      await next.started;
      next.finish();
      await done;
    });
  });

  describe("onIdle", () => {
    it("resolves when nothing was ever queued", async () => {
      await expect(new LocalDeployQueue(2).onIdle()).resolves.toBeUndefined();
    });

    it("resolves only after every running and waiting job has finished", async () => {
      const queue = new LocalDeployQueue(1);
      const events: string[] = [];
      const a = gatedJob(events, "a", "lane");
      const b = gatedJob(events, "b", "lane");
      const c = gatedJob(events, "c", "other");
      const done = [queue.add(a.job), queue.add(b.job), queue.add(c.job)];
      const idle = queue.onIdle().then(() => events.push("idle"));

      await a.started;
      a.finish();
      await c.started;
      c.finish();
      await b.started;
      expect(events).not.toContain("idle");
      b.finish();
      await idle;
      await Promise.all(done);
      expect(events.at(-1)).toBe("idle");
      expect(events.filter((event) => event.endsWith(" end"))).toHaveLength(3);
    });

    it("resolves after a failed job too", async () => {
      const queue = new LocalDeployQueue(1);
      const events: string[] = [];
      const a = gatedJob(events, "a", "lane");
      const failed = queue.add(a.job);
      const idle = queue.onIdle().then(() => events.push("idle"));
      a.fail(new Error("boom"));
      await expect(failed).rejects.toThrow("boom");
      await idle;
      expect(events).toEqual(["a start", "a end", "idle"]);
    });
  });
});
