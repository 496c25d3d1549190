/**
 * The journal on disk: every accepted job and each step of its life, fsync'd
 * before the queue acts on it, so a crash loses nothing that was accepted.
 * Compacted on open and whenever it has grown well past what it holds.
 * Without a file (the command line) it only keeps the state in memory.
 */
import { AppendLog } from "../engine/append-log.js";
import {
  applyJournalRecord,
  compactJournal,
  emptyJournalState,
  foldJournal,
  parseJournalRecord,
  type JournalRecord,
  type JournalState,
} from "./journal-state.js";

/** Compact once the file holds this many lines more than the compacted form would. */
const COMPACT_SLACK = 2_000;

export class Journal {
  /** Acceptances being written, by key: not yet in the state, but already seen, and kept by a compaction. */
  private readonly accepting = new Map<string, JournalRecord>();

  private constructor(
    private readonly log: AppendLog<JournalRecord> | undefined,
    readonly state: JournalState,
  ) {}

  /** `skipped` says which lines could not be read (a torn last line, a damaged file). */
  static async open(file: string | undefined): Promise<{ journal: Journal; skipped: string[] }> {
    if (file === undefined) return { journal: new Journal(undefined, emptyJournalState()), skipped: [] };
    const { log, records, skipped } = await AppendLog.open(file, parseJournalRecord);
    const journal = new Journal(log, foldJournal(records));
    await log.rewrite(compactJournal(journal.state));
    return { journal, skipped };
  }

  /**
   * Resolves once the record is on disk. An acceptance counts only once it
   * is written (a failed one must not make the redelivery a duplicate); any
   * other step is true at once, written or not.
   */
  async append(record: JournalRecord): Promise<void> {
    if (record.t !== "accepted") applyJournalRecord(this.state, record);
    else this.accepting.set(record.job.key, record);
    try {
      await this.log?.append(record);
    } finally {
      if (record.t === "accepted") this.accepting.delete(record.job.key);
    }
    if (record.t === "accepted") applyJournalRecord(this.state, record);
    // Off the webhook's path; acceptances still being written are kept. A failed compaction loses nothing.
    this.log?.compactWhenLonger(this.state.live.size * 4 + COMPACT_SLACK, () => [...compactJournal(this.state), ...this.accepting.values()], () => undefined);
  }

  /** Accepted (or being accepted), running, parked or finished: a second acceptance is a duplicate. */
  hasSeen(key: string): boolean {
    return this.accepting.has(key) || this.state.live.has(key) || this.state.finished.has(key);
  }

  async close(): Promise<void> {
    await this.log?.close();
  }
}
