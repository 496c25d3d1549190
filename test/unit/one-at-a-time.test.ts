import { describe, expect, it } from "@jest/globals";
import { OneAtATime } from "../../src/engine/one-at-a-time.js";
import { deferred } from "../helpers/queue-jobs.js";

describe("OneAtATime", () => {
  it("never overlaps, and runs once more for any number of calls made during a run", async () => {
    const gates = [deferred(), deferred()];
    let runs = 0;
    let overlapping = 0;
    let active = 0;
    const reads = new OneAtATime(async () => {
      active += 1;
      overlapping = Math.max(overlapping, active);
      await gates[runs++]?.promise;
      active -= 1;
    });
    const first = reads.run();
    const during = [reads.run(), reads.run(), reads.run()];
    gates[0]!.resolve();
    gates[1]!.resolve();
    await Promise.all([first, ...during]);
    expect(runs).toBe(2);
    expect(overlapping).toBe(1);
    await reads.run();
    expect(runs).toBe(3);
  });

  it("lets the next call run again after a run failed", async () => {
    let calls = 0;
    const reads = new OneAtATime(async () => {
      calls += 1;
      if (calls === 1) throw new Error("the database went away");
    });
    await expect(reads.run()).rejects.toThrow("went away");
    await reads.idle();
    await reads.run();
    expect(calls).toBe(2);
  });
});
