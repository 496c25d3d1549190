/**
 * Missed webhooks, asked for again. GitHub does not redeliver a failed
 * delivery by itself: a deployment created while heaven was down (or while
 * it answered 5xx) would never run. A round lists the App webhook's recent
 * deliveries (App JWT: Probot's `app.auth()` without an installation id),
 * picks the missed ones (decisions/pick-redeliveries) and asks GitHub to
 * deliver each once more; heaven then handles it like any webhook (a
 * deployment it already accepted is ignored as a redelivery).
 */
import { z } from "zod";
import { pickRedeliveries, type DeliveryAttempt } from "../decisions/pick-redeliveries.js";
import { RecentKeys } from "../engine/recent-keys.js";
import { every, type Repeating } from "../engine/every.js";
import { statusOf } from "./describe-github-error.js";

/** The slice of an App-authenticated Octokit a round uses. */
export interface AppDeliveriesApi {
  paginate: { iterator(route: "GET /app/hook/deliveries", parameters: { per_page: number }): AsyncIterable<{ data: unknown }> };
  request(route: "POST /app/hook/deliveries/{delivery_id}/attempts", parameters: { delivery_id: number }): Promise<unknown>;
}

export interface RedeliveryLog {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** What a round remembers for the next: what it asked for, what it reported, how it last failed. */
export interface RedeliveryMemory {
  requested: RecentKeys;
  reported: RecentKeys;
  lastFailure: string | undefined;
}

export const redeliveryMemory = (): RedeliveryMemory => ({ requested: new RecentKeys(), reported: new RecentKeys(), lastFailure: undefined });

export interface RedeliverOptions {
  log: RedeliveryLog;
  memory: RedeliveryMemory;
  /** Default 6 hours. */
  lookBackMs?: number;
  /** Redeliveries per round; default 50 (they are writes, paced by the throttling plugin). */
  max?: number;
  /** Epoch milliseconds; default Date.now. */
  now?: () => number;
}

export interface RoundResult {
  /** Delivery ids GitHub was asked to deliver again. */
  redelivered: number[];
  /** Delivery ids of failures a redelivery would not fix (reported once, at warn). */
  leftAlone: number[];
  /** Why the round stopped early, when it did (logged at warn, never thrown). */
  failure?: string;
}

export const DEFAULT_LOOK_BACK_MS = 6 * 60 * 60 * 1000;
const DEFAULT_MAX = 50;
/** 5,000 deliveries: past that a page loop is more likely a bug than a backlog. */
const MAX_PAGES = 50;

const attemptSchema = z.object({
  id: z.number(),
  guid: z.string(),
  delivered_at: z.string(),
  status_code: z.number(),
  event: z.string(),
  action: z.string().nullable(),
});

/** The items of a `GET /app/hook/deliveries` page that read as delivery attempts. */
export function readAttempts(data: unknown): DeliveryAttempt[] {
  if (!Array.isArray(data)) return [];
  return data.flatMap((item) => {
    const parsed = attemptSchema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
}

/** One round: list, pick, ask. Never throws; a failure is logged (once while it repeats) and returned. */
export async function redeliverMissed(octokit: AppDeliveriesApi, options: RedeliverOptions): Promise<RoundResult> {
  const { log, memory } = options;
  const now = (options.now ?? Date.now)();
  const lookBackMs = options.lookBackMs ?? DEFAULT_LOOK_BACK_MS;
  const since = now - lookBackMs;
  const attempts: DeliveryAttempt[] = [];
  try {
    let pages = 0;
    for await (const page of octokit.paginate.iterator("GET /app/hook/deliveries", { per_page: 100 })) {
      const items = readAttempts(page.data);
      attempts.push(...items);
      // Newest first: a page reaching past the look-back is the last one needed.
      if (items.some((a) => Date.parse(a.delivered_at) < since) || ++pages >= MAX_PAGES) break;
    }
  } catch (error) {
    return { redelivered: [], leftAlone: [], failure: reportFailure(options, "could not list the App's webhook deliveries", error) };
  }

  const pick = pickRedeliveries(attempts, { now, lookBackMs, alreadyRequested: memory.requested.view(), max: options.max ?? DEFAULT_MAX });
  const leftAlone = pick.leftAlone.filter((a) => !memory.reported.has(a.guid));
  for (const attempt of leftAlone) memory.reported.add(attempt.guid);
  if (leftAlone.length > 0) {
    log.warn({ deliveries: leftAlone.map(summarize) }, `left ${leftAlone.length} failed webhooks alone: heaven answered them with 4xx, and a redelivery would fail again`);
  }

  const redelivered: number[] = [];
  let failure: string | undefined;
  for (const attempt of pick.redeliver) {
    try {
      await octokit.request("POST /app/hook/deliveries/{delivery_id}/attempts", { delivery_id: attempt.id });
      memory.requested.add(attempt.guid);
      redelivered.push(attempt.id);
    } catch (error) {
      const status = statusOf(error);
      if (status === undefined || status >= 500) {
        failure = reportFailure(options, `could not ask GitHub to redeliver ${attempt.event} (delivery ${attempt.id})`, error);
        break;
      }
      // GitHub refused this one (too old, gone): asking again would not help.
      memory.requested.add(attempt.guid);
      log.warn({ delivery: summarize(attempt), status }, `GitHub would not redeliver ${attempt.event} (delivery ${attempt.id}): ${messageOf(error)}`);
    }
  }
  if (failure === undefined) recovered(options);
  const summary = { deliveries: pick.redeliver.filter((a) => redelivered.includes(a.id)).map(summarize), waiting: pick.deferred };
  if (redelivered.length > 0) log.info(summary, `redelivered ${redelivered.length} missed webhooks`);
  else log.debug(summary, "no missed webhooks to redeliver");
  return { redelivered, leftAlone: leftAlone.map((a) => a.id), ...(failure === undefined ? {} : { failure }) };
}

/** A round now (after `startDelayMs`) and then every `intervalMs` (default 5 minutes). */
export function startRedelivery(
  auth: () => Promise<AppDeliveriesApi>,
  options: Omit<RedeliverOptions, "memory"> & { memory?: RedeliveryMemory; intervalMs?: number; startDelayMs?: number },
): Repeating {
  const settings = { ...options, memory: options.memory ?? redeliveryMemory() };
  const round = async () => {
    const octokit = await auth().catch((error: unknown) => void reportFailure(settings, "could not authenticate as the App", error));
    if (octokit !== undefined) await redeliverMissed(octokit, settings);
  };
  return every(options.intervalMs ?? 5 * 60 * 1000, round, { startDelayMs: options.startDelayMs });
}

const summarize = (a: DeliveryAttempt) => ({ id: a.id, guid: a.guid, event: a.action === null ? a.event : `${a.event}.${a.action}`, status_code: a.status_code });

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Warns the first time a failure happens; while the same one repeats round after round, only at debug. */
function reportFailure(options: RedeliverOptions, what: string, error: unknown): string {
  const status = statusOf(error);
  const failure = `${what}: ${status === undefined ? "" : `GitHub answered ${status}: `}${messageOf(error)}`;
  const hint = status === 401 || status === 404 ? " (does the App have a webhook, and is its private key the right one?)" : "";
  const level = failure === options.memory.lastFailure ? "debug" : "warn";
  options.log[level]({ status }, `${failure}${hint}; trying again next round`);
  options.memory.lastFailure = failure;
  return failure;
}

function recovered(options: RedeliverOptions): void {
  if (options.memory.lastFailure === undefined) return;
  options.memory.lastFailure = undefined;
  options.log.info({}, "checking for missed webhooks works again");
}
