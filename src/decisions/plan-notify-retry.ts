/**
 * What to do after a notification could not be delivered: try again (after
 * how long) or give up (why). Pure. A notification is worth a few tries, not
 * a queue of its own: the attempts are bounded, a server or network failure
 * backs off exponentially, a 429 is retried no sooner than its Retry-After,
 * and a redirect (never followed) or any other client error will not change
 * by asking again.
 */
import { formatDuration } from "./text.js";

export interface NotifyRetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** The wait before the second attempt; each later one doubles it. */
  firstDelayMs: number;
  /** The longest heaven waits between two attempts; a Retry-After beyond it gives up. */
  maxDelayMs: number;
}

export interface FailedNotification {
  /** HTTP status; undefined when no answer came (refused, reset, timed out). */
  status: number | undefined;
  /** The answer's Retry-After header: seconds, or an HTTP date. */
  retryAfter: string | undefined;
  /** Attempts made so far, the one that just failed included. */
  attempts: number;
  now: number;
}

export type NotifyRetry = { kind: "retry"; delayMs: number; why: string } | { kind: "give-up"; why: string };

export function planNotifyRetry(failure: FailedNotification, policy: NotifyRetryPolicy): NotifyRetry {
  const { status, attempts } = failure;
  const answer = status === undefined ? "no answer" : `answered ${status}`;
  if (status !== undefined && status >= 300 && status < 400) return { kind: "give-up", why: `${answer}, a redirect heaven does not follow: will not change by retrying` };
  if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return { kind: "give-up", why: `${answer}: will not change by retrying` };
  }
  if (attempts >= policy.attempts) return { kind: "give-up", why: `${answer} after ${attempts === 1 ? "1 attempt" : `${attempts} attempts`}: giving up` };
  const backoff = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** (attempts - 1));
  const asked = status === 429 ? retryAfterMs(failure.retryAfter, failure.now) : undefined;
  if (asked !== undefined && asked > policy.maxDelayMs) {
    return { kind: "give-up", why: `${answer} asking to wait ${formatDuration(asked)}, longer than heaven waits for a notification: giving up` };
  }
  const delayMs = Math.max(backoff, asked ?? 0);
  return { kind: "retry", delayMs, why: `${answer}: attempt ${attempts + 1} of ${policy.attempts} in ${formatDuration(delayMs)}` };
}

/** Seconds, or an HTTP date; undefined when absent or unreadable. */
function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
