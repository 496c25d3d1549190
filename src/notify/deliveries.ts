/**
 * Notifications sent in the background, off the deployment's path: each
 * attempt is bounded by a timeout, failures are retried by the rules of
 * plan-notify-retry.ts and logged with every secret masked (a webhook URL
 * is a credential), and one deployment's notifications go out in order.
 */
import { planNotifyRetry, type NotifyRetryPolicy } from "../decisions/plan-notify-retry.js";

export interface NotifyLog {
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface DeliveryPolicy extends NotifyRetryPolicy {
  /** How long one attempt may take before it counts as no answer. */
  timeoutMs: number;
  /** Notifications waiting or being sent at once; more are dropped (and logged) rather than piled up. */
  maxPending: number;
}

export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = { attempts: 4, firstDelayMs: 1_000, maxDelayMs: 60_000, timeoutMs: 10_000, maxPending: 200 };

/** One attempt's result: delivered, or what the retry rules read. */
export type AttemptAnswer = { ok: true } | { ok: false; status: number | undefined; retryAfter: string | undefined; message: string };

export interface Delivery {
  /** Notifications of one deployment share an order: a later one waits for the earlier ones. */
  order: string;
  /** What the log says it was (never a URL). */
  about: Record<string, string>;
  /** Values masked in what is logged. */
  secrets: readonly string[];
  attempt(signal: AbortSignal): Promise<AttemptAnswer>;
}

export class Deliveries {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();
  private pending = 0;

  constructor(
    private readonly policy: DeliveryPolicy,
    private readonly log: NotifyLog,
    private readonly now: () => number = Date.now,
  ) {}

  /** Returns at once; the delivery runs after the earlier ones of its order. */
  send(delivery: Delivery): void {
    if (this.stopping.signal.aborted) return;
    if (this.pending >= this.policy.maxPending) {
      this.log.error(delivery.about, `notification dropped: ${this.pending} are already waiting to be sent`);
      return;
    }
    this.pending += 1;
    const tail = (this.tails.get(delivery.order) ?? Promise.resolve())
      .then(() => this.deliver(delivery))
      .catch((error: unknown) => this.log.error({ ...delivery.about, error: maskAll(describeError(error), delivery.secrets) }, "notification not delivered: heaven failed sending it"));
    this.tails.set(delivery.order, tail);
    void tail.then(() => {
      this.pending -= 1;
      if (this.tails.get(delivery.order) === tail) this.tails.delete(delivery.order);
    });
  }

  /** Every notification sent so far has been delivered or given up on. */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all(this.tails.values());
  }

  /** Stops every attempt and wait; nothing more is sent. */
  stop(): void {
    this.stopping.abort();
  }

  private async deliver(delivery: Delivery): Promise<void> {
    for (let attempts = 1; !this.stopping.signal.aborted; attempts++) {
      const bounded = boundedSignal(this.stopping.signal, this.policy.timeoutMs);
      const answer = await delivery
        .attempt(bounded.signal)
        .catch((error: unknown): AttemptAnswer => ({ ok: false, status: undefined, retryAfter: undefined, message: describeError(error) }))
        .finally(bounded.release);
      if (answer.ok || this.stopping.signal.aborted) return;
      const plan = planNotifyRetry({ status: answer.status, retryAfter: answer.retryAfter, attempts, now: this.now() }, this.policy);
      const about = { ...delivery.about, attempt: attempts, ...(answer.status === undefined ? {} : { status: answer.status }), error: maskAll(answer.message, delivery.secrets) };
      if (plan.kind === "give-up") {
        this.log.error(about, `notification not delivered: ${plan.why}`);
        return;
      }
      this.log.warn(about, `notification not delivered yet: ${plan.why}`);
      await pause(plan.delayMs, this.stopping.signal);
    }
  }
}

/** A URL and its path: Slack's secret is the path, which an error may quote without the host. */
export function urlSecrets(url: string): string[] {
  const { pathname, search } = new URL(url);
  return [url, `${pathname}${search}`].filter((part) => part.length > 1);
}

/** Every secret in `text` masked. */
function maskAll(text: string, secrets: readonly string[]): string {
  return secrets.reduce((masked, secret) => (secret === "" ? masked : masked.split(secret).join("***")), text);
}

/** The message and its causes (fetch hides the reason in `cause`). */
function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let current = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth++) parts.push(current.message);
  return parts.join(": ") || String(error);
}

/** Aborted when heaven stops or after `ms`; `release` unhooks it from the stop signal, which lives as long as the sink. */
function boundedSignal(stopping: AbortSignal, ms: number): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const abort = () => controller.abort(stopping.aborted ? stopping.reason : new Error(`no answer within ${ms} ms`));
  const timer = setTimeout(abort, ms);
  stopping.addEventListener("abort", abort, { once: true });
  return {
    signal: controller.signal,
    release: () => {
      clearTimeout(timer);
      stopping.removeEventListener("abort", abort);
    },
  };
}

/** Resolves after `ms`, or at once when stopped (`stop` lets a stopping heaven exit without waiting). */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
