/**
 * The journal of accepted work, as data: the records the embedded queue
 * appends, how they are read back, and how they fold into what a restarted
 * process must do. Pure; src/queue/journal.ts does the file.
 *
 * Every record is idempotent under replay (accepting or finishing a job
 * twice changes nothing), so a record written twice around a compaction is
 * harmless.
 */
import { z } from "zod";
import { parseJob, type DeploymentJob } from "../core/job.js";
import type { ProcessRecord } from "../core/queue.js";
import { rememberKey } from "../engine/recent-keys.js";

export type JournalRecord =
  | { t: "accepted"; job: DeploymentJob }
  | { t: "started"; key: string }
  | { t: "process"; key: string; process: ProcessRecord }
  | { t: "parked"; job: DeploymentJob; until: number; wakeOn: string }
  | { t: "finished"; key: string }
  /** Written by compaction: keys of finished jobs still remembered (a redelivery of one is a duplicate). */
  | { t: "finished-keys"; keys: string[] };

export interface LiveJob {
  job: DeploymentJob;
  state: "queued" | "running" | "parked";
  processes: ProcessRecord[];
  until?: number | undefined;
  wakeOn?: string | undefined;
}

export interface JournalState {
  /** Jobs not finished, in the order they were first accepted. */
  live: Map<string, LiveJob>;
  /** Keys of finished jobs, oldest first, at most `rememberFinished`. */
  finished: Set<string>;
}

/** Finished keys kept so redeliveries of recent deployments stay duplicates. */
export const REMEMBERED_FINISHED = 20_000;

const processSchema = z.object({ pgid: z.number().int().positive(), startTicks: z.number().optional(), bootId: z.string().optional() });
const keyed = (t: string) => z.object({ t: z.literal(t), key: z.string().min(1) });

export function parseJournalRecord(value: unknown): { ok: true; value: JournalRecord } | { ok: false; error: string } {
  const t = typeof value === "object" && value !== null ? (value as { t?: unknown }).t : undefined;
  const withJob = (rest: z.ZodType) => {
    const job = parseJob((value as { job?: unknown }).job);
    if (!job.ok) return { ok: false as const, error: `a ${String(t)} record with an unreadable job (${job.error})` };
    const checked = rest.safeParse(value);
    return checked.success ? { ok: true as const, value: { ...(checked.data as object), job: job.job } as JournalRecord } : invalid();
  };
  const invalid = () => ({ ok: false as const, error: `an unreadable ${typeof t === "string" ? `"${t}"` : "untyped"} record` });
  const plain = (schema: z.ZodType) => {
    const checked = schema.safeParse(value);
    return checked.success ? { ok: true as const, value: checked.data as JournalRecord } : invalid();
  };
  switch (t) {
    case "accepted":
      return withJob(z.object({ t: z.literal("accepted") }));
    case "parked":
      return withJob(z.object({ t: z.literal("parked"), until: z.number(), wakeOn: z.string().min(1) }));
    case "started":
    case "finished":
      return plain(keyed(t));
    case "process":
      return plain(keyed("process").extend({ process: processSchema }));
    case "finished-keys":
      return plain(z.object({ t: z.literal("finished-keys"), keys: z.array(z.string()) }));
    default:
      return invalid();
  }
}

export function emptyJournalState(): JournalState {
  return { live: new Map(), finished: new Set() };
}

/** Applies one record; returns the same state object. */
export function applyJournalRecord(state: JournalState, record: JournalRecord, rememberFinished = REMEMBERED_FINISHED): JournalState {
  switch (record.t) {
    case "accepted":
      if (!state.live.has(record.job.key) && !state.finished.has(record.job.key)) {
        state.live.set(record.job.key, { job: record.job, state: "queued", processes: [] });
      }
      break;
    case "started": {
      const entry = state.live.get(record.key);
      if (entry !== undefined) Object.assign(entry, { state: "running", processes: [], until: undefined, wakeOn: undefined });
      break;
    }
    case "process":
      state.live.get(record.key)?.processes.push(record.process);
      break;
    case "parked": {
      if (state.finished.has(record.job.key)) break;
      const entry = state.live.get(record.job.key);
      const parked: LiveJob = { job: record.job, state: "parked", processes: [], until: record.until, wakeOn: record.wakeOn };
      if (entry === undefined) state.live.set(record.job.key, parked);
      else Object.assign(entry, parked);
      break;
    }
    case "finished":
      state.live.delete(record.key);
      rememberKey(state.finished, record.key, rememberFinished);
      break;
    case "finished-keys":
      for (const key of record.keys) rememberKey(state.finished, key, rememberFinished);
      break;
  }
  return state;
}

export function foldJournal(records: readonly JournalRecord[], rememberFinished = REMEMBERED_FINISHED): JournalState {
  return records.reduce((state, record) => applyJournalRecord(state, record, rememberFinished), emptyJournalState());
}

/** The fewest records that fold back into `state`. */
export function compactJournal(state: JournalState): JournalRecord[] {
  const records: JournalRecord[] = [{ t: "finished-keys", keys: [...state.finished] }];
  for (const [key, entry] of state.live) {
    if (entry.state === "parked" && entry.until !== undefined && entry.wakeOn !== undefined) {
      records.push({ t: "parked", job: entry.job, until: entry.until, wakeOn: entry.wakeOn });
      continue;
    }
    records.push({ t: "accepted", job: entry.job });
    if (entry.state === "running") {
      records.push({ t: "started", key });
      for (const process of entry.processes) records.push({ t: "process", key, process });
    }
  }
  return records;
}
