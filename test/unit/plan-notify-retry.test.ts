/** When a notification is tried again, and when heaven gives up on it. */
import { describe, expect, it } from "@jest/globals";
import { planNotifyRetry, type FailedNotification } from "../../src/decisions/plan-notify-retry.js";

const policy = { attempts: 4, firstDelayMs: 1_000, maxDelayMs: 60_000 };
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const failed = (changes: Partial<FailedNotification>): FailedNotification => ({ status: 500, retryAfter: undefined, attempts: 1, now: NOW, ...changes });

describe("planNotifyRetry", () => {
  it("backs off 1 s, 2 s, 4 s after server errors and no answer, then gives up after the last attempt", () => {
    expect([1, 2, 3].map((attempts) => planNotifyRetry(failed({ attempts }), policy))).toEqual([
      { kind: "retry", delayMs: 1_000, why: "answered 500: attempt 2 of 4 in 1 s" },
      { kind: "retry", delayMs: 2_000, why: "answered 500: attempt 3 of 4 in 2 s" },
      { kind: "retry", delayMs: 4_000, why: "answered 500: attempt 4 of 4 in 4 s" },
    ]);
    expect(planNotifyRetry(failed({ attempts: 4 }), policy)).toEqual({ kind: "give-up", why: "answered 500 after 4 attempts: giving up" });
    expect(planNotifyRetry(failed({ status: undefined }), policy)).toMatchObject({ kind: "retry", why: "no answer: attempt 2 of 4 in 1 s" });
  });

  it("never waits longer than the cap between two attempts", () => {
    expect(planNotifyRetry(failed({ attempts: 9 }), { ...policy, attempts: 20 })).toMatchObject({ kind: "retry", delayMs: 60_000 });
  });

  it("waits no less than a 429's Retry-After, in seconds or as a date", () => {
    expect(planNotifyRetry(failed({ status: 429, retryAfter: "30" }), policy)).toMatchObject({ kind: "retry", delayMs: 30_000 });
    expect(planNotifyRetry(failed({ status: 429, retryAfter: new Date(NOW + 12_000).toUTCString() }), policy)).toMatchObject({ kind: "retry", delayMs: 12_000 });
    // Shorter than the backoff, or unreadable: the backoff.
    expect(planNotifyRetry(failed({ status: 429, retryAfter: "0", attempts: 2 }), policy)).toMatchObject({ kind: "retry", delayMs: 2_000 });
    expect(planNotifyRetry(failed({ status: 429, retryAfter: "soon" }), policy)).toMatchObject({ kind: "retry", delayMs: 1_000 });
  });

  it("gives up rather than ignore a Retry-After longer than it waits", () => {
    expect(planNotifyRetry(failed({ status: 429, retryAfter: "3600" }), policy)).toEqual({
      kind: "give-up",
      why: "answered 429 asking to wait 1 h, longer than heaven waits for a notification: giving up",
    });
  });

  it("does not retry a client error that asking again will not change", () => {
    for (const status of [400, 403, 404, 410]) {
      expect(planNotifyRetry(failed({ status }), policy)).toEqual({ kind: "give-up", why: `answered ${status}: will not change by retrying` });
    }
    expect(planNotifyRetry(failed({ status: 408 }), policy)).toMatchObject({ kind: "retry" });
    expect(planNotifyRetry(failed({ status: 301 }), policy)).toEqual({ kind: "give-up", why: "answered 301, a redirect heaven does not follow: will not change by retrying" });
  });
});
