/**
 * The outbox's file and its fold, kept in step: a record is applied to the
 * state in memory when it is appended, so a compaction (a snapshot of the
 * state) always holds every record appended before it. Compacted on open
 * and whenever the file has grown well past what it holds.
 */
import { AppendLog } from "../engine/append-log.js";
import type { OutboxStore } from "./outbox-types.js";
import {
  applyOutboxRecord,
  compactedLines,
  compactOutbox,
  foldOutbox,
  parseOutboxRecord,
  type OutboxFileState,
  type OutboxRecord,
} from "./outbox-state.js";

/** Compact once the file holds this many lines more than four times its compacted form. */
const COMPACT_SLACK = 2_000;

export interface OutboxFileHooks {
  /** A compaction failed (the file keeps growing until the next one). */
  failed(error: unknown): void;
}

export class OutboxFile implements OutboxStore {
  private readonly appends = new Set<Promise<void>>();
  private compacting: Promise<void> | undefined;
  private readonly listeners = new Set<() => void>();

  private constructor(
    private readonly log: AppendLog<OutboxRecord>,
    readonly state: OutboxFileState,
    private readonly hooks: OutboxFileHooks,
  ) {}

  static async open(path: string, hooks: OutboxFileHooks): Promise<{ file: OutboxFile; skipped: string[] }> {
    const { log, records, skipped } = await AppendLog.open(path, parseOutboxRecord);
    const file = new OutboxFile(log, foldOutbox(records), hooks);
    await log.rewrite(compactOutbox(file.state));
    return { file, skipped };
  }

  /**
   * An add is pending in memory at once (a second add of its key is a
   * duplicate; a compaction keeps it) and undone if it cannot be written.
   */
  async add(record: Extract<OutboxRecord, { t: "add" }>): Promise<void> {
    applyOutboxRecord(this.state, record);
    try {
      await this.append(record);
    } catch (error) {
      this.state.pending.delete(record.write.key);
      throw error;
    }
  }

  /** True in memory at once; resolves once on disk. */
  done(record: Extract<OutboxRecord, { t: "done" | "comment" }>): Promise<void> {
    applyOutboxRecord(this.state, record);
    return this.append(record);
  }

  /** An append or a compaction finished. */
  onSettled(listener: () => void): void {
    this.listeners.add(listener);
  }

  /** Appends or a compaction still under way. */
  busy(): boolean {
    return this.appends.size > 0 || this.compacting !== undefined;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.appends]);
    await this.log.close();
  }

  private append(record: OutboxRecord): Promise<void> {
    const written = this.log.append(record);
    const tracked = written.then(
      () => undefined,
      () => undefined,
    );
    this.appends.add(tracked);
    void tracked.then(() => {
      this.appends.delete(tracked);
      // The line count grows when a write lands, often after the last record of a burst.
      this.compactIfLong();
      this.settled();
    });
    return written;
  }

  private settled(): void {
    for (const listener of this.listeners) listener();
  }

  private compactIfLong(): void {
    const started = this.log.compactWhenLonger(compactedLines(this.state) * 4 + COMPACT_SLACK, () => compactOutbox(this.state), (error) => this.hooks.failed(error));
    this.compacting = started?.finally(() => {
      this.compacting = undefined;
      this.settled();
    }) ?? this.compacting;
  }
}
