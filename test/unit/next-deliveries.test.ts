import { describe, expect, it } from "@jest/globals";
import { deliveriesToHandle, lostTrack, reachesCursor, startingPoint, type PollCursor } from "../../src/decisions/next-deliveries.js";

const cursor = (lastId: number | undefined, handled: string[] = []): PollCursor => ({ lastId, handled: new Set(handled) });
/** Newest first, as GitHub lists them. */
const log = [
  { id: 40, guid: "d" },
  { id: 35, guid: "b" }, // a redelivery of b
  { id: 30, guid: "c" },
  { id: 20, guid: "b" },
  { id: 10, guid: "a" },
];

describe("deliveriesToHandle", () => {
  it("takes the deliveries after the cursor, oldest first, one attempt per GUID", () => {
    expect(deliveriesToHandle(log, cursor(10))).toEqual([{ id: 20, guid: "b" }, { id: 30, guid: "c" }, { id: 40, guid: "d" }]);
  });

  it("leaves out GUIDs already handled: a redelivery after the cursor of an event handled before it", () => {
    expect(deliveriesToHandle(log, cursor(30, ["b", "c"]))).toEqual([{ id: 40, guid: "d" }]);
  });

  it("handles nothing before it has a cursor, and everything on a log it started empty", () => {
    expect(deliveriesToHandle(log, cursor(undefined))).toEqual([]);
    expect(deliveriesToHandle(log, cursor(0)).map((d) => d.id)).toEqual([10, 20, 30, 40]);
  });
});

describe("reachesCursor and lostTrack", () => {
  it("stop paging once a page holds the cursor or anything older", () => {
    expect(reachesCursor(log.slice(0, 2), cursor(30))).toBe(false);
    expect(reachesCursor(log.slice(0, 3), cursor(30))).toBe(true);
    expect(reachesCursor(log.slice(0, 3), cursor(25))).toBe(false);
    expect(reachesCursor(log.slice(0, 4), cursor(25))).toBe(true);
    expect(reachesCursor([], cursor(undefined))).toBe(true);
  });

  it("call it lost when the log as listed no longer holds the last delivery handled, never for a cursor started on an empty log", () => {
    expect(lostTrack(log, cursor(10))).toBe(false);
    expect(lostTrack(log, cursor(5))).toBe(true);
    expect(lostTrack(log.slice(0, 3), cursor(20))).toBe(true);
    expect(lostTrack(log, cursor(0))).toBe(false);
    expect(lostTrack(log, cursor(undefined))).toBe(false);
  });
});

describe("startingPoint", () => {
  it("is the newest delivery, or 0 for an empty log", () => {
    expect(startingPoint(log)).toBe(40);
    expect(startingPoint([])).toBe(0);
  });
});
