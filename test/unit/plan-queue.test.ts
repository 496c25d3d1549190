import { describe, expect, it } from "@jest/globals";
import { PlanQueue } from "../../src/github/plan-queue.js";

function deferred() {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("PlanQueue", () => {
  it("runs one planning at a time per repository, in order", async () => {
    const queue = new PlanQueue();
    const order: string[] = [];
    const first = deferred();
    const done = deferred();
    queue.schedule("octo/app", "a", async () => { order.push("a start"); await first.promise; order.push("a end"); }, () => undefined);
    queue.schedule("octo/app", "b", async () => { order.push("b"); done.resolve(); }, () => undefined);
    await Promise.resolve();
    first.resolve();
    await done.promise;
    expect(order).toEqual(["a start", "a end", "b"]);
  });

  it("does not queue a commit again while its planning waits, but does once it has started", async () => {
    const queue = new PlanQueue();
    const running = deferred();
    const started = deferred();
    const finished = deferred();
    let plans = 0;
    const plan = async () => {
      plans += 1;
      if (plans === 1) {
        started.resolve();
        await running.promise;
      } else finished.resolve();
    };
    expect(queue.schedule("octo/app", "a", plan, () => undefined)).toBe(true);
    await started.promise; // the first planning has started: a new event for "a" queues a second one
    expect(queue.schedule("octo/app", "a", plan, () => undefined)).toBe(true);
    expect(queue.schedule("octo/app", "a", plan, () => undefined)).toBe(false);
    expect(queue.schedule("octo/app", "a", plan, () => undefined)).toBe(false);
    running.resolve();
    await finished.promise;
    expect(plans).toBe(2);
  });

  it("reports a failed planning and keeps planning after it", async () => {
    const queue = new PlanQueue();
    const failures: unknown[] = [];
    const after = deferred();
    queue.schedule("octo/app", "a", async () => { throw new Error("GitHub is down"); }, (error) => failures.push(error));
    queue.schedule("octo/app", "b", async () => after.resolve(), () => undefined);
    await after.promise;
    expect(failures).toEqual([new Error("GitHub is down")]);
  });

  it("plans different repositories side by side", async () => {
    const queue = new PlanQueue();
    const blocked = deferred();
    const other = deferred();
    queue.schedule("octo/app", "a", () => blocked.promise, () => undefined);
    queue.schedule("octo/other", "a", async () => other.resolve(), () => undefined);
    await other.promise; // would never resolve if octo/other waited for octo/app
    blocked.resolve();
  });
});
