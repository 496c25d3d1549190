/**
 * Webhooks answered before they are handled, kept on disk until they are.
 * heaven answers GitHub once a delivery is written here (fsync'd, with the
 * group commit of AppendLog: a burst costs a few fsyncs), handles it
 * afterwards and marks it done; a restarted heaven handles what was
 * received and never marked done. Delivery ids handled lately are
 * remembered, across restarts too: a redelivery keeps its X-GitHub-Delivery
 * id, so it is recognised and not handled twice. Compacted on open and
 * whenever the file has grown well past what it holds.
 */
import { z } from "zod";
import { AppendLog } from "../engine/append-log.js";
import { rememberKey } from "../engine/recent-keys.js";

export interface ReceivedDelivery {
  /** X-GitHub-Delivery: a redelivery keeps it. */
  id: string;
  /** The handler it is for, as registered with `app.on`: `status`, `check_suite.completed`, … */
  on: string;
  /** The payload GitHub signed, as Probot parsed it. */
  payload: Record<string, unknown>;
}

type InboxRecord =
  | ({ t: "received" } & ReceivedDelivery)
  | { t: "done"; id: string }
  /** Written by compaction: ids handled lately, oldest first. */
  | { t: "done-ids"; ids: string[] };

const recordSchema = z.discriminatedUnion("t", [
  z.object({ t: z.literal("received"), id: z.string().min(1), on: z.string().min(1), payload: z.record(z.string(), z.unknown()) }),
  z.object({ t: z.literal("done"), id: z.string().min(1) }),
  z.object({ t: z.literal("done-ids"), ids: z.array(z.string()) }),
]);

function parseInboxRecord(value: unknown): { ok: true; value: InboxRecord } | { ok: false; error: string } {
  const parsed = recordSchema.safeParse(value);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, error: "not an inbox record" };
}

/** Redeliveries of these many handled deliveries are still recognised (GitHub's redeliveries come within hours). */
export const REMEMBERED_DONE = 5_000;
/** Compact once the file holds this many lines more than the compacted form would. */
const COMPACT_SLACK = 1_000;

export class WebhookInbox {
  /** Received and not done, in the order received. */
  private readonly waiting = new Map<string, ReceivedDelivery>();
  private readonly done = new Set<string>();

  private constructor(
    private readonly log: AppendLog<InboxRecord>,
    private readonly remember: number,
  ) {}

  /** `skipped` says which lines could not be read (a torn last line, a damaged file). */
  static async open(file: string, options: { remember?: number } = {}): Promise<{ inbox: WebhookInbox; skipped: string[] }> {
    const { log, records, skipped } = await AppendLog.open(file, parseInboxRecord);
    const inbox = new WebhookInbox(log, options.remember ?? REMEMBERED_DONE);
    for (const record of records) inbox.apply(record);
    await log.rewrite(inbox.snapshot());
    return { inbox, skipped };
  }

  /** Received and not done, oldest first: what a restarted heaven handles. */
  pending(): ReceivedDelivery[] {
    return [...this.waiting.values()];
  }

  /** Received and not done yet, or done lately: another delivery with this id is a redelivery. */
  has(id: string): boolean {
    return this.waiting.has(id) || this.done.has(id);
  }

  /** Resolves once the delivery is on disk; rejects, forgetting it, when it could not be written. */
  async receive(delivery: ReceivedDelivery): Promise<void> {
    // Counted before it is written, so that a compaction starting meanwhile keeps it.
    this.waiting.set(delivery.id, delivery);
    try {
      await this.log.append({ t: "received", ...delivery });
    } catch (error) {
      this.waiting.delete(delivery.id);
      throw error;
    }
    this.compact();
  }

  /**
   * Handled, well or not: never handled again. True at once; on disk when
   * it resolves (a crash before that handles it once more after the
   * restart). A delivery that was never written here is only remembered.
   */
  async markDone(id: string): Promise<void> {
    const written = this.waiting.delete(id);
    rememberKey(this.done, id, this.remember);
    if (written) await this.log.append({ t: "done", id });
    this.compact();
  }

  async close(): Promise<void> {
    await this.log.close();
  }

  private apply(record: InboxRecord): void {
    if (record.t === "received") {
      if (!this.done.has(record.id)) this.waiting.set(record.id, { id: record.id, on: record.on, payload: record.payload });
    } else if (record.t === "done") {
      this.waiting.delete(record.id);
      rememberKey(this.done, record.id, this.remember);
    } else {
      for (const id of record.ids) rememberKey(this.done, id, this.remember);
    }
  }

  private snapshot(): InboxRecord[] {
    return [{ t: "done-ids", ids: [...this.done] }, ...[...this.waiting.values()].map((delivery) => ({ t: "received" as const, ...delivery }))];
  }

  /** Off the webhook's path; a failed compaction loses nothing (the file merely keeps growing until the next). */
  private compact(): void {
    this.log.compactWhenLonger(this.waiting.size + 1 + COMPACT_SLACK, () => this.snapshot(), () => undefined);
  }
}
