import { describe, expect, it } from "@jest/globals";
import {
  backoffMs,
  BACKOFF_CAP_MS,
  decideRetry,
  DEFAULT_MAX_AGE_MS,
  isRateLimit,
  SECONDARY_LIMIT_WAIT_MS,
  type FailedRequest,
  type RetryContext,
} from "../../src/decisions/retry-policy.js";

const NOW = Date.UTC(2026, 4, 1, 12, 0, 0);

function failure(status: number | undefined, headers: Record<string, string> = {}, message = "failed"): FailedRequest {
  return { status, headers, message };
}

function context(overrides: Partial<RetryContext> = {}): RetryContext {
  return { attempts: 1, tokenRefreshed: false, createdAt: NOW - 1_000, now: NOW, maxAgeMs: DEFAULT_MAX_AGE_MS, jitter: 0, ...overrides };
}

describe("decideRetry: a refused token", () => {
  it("refreshes the installation token after a first 401", () => {
    expect(decideRetry(failure(401, {}, "Bad credentials"), context())).toEqual({ kind: "refresh-token" });
  });

  it("gives up on a 401 after the token was already refreshed", () => {
    const decision = decideRetry(failure(401, {}, "Bad credentials"), context({ attempts: 2, tokenRefreshed: true }));
    expect(decision.kind).toBe("give-up");
    expect(decision.kind === "give-up" && decision.why).toMatch(/401 again with a freshly minted installation token/);
  });

  it("does not refresh a token for a write that is already past its age limit", () => {
    const decision = decideRetry(failure(401), context({ createdAt: NOW - DEFAULT_MAX_AGE_MS - 1 }));
    expect(decision.kind).toBe("give-up");
  });
});

describe("decideRetry: rate limits", () => {
  it("waits retry-after seconds and pauses the installation until then (429)", () => {
    expect(decideRetry(failure(429, { "retry-after": "30" }), context())).toEqual({
      kind: "retry",
      at: NOW + 30_000,
      pauseInstallationUntil: NOW + 30_000,
      why: expect.stringMatching(/429 rate limit: waiting 30 s \(retry-after\)/),
    });
  });

  it("waits retry-after on a 403 secondary limit even when x-ratelimit-reset is also there", () => {
    const headers = { "retry-after": "45", "x-ratelimit-remaining": "4990", "x-ratelimit-reset": String(NOW / 1000 + 3000) };
    const decision = decideRetry(failure(403, headers, "You have exceeded a secondary rate limit"), context());
    expect(decision).toMatchObject({ kind: "retry", at: NOW + 45_000, pauseInstallationUntil: NOW + 45_000 });
  });

  it("reads retry-after given as an HTTP date", () => {
    const headers = { "retry-after": new Date(NOW + 90_000).toUTCString() };
    expect(decideRetry(failure(429, headers), context())).toMatchObject({ kind: "retry", at: NOW + 90_000 });
  });

  it("waits until a second after x-ratelimit-reset when the primary limit is spent", () => {
    const reset = NOW / 1000 + 600;
    const decision = decideRetry(failure(403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) }, "API rate limit exceeded"), context());
    expect(decision).toMatchObject({ kind: "retry", at: reset * 1000 + 1_000, pauseInstallationUntil: reset * 1000 + 1_000 });
    expect(decision.kind === "retry" && decision.why).toMatch(/x-ratelimit-reset/);
  });

  it("does not wait for a reset that already passed (clock skew)", () => {
    const decision = decideRetry(failure(403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(NOW / 1000 - 100) }), context());
    expect(decision).toMatchObject({ kind: "retry", at: NOW });
  });

  it("ignores x-ratelimit-reset while the primary limit is not spent: a secondary limit waits a minute", () => {
    const headers = { "x-ratelimit-remaining": "4990", "x-ratelimit-reset": String(NOW / 1000 + 3000) };
    const decision = decideRetry(failure(403, headers, "You have exceeded a secondary rate limit"), context());
    expect(decision).toMatchObject({ kind: "retry", at: NOW + SECONDARY_LIMIT_WAIT_MS, pauseInstallationUntil: NOW + SECONDARY_LIMIT_WAIT_MS });
  });

  it("waits a minute on a 429 without any header", () => {
    expect(decideRetry(failure(429), context())).toMatchObject({ kind: "retry", at: NOW + 60_000 });
  });

  it("waits a minute when x-ratelimit-remaining is 0 but the reset is missing", () => {
    expect(decideRetry(failure(403, { "x-ratelimit-remaining": "0" }), context())).toMatchObject({ kind: "retry", at: NOW + 60_000 });
  });

  it("tells a rate-limit 403 from a permission 403", () => {
    expect(isRateLimit(failure(403, { "retry-after": "5" }))).toBe(true);
    expect(isRateLimit(failure(403, { "x-ratelimit-remaining": "0" }))).toBe(true);
    expect(isRateLimit(failure(403, {}, "You have exceeded a secondary Rate Limit"))).toBe(true);
    expect(isRateLimit(failure(403, { "x-ratelimit-remaining": "12" }, "Resource not accessible by integration"))).toBe(false);
    expect(isRateLimit(failure(429))).toBe(true);
  });

  it("gives up, loudly, on a rate limit whose wait would pass the age limit", () => {
    const decision = decideRetry(failure(429, { "retry-after": "120" }), context({ createdAt: NOW - DEFAULT_MAX_AGE_MS + 60_000, attempts: 7 }));
    expect(decision.kind).toBe("give-up");
    expect(decision.kind === "give-up" && decision.why).toMatch(/not delivered within 24 h of being accepted \(7 attempts; last: 429 rate limit/);
  });
});

describe("decideRetry: answers that will not change", () => {
  it.each([
    [400, /400 bad request: will not change/],
    [404, /404 not found.*: will not change/],
    [409, /409 conflict: will not change/],
    [410, /410 gone: will not change/],
    [422, /422 unprocessable.*: will not change/],
    [451, /451 client error: will not change/],
  ])("gives up on %i", (status, why) => {
    const decision = decideRetry(failure(status, {}, "Validation Failed"), context());
    expect(decision.kind).toBe("give-up");
    expect(decision.kind === "give-up" && decision.why).toMatch(why);
    expect(decision.kind === "give-up" && decision.why).toMatch(/Validation Failed/);
  });

  it("gives up on a 403 that is not a rate limit, saying it is a permission", () => {
    const decision = decideRetry(failure(403, { "x-ratelimit-remaining": "4000" }, "Resource not accessible by integration"), context());
    expect(decision.kind).toBe("give-up");
    expect(decision.kind === "give-up" && decision.why).toMatch(/403 forbidden \(not a rate limit: a missing permission\): will not change/);
  });
});

describe("decideRetry: server and network failures", () => {
  it.each([500, 502, 503, 504])("backs off after a %i", (status) => {
    expect(decideRetry(failure(status), context())).toMatchObject({ kind: "retry", at: NOW + 1_000 });
  });

  it("backs off when no answer came", () => {
    const decision = decideRetry(failure(undefined, {}, "connect ECONNREFUSED"), context());
    expect(decision).toMatchObject({ kind: "retry", at: NOW + 1_000 });
    expect(decision.kind === "retry" && decision.why).toMatch(/no answer \(connect ECONNREFUSED\): retry 2 in 1 s/);
    expect(decision).not.toHaveProperty("pauseInstallationUntil");
  });

  it("doubles the wait with each attempt: 1 s, 2 s, 4 s … capped at 60 s", () => {
    const waits = [1, 2, 3, 4, 5, 6, 7, 8, 20].map((attempts) => {
      const decision = decideRetry(failure(502), context({ attempts }));
      return decision.kind === "retry" ? decision.at - NOW : undefined;
    });
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  it("takes up to a fifth off with jitter, never more, and never passes the cap", () => {
    expect(backoffMs(3, 0)).toBe(4_000);
    expect(backoffMs(3, 0.5)).toBe(3_600);
    expect(backoffMs(3, 0.999)).toBe(3_201);
    expect(backoffMs(30, 0.999)).toBeLessThanOrEqual(BACKOFF_CAP_MS);
    expect(backoffMs(30, 0)).toBe(BACKOFF_CAP_MS);
  });

  it("retries right up to the age limit and gives up when the next try would pass it", () => {
    const maxAgeMs = 10_000;
    const createdAt = NOW - 8_000;
    expect(decideRetry(failure(503), context({ attempts: 2, createdAt, maxAgeMs }))).toMatchObject({ kind: "retry", at: NOW + 2_000 });
    const decision = decideRetry(failure(503), context({ attempts: 3, createdAt, maxAgeMs }));
    expect(decision.kind).toBe("give-up");
    expect(decision.kind === "give-up" && decision.why).toMatch(/not delivered within 10 s of being accepted \(3 attempts; last: 503/);
  });
});
