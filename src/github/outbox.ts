/**
 * The durable outbox for the GitHub writes heaven must not lose: deployment
 * statuses, commit statuses, created deployments. A write is on disk before
 * `add` resolves and before it is attempted; it is retried (retry-policy)
 * for up to `maxAgeMs`, across restarts, until GitHub takes it or answers
 * that it never will.
 *
 * Writes of one group go out in order, one at a time; across groups of an
 * installation the oldest eligible write goes first, paced (pacer.ts) to
 * stay under GitHub's secondary limits; installations never wait on each
 * other's pacing or pauses. A waiting intermediate status is dropped when a
 * later write of its group arrives (coalescing). A write that may already
 * have landed (sent before a restart, or answered with a 5xx) is checked
 * with GitHub before it goes again (outbox-delivered.ts).
 */
import { DEFAULT_MAX_AGE_MS } from "../decisions/retry-policy.js";
import { formatDuration } from "../decisions/text.js";
import { attemptWrite } from "./outbox-attempt.js";
import { needsDeliveryCheck } from "./outbox-delivered.js";
import { OutboxFile } from "./outbox-file.js";
import { OutboxScheduler, type OutboxEntry } from "./outbox-scheduler.js";
import { applyOutboxRecord, isKnown, pendingInOrder, withHeavenKey, type DoneHow, type OutboxWrite, type StoredWrite } from "./outbox-state.js";
import { DEFAULT_PACING, Pacer } from "./pacer.js";
import type { OutboxCounts, OutboxOptions, OutboxStore } from "./outbox-types.js";

export type { OutboxOctokit, OutboxRoute, OutboxWrite } from "./outbox-state.js";
export type { OutboxCounts, OutboxLog, OutboxOptions, OutboxStore } from "./outbox-types.js";

/** What a writer needs of the outbox: handlers, sinks and workflows take only this. */
export type OutboxWriter = Pick<Outbox, "add">;

export class Outbox {
  private readonly scheduler: OutboxScheduler;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly watchers = new Set<() => void>();
  /** Each group's newest write sent (by seq): a write adopted late is not sent after a newer one. */
  private readonly lastStarted = new Map<string, number>();
  private closed = false;
  private readonly tally = { added: 0, delivered: 0, coalesced: 0, dropped: 0, attempts: 0 };
  private readonly now: () => number;
  private readonly maxAgeMs: number;

  private constructor(
    private readonly file: OutboxStore,
    private readonly options: Omit<OutboxOptions, "file">,
  ) {
    this.now = options.now ?? (() => Date.now());
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.scheduler = new OutboxScheduler({
      pacer: new Pacer(options.pacing ?? DEFAULT_PACING),
      maxInFlight: options.maxInFlight ?? 8,
      now: this.now,
      busy: () => this.inFlight.size,
      stale: (entry) => entry.stored.createdAt + this.maxAgeMs < this.now(),
      start: (entry) => this.start(entry),
      giveUpStale: (entry) => this.giveUp(entry, undefined, `not delivered within ${formatDuration(this.maxAgeMs)} of being accepted: giving up`),
    });
  }

  static async open(options: OutboxOptions): Promise<{ outbox: Outbox; restored: number; skipped: string[] }> {
    const { file, skipped } = await OutboxFile.open(options.file, {
      failed: (error) => options.log.error({ err: error }, "outbox: compacting the file failed; it keeps growing until the next try"),
    });
    const outbox = Outbox.over(file, options);
    return { outbox, restored: file.state.pending.size, skipped };
  }

  /** Delivers what `store` holds, then what is added: the writes pending in it may have been sent already. */
  static over(store: OutboxStore, options: Omit<OutboxOptions, "file">): Outbox {
    const outbox = new Outbox(store, options);
    store.onSettled(() => outbox.notify());
    const restored = pendingInOrder(store.state);
    // Sent before the restart or not, nobody knows: check those where a second copy does harm.
    for (const stored of restored) outbox.scheduler.enqueue(entryFor(stored, needsDeliveryCheck(stored.write)));
    if (restored.length > 0) options.log.info({ restored: restored.length }, `outbox: ${restored.length} GitHub writes from before the restart will be delivered`);
    outbox.scheduler.pump();
    return outbox;
  }

  /** Resolves once the write is durably on disk; delivery happens afterwards. */
  async add(input: OutboxWrite): Promise<"added" | "duplicate"> {
    if (this.closed) throw new Error(`the outbox is closed; ${input.key} was not added`);
    if (this.file.add === undefined) throw new Error(`this outbox delivers what its store holds; ${input.key} must be added to the store`);
    if (isKnown(this.file.state, input.key)) return "duplicate";
    const write = withHeavenKey(input);
    const stored: StoredWrite = { seq: this.file.state.nextSeq, createdAt: this.now(), write };
    await this.file.add({ t: "add", ...stored });
    this.tally.added += 1;
    if (!this.closed) this.deliver(stored, false); // else on disk: the next open delivers it
    return "added";
  }

  /**
   * A write stored by another way (scale-out mode: a row any process added),
   * delivered as if added here; `check`: it may have reached GitHub already.
   * An intermediate status older than one of its group already sent or
   * waiting is pointless: it is finished as coalesced, never sent after it.
   */
  adopt(stored: StoredWrite, check = false): void {
    if (this.closed || isKnown(this.file.state, stored.write.key)) return;
    applyOutboxRecord(this.file.state, { t: "add", ...stored });
    const { group } = stored.write;
    const newer = Math.max(this.lastStarted.get(group) ?? -1, this.scheduler.newestSeq(group));
    if (stored.write.supersedable && newer > stored.seq && (this.options.coalesce ?? true)) return this.finish(entryFor(stored, false), "coalesced");
    this.deliver(stored, check && needsDeliveryCheck(stored.write));
  }

  private deliver(stored: StoredWrite, check: boolean): void {
    if (this.options.coalesce ?? true) {
      for (const entry of this.scheduler.supersededBy(stored)) this.finish(entry, "coalesced");
    }
    this.scheduler.enqueue(entryFor(stored, check));
    this.scheduler.pump();
  }

  /** Waits until nothing is pending or the time is up; returns how many are still pending (they stay on disk). */
  async flush(timeoutMs: number): Promise<number> {
    await this.until(timeoutMs);
    return this.file.state.pending.size;
  }

  /** Resolves when nothing is pending or in flight. */
  async idle(): Promise<void> {
    await this.until(undefined);
  }

  /** Stops timers, waits for requests in flight, closes the file. Pending writes stay on disk. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.scheduler.stop();
    await Promise.allSettled([...this.inFlight]);
    await this.file.close();
    this.notify();
  }

  counts(): OutboxCounts {
    return { ...this.tally, pending: this.file.state.pending.size };
  }

  private start(entry: OutboxEntry): void {
    entry.inFlight = true;
    rememberStarted(this.lastStarted, entry.stored);
    const run = this.attempt(entry).finally(() => {
      entry.inFlight = false;
      this.inFlight.delete(run);
      if (!this.closed) this.scheduler.pump();
      this.notify();
    });
    this.inFlight.add(run);
  }

  private async attempt(entry: OutboxEntry): Promise<void> {
    const { write } = entry.stored;
    const about = { key: write.key, route: write.route };
    const outcome = await attemptWrite(entry, {
      octokitFor: this.options.octokitFor,
      now: this.now,
      maxAgeMs: this.maxAgeMs,
      random: this.options.random ?? Math.random,
      counted: () => (this.tally.attempts += 1),
      commentOf: (group) => this.file.state.comments.get(group),
    });
    switch (outcome.kind) {
      case "already-there":
        this.options.log.info(about, "outbox: GitHub already has this write; not sending it again");
        if (outcome.comment !== undefined) this.record({ t: "comment", group: write.group, id: outcome.comment });
        return this.finish(entry, "delivered");
      case "delivered":
        // A create-deployment answered 202: GitHub merged the default branch into the ref instead.
        if (outcome.status === 202) this.options.log.warn({ ...about, status: 202 }, "outbox: GitHub accepted the write without making it");
        if (outcome.comment !== undefined) this.record({ t: "comment", group: write.group, id: outcome.comment });
        return this.finish(entry, "delivered");
      case "retry":
        entry.notBefore = outcome.at;
        if (outcome.pauseInstallationUntil !== undefined) this.scheduler.pause(write.installationId, outcome.pauseInstallationUntil);
        this.options.log.warn({ ...about, status: outcome.status, retryAt: new Date(outcome.at).toISOString() }, `outbox: ${outcome.why}`);
        return;
      case "give-up":
        return this.giveUp(entry, outcome.status, outcome.why);
    }
  }

  private giveUp(entry: OutboxEntry, status: number | undefined, why: string): void {
    const { write } = entry.stored;
    this.options.log.error({ key: write.key, route: write.route, status, why }, `outbox: gave up on ${write.route} (${write.key}): ${why}`);
    this.finish(entry, "dropped");
  }

  /** Done in memory at once; on disk soon (a crash before that means one more delivery check). */
  private finish(entry: OutboxEntry, how: DoneHow): void {
    this.scheduler.remove(entry);
    this.tally[how] += 1;
    this.record({ t: "done", key: entry.stored.write.key, how });
  }

  private record(record: Parameters<OutboxStore["done"]>[0]): void {
    this.file.done(record).catch((error: unknown) => {
      this.options.log.error({ record, err: error }, "outbox: could not record a finished write; it will be checked again after a restart");
    });
  }

  /** Resolves when nothing is pending, in flight or being written, or after `timeoutMs`. */
  private until(timeoutMs: number | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      const check = () => {
        if (!this.closed && (this.file.state.pending.size > 0 || this.inFlight.size > 0 || this.file.busy())) return;
        done();
      };
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => done(), timeoutMs);
      timer?.unref();
      const done = () => {
        if (timer !== undefined) clearTimeout(timer);
        this.watchers.delete(check);
        resolve();
      };
      this.watchers.add(check);
      check();
    });
  }

  private notify(): void {
    for (const check of [...this.watchers]) check();
  }
}

/** Groups remembered for late adoptions: far more than are ever in motion at once. */
const GROUPS_REMEMBERED = 10_000;

function rememberStarted(started: Map<string, number>, stored: StoredWrite): void {
  const { group } = stored.write;
  const newest = Math.max(stored.seq, started.get(group) ?? -1);
  // Deleted first so the group moves to the end: the least recently started is forgotten first.
  started.delete(group);
  started.set(group, newest);
  if (started.size > GROUPS_REMEMBERED) started.delete(started.keys().next().value as string);
}

function entryFor(stored: StoredWrite, check: boolean): OutboxEntry {
  return { stored, notBefore: 0, inFlight: false, failures: 0, tokenRefreshed: false, check };
}
