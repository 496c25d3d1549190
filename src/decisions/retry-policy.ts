/**
 * What to do after a GitHub write failed: retry (when), refresh the
 * installation token first, or give up (why). Pure: the clock and the
 * jitter come in with the failure, so every rule is tested without timers.
 *
 * GitHub's advice shapes the rules: a rate-limit answer says how long to
 * wait (`retry-after`, else `x-ratelimit-reset` when the primary limit is
 * spent, else at least a minute) and the wait applies to the whole
 * installation; a client error will not change by asking again; a server
 * or network failure is retried with exponential backoff.
 */
import { formatDuration } from "./text.js";

export interface FailedRequest {
  /** HTTP status; undefined when no answer came (Octokit reports fetch failures as 500 with a `cause`). */
  status: number | undefined;
  /** Response headers, names in lower case. */
  headers: Readonly<Record<string, string | undefined>>;
  message: string;
}

export interface RetryContext {
  /** Attempts made so far, the one that just failed included (1 after the first failure). */
  attempts: number;
  /** Whether the installation token was already refreshed for this write. */
  tokenRefreshed: boolean;
  /** Epoch ms the write was accepted. */
  createdAt: number;
  now: number;
  maxAgeMs: number;
  /** A number in [0, 1): spreads the retries of many writes after an outage. */
  jitter: number;
}

export type RetryDecision =
  | { kind: "retry"; at: number; pauseInstallationUntil?: number; why: string }
  | { kind: "refresh-token" }
  | { kind: "give-up"; why: string };

export const DEFAULT_MAX_AGE_MS = 24 * 60 * 60 * 1000;
export const BACKOFF_FIRST_MS = 1_000;
export const BACKOFF_CAP_MS = 60_000;
/** GitHub: a secondary rate limit without `retry-after` means waiting at least a minute. */
export const SECONDARY_LIMIT_WAIT_MS = 60_000;
/** GitHub: retry only after the `x-ratelimit-reset` second has passed, so one second more. */
const AFTER_RESET_MS = 1_000;

/** Answers that asking again will not change. */
const WILL_NOT_CHANGE: Readonly<Record<number, string>> = {
  400: "bad request",
  404: "not found (deleted, or the app cannot see it)",
  409: "conflict",
  410: "gone",
  422: "unprocessable (GitHub rejected the content)",
};

export function decideRetry(failure: FailedRequest, context: RetryContext): RetryDecision {
  const { status } = failure;
  if (status === 401) {
    if (context.tokenRefreshed) return { kind: "give-up", why: "401 again with a freshly minted installation token: the app's credentials or installation are wrong" };
    return withinAge(context.now, context, "401: the installation token was refused") ?? { kind: "refresh-token" };
  }
  if ((status === 403 || status === 429) && isRateLimit(failure)) {
    const { at, source } = rateLimitRetryAt(failure, context.now);
    const why = `${status} rate limit: waiting ${formatDuration(at - context.now)} (${source}); the installation pauses until then`;
    return withinAge(at, context, why) ?? { kind: "retry", at, pauseInstallationUntil: at, why };
  }
  if (status === 403) return { kind: "give-up", why: `403 forbidden (not a rate limit: a missing permission): will not change by retrying — ${failure.message}` };
  if (status !== undefined && status >= 400 && status < 500) {
    const what = WILL_NOT_CHANGE[status] ?? "client error";
    return { kind: "give-up", why: `${status} ${what}: will not change by retrying — ${failure.message}` };
  }
  const delay = backoffMs(context.attempts, context.jitter);
  const at = context.now + delay;
  const why = `${status === undefined ? "no answer" : status} (${failure.message}): retry ${context.attempts + 1} in ${formatDuration(delay)}`;
  return withinAge(at, context, why) ?? { kind: "retry", at, why };
}

/** A 429 always is one; a 403 is one when it says so in a header or its message. */
export function isRateLimit(failure: FailedRequest): boolean {
  if (failure.status === 429) return true;
  return (
    failure.headers["retry-after"] !== undefined ||
    failure.headers["x-ratelimit-remaining"] === "0" ||
    /rate limit/i.test(failure.message)
  );
}

/** 1 s, 2 s, 4 s … capped at 60 s; the jitter takes off up to a fifth so the cap is never passed. */
export function backoffMs(attempts: number, jitter: number): number {
  const nominal = Math.min(BACKOFF_CAP_MS, BACKOFF_FIRST_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(nominal * (1 - 0.2 * jitter));
}

function rateLimitRetryAt(failure: FailedRequest, now: number): { at: number; source: string } {
  const retryAfter = parseRetryAfter(failure.headers["retry-after"], now);
  if (retryAfter !== undefined) return { at: retryAfter, source: "retry-after" };
  // Every answer carries x-ratelimit-reset; it is the primary window's and matters only once it is spent.
  const reset = Number(failure.headers["x-ratelimit-reset"]);
  if (failure.headers["x-ratelimit-remaining"] === "0" && Number.isFinite(reset) && reset > 0) {
    return { at: Math.max(now, reset * 1000 + AFTER_RESET_MS), source: "x-ratelimit-reset" };
  }
  return { at: now + SECONDARY_LIMIT_WAIT_MS, source: "secondary limit without retry-after: a minute" };
}

/** Seconds (what GitHub sends) or an HTTP date (what HTTP allows). */
function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return now + Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(now, date);
}

function withinAge(at: number, context: RetryContext, why: string): RetryDecision | undefined {
  const deadline = context.createdAt + context.maxAgeMs;
  if (at <= deadline) return undefined;
  return {
    kind: "give-up",
    why: `not delivered within ${formatDuration(context.maxAgeMs)} of being accepted (${context.attempts} attempts; last: ${why}): giving up`,
  };
}
