/**
 * Webhooks answered as soon as they are safe, handled afterwards. Each
 * handler says what an event needs before it is answered (`keep`): nothing
 * ("drop": it cannot lead to any action), memory ("memory": losing it in a
 * crash loses nothing a restart does not redo) or the inbox on disk
 * ("disk"). It is then handled from a bounded queue, a few at a time per
 * handler (a burst of comments, whose replies wait on GitHub's write
 * pacing, does not hold up CI events), with the installation's cached
 * Octokit. When too many wait, the webhook is
 * answered 503: GitHub records the delivery as failed and heaven asks for
 * it again later (redeliver-missed.ts). A handling that throws is logged
 * with the delivery id, and the queue goes on.
 *
 * Hooked into Probot's own `app.on`, so its webhook route (WEBHOOK_PATH),
 * signature check (WEBHOOK_SECRET), smee proxy and `app.receive` (polling)
 * all lead here.
 */
import PQueue from "p-queue";
import type { Logger, ProbotOctokit } from "probot";
import { isObject } from "../core/json.js";
import type { WebhookInbox, ReceivedDelivery } from "./webhook-inbox.js";
import { WebhookRefused } from "./webhook-refused.js";

export type Keep = "drop" | "memory" | "disk";

/** A webhook being handled: what a handler may use of it. */
export interface Delivery<P> {
  id: string;
  payload: P;
  octokit: ProbotOctokit;
  log: Logger;
}

export interface DeferredHandler<P> {
  /** Pure and quick: decided before the answer. */
  keep(payload: P): Keep;
  handle(delivery: Delivery<P>): Promise<void>;
}

export interface IntakeOptions {
  inbox: WebhookInbox;
  /** The installation's Octokit (the App's own when there is none), one per installation. */
  octokitFor(installationId: number | undefined): Promise<ProbotOctokit>;
  log: Logger;
  /** Handled at once, per handler; default 4. */
  concurrency?: number;
  /** Webhooks accepted and not yet handled, past which the next is answered 503; default 500. */
  limit?: number;
  /** Told how long each handling took (metrics), and whether it threw. */
  handled?: (on: string, seconds: number, ok: boolean) => void;
}

const installationOf = (payload: Record<string, unknown>) =>
  isObject(payload.installation) && typeof payload.installation.id === "number" ? payload.installation.id : undefined;

type Handle = (delivery: Delivery<Record<string, unknown>>) => Promise<void>;

export class WebhookIntake {
  private readonly handlers = new Map<string, { handle: Handle; queue: PQueue }>();
  /** Delivery ids accepted and not handled yet, journaled or not. */
  private readonly accepted = new Set<string>();
  private readonly limit: number;

  constructor(private readonly options: IntakeOptions) {
    this.limit = options.limit ?? 500;
  }

  /** The Probot handler for `on` (the name given to `app.on`): accepts, answers, hands `handler` the webhook later. */
  on<P>(on: string, handler: DeferredHandler<P>): (context: { id: string; payload: P }) => Promise<void> {
    if (this.handlers.has(on)) throw new Error(`webhook intake: ${on} has a handler already`);
    // Read back from the inbox, the payload is the one this handler accepted before the restart.
    const handle: Handle = (delivery) => handler.handle(delivery as unknown as Delivery<P>);
    this.handlers.set(on, { handle, queue: new PQueue({ concurrency: this.options.concurrency ?? 4 }) });
    return async ({ id, payload }) => {
      const keep = handler.keep(payload);
      if (keep !== "drop" && isObject(payload)) await this.accept({ id, on, payload }, keep);
    };
  }

  /** Queues what the inbox holds from before a restart, oldest first; returns how many. */
  replay(): number {
    const pending = this.options.inbox.pending().filter((delivery) => !this.accepted.has(delivery.id));
    for (const delivery of pending) this.enqueue(delivery);
    return pending.length;
  }

  /** Resolves when nothing waits or is being handled. */
  async idle(): Promise<void> {
    await Promise.all(this.queues().map((queue) => queue.onIdle()));
  }

  /**
   * Starts nothing more; waits up to `timeoutMs` for what is being handled,
   * then closes the inbox. What waits stays there for the next start (or,
   * kept in memory only, is what a restart redoes anyway). Returns how many
   * accepted webhooks were left unhandled.
   */
  async stop(timeoutMs: number): Promise<number> {
    for (const queue of this.queues()) {
      queue.pause();
      queue.clear();
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.idle(), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    await this.options.inbox.close();
    return this.accepted.size;
  }

  private async accept(delivery: ReceivedDelivery, keep: Keep): Promise<void> {
    const { id, on } = delivery;
    if (this.accepted.has(id) || this.options.inbox.has(id)) {
      this.options.log.info({ id, on }, "webhook already received; ignoring the redelivery");
      return;
    }
    if (this.accepted.size >= this.limit) {
      throw new WebhookRefused(503, `heaven has ${this.accepted.size} webhooks waiting to be handled; it asks GitHub for this one again later`);
    }
    if (keep === "disk") {
      this.accepted.add(id);
      try {
        await this.options.inbox.receive(delivery);
      } catch (error) {
        this.accepted.delete(id);
        throw new WebhookRefused(500, `could not keep the webhook on disk (${error instanceof Error ? error.message : String(error)}); it asks GitHub for it again later`);
      }
    }
    this.enqueue(delivery);
  }

  private queues(): PQueue[] {
    return [...this.handlers.values()].map(({ queue }) => queue);
  }

  private enqueue(delivery: ReceivedDelivery): void {
    this.accepted.add(delivery.id);
    const handler = this.handlers.get(delivery.on);
    if (handler === undefined) void this.handle(delivery, undefined);
    else void handler.queue.add(() => this.handle(delivery, handler.handle));
  }

  /** `handle` undefined: an event this heaven no longer handles, journaled by an older one. */
  private async handle({ id, on, payload }: ReceivedDelivery, handle: Handle | undefined): Promise<void> {
    const log = this.options.log.child({ name: "event", id });
    const started = performance.now();
    let ok = true;
    try {
      if (handle === undefined) throw new Error(`heaven no longer handles ${on}`);
      await handle({ id, payload, octokit: await this.options.octokitFor(installationOf(payload)), log });
    } catch (error) {
      ok = false;
      log.error({ err: error, on }, `handling ${on} (delivery ${id}) failed`);
    } finally {
      this.options.handled?.(on, (performance.now() - started) / 1000, ok);
      this.accepted.delete(id);
      await this.options.inbox.markDone(id).catch((error: unknown) => log.warn({ err: error }, `could not mark delivery ${id} handled; a restart handles it again`));
    }
  }
}
