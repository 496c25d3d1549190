/**
 * Where deployment logs are read from, whoever wrote them: today files under
 * the data directory (engine/log-store.ts), later a table another worker
 * writes to. A log is appended line by line and read by byte offset, so a
 * live tail is "read from where you stopped". Beside its lines each log has
 * metadata (what was deployed, by whom, how it stands), written by the
 * log-meta sink on each event.
 */
import { z } from "zod";

export const logMetaSchema = z.object({
  /** `owner/repo`, or the command line's local name. */
  repository: z.string(),
  /** The repository's page on GitHub; absent for the command line. */
  repositoryUrl: z.string().optional(),
  deploymentId: z.string(),
  environment: z.string(),
  environmentUrl: z.string().optional(),
  ref: z.string(),
  sha: z.string(),
  task: z.string(),
  /** The person it is for (hubot's chat user, not its machine user). */
  who: z.string(),
  /** The GitHub deployment status state it is in: queued, pending, in_progress, success, failure, error, inactive. */
  state: z.string(),
  /** The status description that goes with it. */
  description: z.string(),
  finished: z.boolean(),
  /** Epoch ms. */
  acceptedAt: z.number(),
  startedAt: z.number().optional(),
  finishedAt: z.number().optional(),
  /** Epoch ms of the last event. */
  updatedAt: z.number(),
});

export type LogMeta = z.infer<typeof logMetaSchema>;

export interface LogChunk {
  /** Complete lines only (each ends in "\n"), so a reader resuming at `next` never sees half a line. */
  text: string;
  /** The byte offset to read from next: the end of `text`. */
  next: number;
  /** The deployment has finished and `next` is the end of its log: nothing more will come. */
  finished: boolean;
}

export interface LogInfo {
  meta: LogMeta | undefined;
  /** Bytes in the log so far. */
  size: number;
  /** Epoch ms the log (or its metadata) was last written. */
  updatedAt: number;
}

export interface LogStore {
  /**
   * At most about `maxBytes` of the log from byte `from` (an offset an
   * earlier read returned as `next`; 0 is the start). undefined: no such log.
   */
  read(key: string, from: number, maxBytes?: number): Promise<LogChunk | undefined>;
  /** What the page shows beside the lines. undefined: no such log. */
  info(key: string): Promise<LogInfo | undefined>;
  /**
   * Resolves on the next write to the log or its metadata after the call, or
   * when `signal` aborts (a store may also resolve early, e.g. after losing
   * its notifications). Optional: without it a live tail polls.
   */
  changed?(key: string, signal: AbortSignal): Promise<void>;
}

/** Somewhere else a deployment's lines go as they are written (scale-out mode: PostgreSQL). */
export interface LogAppender {
  /** Complete lines, stamped, masked and capped: the bytes the log file gets. Must not block; the buffer is not reused. */
  append(lines: Buffer): void;
  /** Resolves once what was appended is stored, or given up on. */
  close(): Promise<void>;
}
