/** The outbox's options, counts and storage port (outbox.ts): what its callers and stores are written against. */
import type { OutboxFileState, OutboxOctokit, OutboxRecord } from "./outbox-state.js";
import type { Pacing } from "./pacer.js";

export interface OutboxLog {
  info(o: object, m: string): void;
  warn(o: object, m: string): void;
  error(o: object, m: string): void;
}

/**
 * Where the outbox keeps its writes: a file (OutboxFile), or in scale-out
 * mode PostgreSQL (postgres-outbox-store.ts). `state` is the fold in memory;
 * a record is applied to it at once and resolves once stored.
 */
export interface OutboxStore {
  readonly state: OutboxFileState;
  /**
   * Pending in memory at once, undone if it cannot be stored. Absent: writes
   * reach the store another way and are `adopt`ed (postgres-outbox.ts).
   */
  add?(record: Extract<OutboxRecord, { t: "add" }>): Promise<void>;
  done(record: Extract<OutboxRecord, { t: "done" | "comment" }>): Promise<void>;
  /** Records still being stored. */
  busy(): boolean;
  /** Called whenever a record finished being stored: whoever waits for quiet looks again. */
  onSettled(listener: () => void): void;
  close(): Promise<void>;
}

export interface OutboxOptions {
  /** e.g. <data dir>/outbox.jsonl */
  file: string;
  octokitFor(installationId: number): Promise<OutboxOctokit>;
  log: OutboxLog;
  now?: () => number;
  /** Defaults: 1000 ms apart, 80 a minute, 500 an hour, per installation. */
  pacing?: Pacing;
  /** Default 24 h. */
  maxAgeMs?: number;
  /** Default true; the benchmark turns it off to compare. */
  coalesce?: boolean;
  /** Requests in flight across installations; default 8. */
  maxInFlight?: number;
  /** The backoff's jitter source, a number in [0, 1); default Math.random. */
  random?: () => number;
}

export interface OutboxCounts {
  added: number;
  delivered: number;
  coalesced: number;
  dropped: number;
  pending: number;
  /** Requests made to GitHub: writes and delivery checks. */
  attempts: number;
}
