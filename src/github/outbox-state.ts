/**
 * The outbox file, as data: the records src/github/outbox.ts appends, how
 * they are read back, and how they fold into the writes still to deliver
 * and the keys already done. Pure.
 *
 * Every record is idempotent under replay (adding a key that is pending or
 * done, or finishing one twice, changes nothing), so a record written twice
 * around a compaction is harmless.
 */
import { z } from "zod";
import { isObject } from "../core/json.js";
import { readPayload } from "../decisions/read-deployment.js";
import { rememberKey } from "../engine/recent-keys.js";

export const OUTBOX_ROUTES = [
  "POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses",
  "POST /repos/{owner}/{repo}/statuses/{sha}",
  "POST /repos/{owner}/{repo}/deployments",
  /** A reply: the group's one comment, created by its first delivered write and edited by the later ones. */
  "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
] as const;

export const COMMENT_ROUTE = "POST /repos/{owner}/{repo}/issues/{issue_number}/comments";
export const EDIT_COMMENT_ROUTE = "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}";
export type OutboxRoute = (typeof OUTBOX_ROUTES)[number];

export interface OutboxWrite {
  /** Idempotency: a write whose key is pending or was delivered/dropped before (also across restarts) is not added again. */
  key: string;
  /** Writes of one group go out in the order they were added, one at a time (one deployment's statuses). */
  group: string;
  installationId: number;
  /** An intermediate deployment status (queued, pending, in_progress): dropped if a later write of its group arrives while it still waits. */
  supersedable: boolean;
  route: OutboxRoute;
  params: Record<string, unknown>;
}

/** The slice of an installation Octokit the outbox uses. */
export interface OutboxOctokit {
  request(route: string, params: Record<string, unknown>): Promise<{ status: number; data: unknown }>;
  auth(options: { type: "installation"; refresh?: boolean }): Promise<unknown>;
}

/** A write as the file holds it: its place in line and when it was accepted. */
export interface StoredWrite {
  seq: number;
  createdAt: number;
  write: OutboxWrite;
}

export type DoneHow = "delivered" | "coalesced" | "dropped";

export type OutboxRecord =
  | { t: "add"; seq: number; createdAt: number; write: OutboxWrite }
  | { t: "done"; key: string; how: DoneHow }
  /** Written by compaction: keys of done writes still remembered (adding one again is a duplicate). */
  | { t: "done-keys"; keys: string[] }
  /** The comment a reply group created: its later writes edit it. */
  | { t: "comment"; group: string; id: number };

export interface OutboxFileState {
  /** Writes not done, by key. */
  pending: Map<string, StoredWrite>;
  /** Keys of done writes, oldest first, at most the limit given to the fold. */
  remembered: Set<string>;
  /** Reply groups' comment ids, oldest first, at most COMMENTS_KEPT. */
  comments: Map<string, number>;
  nextSeq: number;
}

/** Replies still edited after this many newer ones were made are created anew (a second comment, nothing lost). */
const COMMENTS_KEPT = 10_000;

/** Done keys kept so a write repeated after delivery (a redelivered webhook) stays a duplicate. */
export const REMEMBERED_KEYS = 50_000;
/** Keys per `done-keys` line when compacting: a few dozen lines, not one huge one. */
const KEYS_PER_LINE = 1_000;

const writeSchema = z.object({
  key: z.string().min(1),
  group: z.string().min(1),
  installationId: z.number().int().positive(),
  supersedable: z.boolean(),
  route: z.enum(OUTBOX_ROUTES),
  params: z.record(z.string(), z.unknown()),
});

const recordSchema = z.discriminatedUnion("t", [
  z.object({ t: z.literal("add"), seq: z.number().int().nonnegative(), createdAt: z.number(), write: writeSchema }),
  z.object({ t: z.literal("done"), key: z.string().min(1), how: z.enum(["delivered", "coalesced", "dropped"]) }),
  z.object({ t: z.literal("done-keys"), keys: z.array(z.string()) }),
  z.object({ t: z.literal("comment"), group: z.string().min(1), id: z.number().int().positive() }),
]);

export function parseOutboxRecord(value: unknown): { ok: true; value: OutboxRecord } | { ok: false; error: string } {
  const checked = recordSchema.safeParse(value);
  if (checked.success) return { ok: true, value: checked.data };
  const t = isObject(value) && typeof value.t === "string" ? `"${value.t}"` : "untyped";
  return { ok: false, error: `an unreadable ${t} outbox record (${checked.error.issues[0]?.message ?? "invalid"})` };
}

export function emptyOutboxState(): OutboxFileState {
  return { pending: new Map(), remembered: new Set(), comments: new Map(), nextSeq: 0 };
}

export function isKnown(state: OutboxFileState, key: string): boolean {
  return state.pending.has(key) || state.remembered.has(key);
}

/** Applies one record; returns the same state object. */
export function applyOutboxRecord(state: OutboxFileState, record: OutboxRecord, limit = REMEMBERED_KEYS): OutboxFileState {
  switch (record.t) {
    case "add":
      state.nextSeq = Math.max(state.nextSeq, record.seq + 1);
      if (!isKnown(state, record.write.key)) {
        state.pending.set(record.write.key, { seq: record.seq, createdAt: record.createdAt, write: record.write });
      }
      break;
    case "done":
      state.pending.delete(record.key);
      rememberKey(state.remembered, record.key, limit);
      break;
    case "done-keys":
      for (const key of record.keys) {
        state.pending.delete(key);
        rememberKey(state.remembered, key, limit);
      }
      break;
    case "comment":
      state.comments.delete(record.group);
      state.comments.set(record.group, record.id);
      for (const group of state.comments.keys()) {
        if (state.comments.size <= COMMENTS_KEPT) break;
        state.comments.delete(group);
      }
      break;
  }
  return state;
}

export function foldOutbox(records: readonly OutboxRecord[], limit = REMEMBERED_KEYS): OutboxFileState {
  return records.reduce((state, record) => applyOutboxRecord(state, record, limit), emptyOutboxState());
}

/** Pending writes in the order they were added. */
export function pendingInOrder(state: OutboxFileState): StoredWrite[] {
  return [...state.pending.values()].sort((a, b) => a.seq - b.seq);
}

/** The fewest records that fold back into `state`: remembered keys, then pending writes in order. */
export function compactOutbox(state: OutboxFileState): OutboxRecord[] {
  const keys = [...state.remembered];
  const records: OutboxRecord[] = [];
  for (let index = 0; index < keys.length; index += KEYS_PER_LINE) {
    records.push({ t: "done-keys", keys: keys.slice(index, index + KEYS_PER_LINE) });
  }
  for (const [group, id] of state.comments) records.push({ t: "comment", group, id });
  for (const stored of pendingInOrder(state)) records.push({ t: "add", ...stored });
  return records;
}

/** How many lines `compactOutbox(state)` writes: what the file must hold at the least. */
export function compactedLines(state: OutboxFileState): number {
  return Math.ceil(state.remembered.size / KEYS_PER_LINE) + state.comments.size + state.pending.size;
}

/**
 * A create-deployment write carries its key in `payload.heaven.key` (other
 * `payload.heaven` fields kept), so after a restart the outbox can tell
 * whether GitHub already made it. Other writes are returned as they are.
 */
export function withHeavenKey(write: OutboxWrite): OutboxWrite {
  if (write.route !== "POST /repos/{owner}/{repo}/deployments") return write;
  const payload = readPayload(write.params.payload);
  if (payload === undefined) {
    throw new Error(`outbox write ${write.key}: a create-deployment payload must be a JSON object (or absent) to carry heaven.key`);
  }
  const heaven = isObject(payload.heaven) ? payload.heaven : {};
  return { ...write, params: { ...write.params, payload: { ...payload, heaven: { ...heaven, key: write.key } } } };
}
