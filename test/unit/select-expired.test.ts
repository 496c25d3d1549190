import { describe, expect, it } from "@jest/globals";
import { selectExpired } from "../../src/decisions/select-expired.js";

const DAY = 86_400_000;
const now = Date.UTC(2026, 0, 31);
const entry = (key: string, ageDays: number) => ({ key, mtimeMs: now - ageDays * DAY });

describe("selectExpired", () => {
  it("selects what was last written more than the retention ago, and nothing younger", () => {
    const entries = [entry("octo/app/1", 31), entry("octo/app/2", 29), entry("octo/app/3", 400)];
    expect(selectExpired(entries, { now, days: 30, live: new Set() }).map((e) => e.key)).toEqual(["octo/app/1", "octo/app/3"]);
  });

  it("keeps an entry exactly at the retention boundary", () => {
    expect(selectExpired([entry("octo/app/1", 30)], { now, days: 30, live: new Set() })).toEqual([]);
  });

  it("never selects the log or checkout of a deployment still running or queued, however old", () => {
    const entries = [entry("octo/app/1", 90), entry("octo/app/2", 90)];
    expect(selectExpired(entries, { now, days: 30, live: new Set(["octo/app/1"]) }).map((e) => e.key)).toEqual(["octo/app/2"]);
  });

  it("keeps everything when retention is off (0 days)", () => {
    expect(selectExpired([entry("octo/app/1", 10_000)], { now, days: 0, live: new Set() })).toEqual([]);
  });

  it("hands back the entries it was given, with whatever else they carry", () => {
    const old = { ...entry("/data/checkouts/abc", 2), bytes: 42 };
    expect(selectExpired([old], { now, days: 1, live: new Set() })).toEqual([old]);
  });
});
