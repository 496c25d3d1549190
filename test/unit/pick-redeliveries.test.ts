import { describe, expect, it } from "@jest/globals";
import { pickRedeliveries, type DeliveryAttempt, type RedeliveryRules } from "../../src/decisions/pick-redeliveries.js";

const NOW = Date.parse("2024-05-01T12:00:00Z");
const MINUTE = 60_000;
const HOURS_6 = 6 * 60 * MINUTE;

/** An attempt as `GET /app/hook/deliveries` lists it (the fields the rule reads). */
function attempt(id: number, guid: string, statusCode: number, minutesAgo: number, event = "deployment"): DeliveryAttempt {
  return { id, guid, delivered_at: new Date(NOW - minutesAgo * MINUTE).toISOString(), status_code: statusCode, event, action: event === "deployment" ? "created" : null };
}

const rules = (overrides: Partial<RedeliveryRules> = {}): RedeliveryRules => ({ now: NOW, lookBackMs: HOURS_6, alreadyRequested: new Set(), max: 10, ...overrides });
const ids = (attempts: DeliveryAttempt[]) => attempts.map((a) => a.id);

describe("pickRedeliveries", () => {
  it("picks nothing from no deliveries", () => {
    expect(pickRedeliveries([], rules())).toEqual({ redeliver: [], leftAlone: [], deferred: 0 });
  });

  it("redelivers a webhook heaven could not be reached for (status_code 0)", () => {
    const pick = pickRedeliveries([attempt(7, "a", 0, 10)], rules());
    expect(pick).toEqual({ redeliver: [attempt(7, "a", 0, 10)], leftAlone: [], deferred: 0 });
  });

  it.each([500, 502, 503, 504])("redelivers a webhook heaven answered with %i", (code) => {
    expect(ids(pickRedeliveries([attempt(7, "a", code, 10)], rules()).redeliver)).toEqual([7]);
  });

  it.each([200, 201, 202, 204])("leaves a webhook answered %i alone, and does not report it", (code) => {
    expect(pickRedeliveries([attempt(7, "a", code, 10)], rules())).toEqual({ redeliver: [], leftAlone: [], deferred: 0 });
  });

  it("treats a GUID as done when any attempt succeeded, whatever came after", () => {
    const attempts = [attempt(9, "a", 503, 1), attempt(8, "a", 200, 5), attempt(7, "a", 0, 10)];
    expect(pickRedeliveries(attempts, rules())).toEqual({ redeliver: [], leftAlone: [], deferred: 0 });
  });

  it.each([400, 401, 403, 404, 422])("reports a webhook heaven answered with %i instead of redelivering it", (code) => {
    expect(pickRedeliveries([attempt(7, "a", code, 10)], rules())).toEqual({ redeliver: [], leftAlone: [attempt(7, "a", code, 10)], deferred: 0 });
  });

  it("reports a redirect (3xx) too: it would not succeed either", () => {
    expect(ids(pickRedeliveries([attempt(7, "a", 302, 10)], rules()).leftAlone)).toEqual([7]);
  });

  it("judges a GUID by its newest attempt", () => {
    const attempts = [
      attempt(4, "down-then-bad", 400, 1),
      attempt(3, "bad-then-down", 0, 2),
      attempt(2, "bad-then-down", 400, 20),
      attempt(1, "down-then-bad", 503, 30),
    ];
    const pick = pickRedeliveries(attempts, rules());
    expect(ids(pick.redeliver)).toEqual([3]);
    expect(ids(pick.leftAlone)).toEqual([4]);
  });

  it("redelivers the newest attempt of a GUID, whatever order the list is in", () => {
    const attempts = [attempt(3, "a", 0, 2), attempt(12, "a", 502, 1), attempt(5, "a", 0, 3)];
    expect(ids(pickRedeliveries(attempts, rules()).redeliver)).toEqual([12]);
  });

  it("ignores failures older than the look-back, and includes one exactly at its edge", () => {
    const attempts = [attempt(3, "edge", 0, 360), attempt(2, "old", 0, 361), attempt(1, "old-bad", 400, 400)];
    expect(pickRedeliveries(attempts, rules())).toEqual({ redeliver: [attempt(3, "edge", 0, 360)], leftAlone: [], deferred: 0 });
  });

  it("reads the look-back from the newest attempt: a recent retry of an old event still counts", () => {
    const attempts = [attempt(2, "a", 0, 30), attempt(1, "a", 0, 500)];
    expect(ids(pickRedeliveries(attempts, rules()).redeliver)).toEqual([2]);
  });

  it("skips an attempt whose delivered_at cannot be read", () => {
    const broken = { ...attempt(1, "a", 0, 5), delivered_at: "yesterday" };
    expect(pickRedeliveries([broken], rules())).toEqual({ redeliver: [], leftAlone: [], deferred: 0 });
  });

  it("asks for a GUID once: not when it was requested already", () => {
    const attempts = [attempt(2, "asked", 0, 1), attempt(1, "new", 503, 2)];
    const pick = pickRedeliveries(attempts, rules({ alreadyRequested: new Set(["asked"]) }));
    expect(pick).toEqual({ redeliver: [attempt(1, "new", 503, 2)], leftAlone: [], deferred: 0 });
  });

  it("still reports a 4xx answer to a redelivery it asked for", () => {
    const attempts = [attempt(2, "a", 400, 1), attempt(1, "a", 0, 2)];
    expect(ids(pickRedeliveries(attempts, rules({ alreadyRequested: new Set(["a"]) })).leftAlone)).toEqual([2]);
  });

  it("redelivers at most `max`, oldest event first, and counts the rest as deferred", () => {
    // Newest first, as the API lists them; "b" happened first but was retried last.
    const attempts = [attempt(6, "b", 0, 1), attempt(5, "d", 0, 2), attempt(4, "c", 500, 3), attempt(3, "a", 0, 4), attempt(1, "b", 0, 50)];
    const pick = pickRedeliveries(attempts, rules({ max: 2 }));
    expect(ids(pick.redeliver)).toEqual([6, 3]);
    expect(pick.deferred).toBe(2);
  });

  it("redelivers nothing with a max of 0 (or less), deferring every candidate", () => {
    const attempts = [attempt(2, "a", 0, 1), attempt(1, "b", 0, 2)];
    expect(pickRedeliveries(attempts, rules({ max: 0 }))).toEqual({ redeliver: [], leftAlone: [], deferred: 2 });
    expect(pickRedeliveries(attempts, rules({ max: -1 })).deferred).toBe(2);
  });

  it("does not count left-alone failures against max", () => {
    const attempts = [attempt(3, "bad", 400, 1), attempt(2, "a", 0, 2), attempt(1, "b", 0, 3)];
    const pick = pickRedeliveries(attempts, rules({ max: 2 }));
    expect(ids(pick.redeliver)).toEqual([1, 2]);
    expect(ids(pick.leftAlone)).toEqual([3]);
    expect(pick.deferred).toBe(0);
  });

  it("lists left-alone failures oldest first", () => {
    const attempts = [attempt(9, "x", 404, 1), attempt(4, "y", 400, 5), attempt(6, "z", 401, 3)];
    expect(ids(pickRedeliveries(attempts, rules()).leftAlone)).toEqual([4, 6, 9]);
  });

  it("handles every event alike, deployments or not", () => {
    const attempts = [attempt(2, "a", 0, 1, "check_suite"), attempt(1, "b", 0, 2, "status")];
    expect(pickRedeliveries(attempts, rules()).redeliver.map((a) => a.event)).toEqual(["status", "check_suite"]);
  });
});
