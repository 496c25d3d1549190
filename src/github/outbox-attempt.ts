/**
 * One attempt at one outbox write: ask GitHub whether it already has it
 * (when it may), send it, and on a 401 mint a new installation token and
 * send it again at once. Returns what happened as data; the outbox records
 * it and schedules what follows.
 */
import { decideRetry } from "../decisions/retry-policy.js";
import { isAlreadyDelivered, needsDeliveryCheck } from "./outbox-delivered.js";
import { mayHaveLanded, readRequestFailure } from "./outbox-failure.js";
import type { OutboxEntry } from "./outbox-scheduler.js";
import { isObject } from "../core/json.js";
import { COMMENT_ROUTE, EDIT_COMMENT_ROUTE, type OutboxOctokit } from "./outbox-state.js";

export type AttemptOutcome =
  /** `comment`: the id of the comment a reply's first write created. */
  | { kind: "delivered"; status: number; comment?: number | undefined }
  /** The delivery check found it on GitHub: not sent again. */
  | { kind: "already-there"; comment?: number | undefined }
  | { kind: "retry"; at: number; pauseInstallationUntil?: number; status: number | undefined; why: string }
  | { kind: "give-up"; status: number | undefined; why: string };

type Failed = Extract<AttemptOutcome, { kind: "retry" | "give-up" }>;

export interface AttemptDeps {
  octokitFor(installationId: number): Promise<OutboxOctokit>;
  now(): number;
  maxAgeMs: number;
  /** A number in [0, 1) for the backoff's jitter. */
  random(): number;
  /** Called before each request made to GitHub. */
  counted(): void;
  /** The comment a reply group already made, if any: its writes edit it. */
  commentOf(group: string): number | undefined;
}

/** A request that hangs must not hold its group (or `close`) for undici's five minutes. */
const REQUEST_TIMEOUT_MS = 30_000;

/** Updates the entry's own bookkeeping (failures, token refreshed, check needed) as it goes. */
export async function attemptWrite(entry: OutboxEntry, deps: AttemptDeps): Promise<AttemptOutcome> {
  const { write } = entry.stored;
  let octokit: OutboxOctokit | undefined;
  for (;;) {
    let sent = false;
    try {
      octokit ??= await deps.octokitFor(write.installationId);
      // A reply whose comment exists is an edit: sending it again does no harm.
      if (entry.check && !(write.route === COMMENT_ROUTE && deps.commentOf(write.group) !== undefined)) {
        deps.counted();
        const found = await isAlreadyDelivered(octokit, write, entry.stored.createdAt, requestOptions());
        if (found.landed) return { kind: "already-there", comment: found.comment };
      }
      entry.check = false;
      deps.counted();
      sent = true;
      const existing = write.route === COMMENT_ROUTE ? deps.commentOf(write.group) : undefined;
      if (existing !== undefined) {
        const { owner, repo, body } = write.params;
        const response = await octokit.request(EDIT_COMMENT_ROUTE, { owner, repo, comment_id: existing, body, request: requestOptions() });
        return { kind: "delivered", status: response.status };
      }
      const response = await octokit.request(write.route, { ...write.params, request: requestOptions() });
      const id = write.route === COMMENT_ROUTE && isObject(response.data) && typeof response.data.id === "number" ? response.data.id : undefined;
      return { kind: "delivered", status: response.status, comment: id };
    } catch (error) {
      const outcome = judge(error, entry, { tokenRefreshed: entry.tokenRefreshed, sent }, deps);
      if (outcome !== undefined) return outcome;
    }
    // A 401: mint a new installation token and send again at once.
    try {
      octokit ??= await deps.octokitFor(write.installationId);
      await octokit.auth({ type: "installation", refresh: true });
      entry.tokenRefreshed = true;
    } catch (error) {
      // Judged like the write's own failure, except that a 401 from minting gives up.
      const outcome: Failed = judge(error, entry, { tokenRefreshed: true, sent: false }, deps) ?? { kind: "give-up", status: 401, why: "401" };
      return { ...outcome, why: `minting a new installation token failed: ${outcome.why}` };
    }
  }
}

/** What a failure means for the write; undefined: refresh the token and try again. `sent`: the write itself went out. */
function judge(error: unknown, entry: OutboxEntry, { tokenRefreshed, sent }: { tokenRefreshed: boolean; sent: boolean }, deps: AttemptDeps): Failed | undefined {
  const { write, createdAt } = entry.stored;
  const failure = readRequestFailure(error);
  entry.failures += 1;
  const context = { attempts: entry.failures, tokenRefreshed, createdAt, now: deps.now(), maxAgeMs: deps.maxAgeMs, jitter: deps.random() };
  const decision = decideRetry(failure, context);
  switch (decision.kind) {
    case "refresh-token":
      return undefined;
    case "give-up":
      return { kind: "give-up", status: failure.status, why: decision.why };
    case "retry":
      // It may have landed: look before sending it again, where a second copy does harm.
      if (sent && mayHaveLanded(failure) && needsDeliveryCheck(write)) entry.check = true;
      return { ...decision, status: failure.status };
  }
}

/** Octokit's own retries stay off (the outbox retries, durably); `heavenOutbox` tells the throttling handlers. */
function requestOptions(): Record<string, unknown> {
  return { retries: 0, heavenOutbox: true, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) };
}
