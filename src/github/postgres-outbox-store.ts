/**
 * The delivering process's view of the outbox rows (scale-out mode): what
 * Outbox keeps in a file's fold, here loaded from PostgreSQL when the
 * process becomes the deliverer, and kept in step as it adds and finishes
 * writes. Every write, its own included, is added to the table
 * (PostgresOutbox.add) and taken in by `arrivals`, in the order of the rows.
 */
import type { Pool } from "pg";
import type { OutboxStore } from "./outbox-types.js";
import { applyOutboxRecord, emptyOutboxState, isKnown, type OutboxFileState, type OutboxRecord, type StoredWrite } from "./outbox-state.js";
import { markDone, readComments, readPending, saveComment } from "./postgres-outbox-rows.js";

export class PostgresOutboxStore implements OutboxStore {
  private readonly writes = new Set<Promise<unknown>>();
  private readonly listeners = new Set<() => void>();

  private constructor(
    private readonly pool: Pool,
    readonly state: OutboxFileState,
  ) {}

  /** Everything not finished, and the reply groups' comments, as the last deliverer left them. */
  static async load(pool: Pool): Promise<{ store: PostgresOutboxStore; skipped: string[] }> {
    const state = emptyOutboxState();
    const { writes, skipped } = await readPending(pool);
    for (const { stored } of writes) applyOutboxRecord(state, { t: "add", ...stored });
    state.comments = await readComments(pool);
    return { store: new PostgresOutboxStore(pool, state), skipped };
  }

  done(record: Extract<OutboxRecord, { t: "done" | "comment" }>): Promise<void> {
    applyOutboxRecord(this.state, record);
    return this.track(record.t === "done" ? markDone(this.pool, record.key, record.how) : saveComment(this.pool, record.group, record.id));
  }

  /** Rows added since the last look (by any process, this one too), oldest first; `check`: may have been sent already (moved in from a file). */
  async arrivals(): Promise<Array<{ stored: StoredWrite; check: boolean }>> {
    const { writes } = await readPending(this.pool);
    return writes.filter(({ stored }) => !isKnown(this.state, stored.write.key));
  }

  onSettled(listener: () => void): void {
    this.listeners.add(listener);
  }

  busy(): boolean {
    return this.writes.size > 0;
  }

  /** The pool is the caller's: only what is being stored is waited for. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.writes]);
  }

  private track<T>(write: Promise<T>): Promise<T> {
    this.writes.add(write);
    const settle = () => {
      this.writes.delete(write);
      for (const listener of this.listeners) listener();
    };
    void write.then(settle, settle);
    return write;
  }
}
