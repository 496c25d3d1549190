/** Where a new job stands in its lane: what a "queued" status says it waits behind. */
import { describe, expect, it } from "@jest/globals";
import type { QueueEntry } from "../../src/core/queue.js";
import { lanePosition } from "../../src/decisions/lane-position.js";
import { job } from "../helpers/queue-jobs.js";

const entry = (id: number, state: QueueEntry["state"]): QueueEntry => ({ job: job(id), state });

describe("lanePosition", () => {
  it("has nothing to say for an empty lane: the job starts at once", () => {
    expect(lanePosition([])).toBeUndefined();
  });

  it("names the running deployment and counts the ones waiting before the new job", () => {
    expect(lanePosition([entry(1, "running"), entry(2, "queued"), entry(3, "queued")])).toEqual({
      kind: "lane",
      running: { key: "test:1", label: "deployment 1 (main to production)", creator: "alice", sha: "a".repeat(40) },
      ahead: 2,
    });
  });

  it("names the first in line when none has started yet, and does not count it as ahead", () => {
    expect(lanePosition([entry(4, "queued"), entry(5, "queued")])).toMatchObject({ running: { key: "test:4" }, ahead: 1 });
  });

  it("ignores parked jobs: they hold no place in the lane", () => {
    expect(lanePosition([entry(6, "parked")])).toBeUndefined();
    expect(lanePosition([entry(6, "parked"), entry(7, "queued")])).toMatchObject({ running: { key: "test:7" }, ahead: 0 });
  });
});
