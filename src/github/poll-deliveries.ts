/**
 * No inbound traffic (`HEAVEN_INGRESS=poll`): heaven reads the App's webhook
 * delivery log every few seconds (App JWT) and hands each new delivery's
 * payload to the same handlers a received webhook reaches. GitHub records
 * every delivery, delivered or not, so the log has everything even when
 * GitHub can never reach heaven. No signature to check: the payload comes
 * from GitHub's API, over TLS, with the App's own credentials.
 *
 * Rounds run one after another. The first page is asked for with the ETag
 * of the last complete round (a 304 costs no rate limit); pages are followed
 * only until they reach the cursor. Deliveries are handled in order: one
 * whose payload cannot be fetched ends the round and is tried again next
 * round (nothing after it is handled first); one whose handlers keep failing
 * is given up after a few rounds, loudly, so it cannot stop the stream.
 */
import { z } from "zod";
import { deliveriesToHandle, lostTrack, reachesCursor, startingPoint } from "../decisions/next-deliveries.js";
import { describeGitHubError, statusOf } from "./describe-github-error.js";
import type { DeliveryAttempt } from "../decisions/pick-redeliveries.js";
import { every, type Repeating } from "../engine/every.js";
import type { PollCursorFile } from "./poll-cursor.js";
import { readAttempts } from "./redeliver-missed.js";

/** The slice of an App-authenticated Octokit polling uses. */
export interface DeliveryLogApi {
  request(route: string, parameters?: Record<string, unknown>): Promise<{ status: number; data: unknown; headers: Record<string, string | number | undefined> }>;
}

/** A received webhook, as Probot's `receive` takes it. */
export interface PolledEvent {
  id: string;
  name: string;
  payload: Record<string, unknown>;
}

export interface PollLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface PollState {
  cursor: PollCursorFile;
  /** The first page's ETag after a round that handled everything it found. */
  etag?: string | undefined;
  /** Rounds in which a delivery's handlers failed, per GUID. */
  failures: Map<string, number>;
  /** The cursor id a gap was reported for, so it is reported once. */
  gapReported?: number | undefined;
}

/** Rounds a delivery's handlers may fail before it is given up. */
const HANDLER_ATTEMPTS = 5;
const MAX_PAGES = 50;

const detail = z.object({ event: z.string(), request: z.object({ payload: z.record(z.string(), z.unknown()) }) });

const nextLink = (headers: Record<string, string | number | undefined>) => /<([^>]+)>;\s*rel="next"/.exec(String(headers.link ?? ""))?.[1];

export interface RoundResult {
  handled: number;
  /** GitHub answered 304: nothing new since the last complete round. */
  unchanged: boolean;
}

/** One round. Throws only when the log cannot be listed at all (the caller logs and tries again). */
export async function pollRound(octokit: DeliveryLogApi, state: PollState, receive: (event: PolledEvent) => Promise<void>, log: PollLog): Promise<RoundResult> {
  const cursor = state.cursor.state;
  const seen: DeliveryAttempt[] = [];
  let url: string | undefined;
  try {
    const first = await octokit.request("GET /app/hook/deliveries", { per_page: 100, headers: state.etag === undefined ? {} : { "if-none-match": state.etag } });
    seen.push(...readAttempts(first.data));
    const etag = typeof first.headers.etag === "string" ? first.headers.etag : undefined;
    url = nextLink(first.headers);
    for (let pages = 1; url !== undefined && !reachesCursor(seen, cursor) && pages < MAX_PAGES; pages++) {
      const page = await octokit.request(`GET ${url}`);
      seen.push(...readAttempts(page.data));
      url = nextLink(page.headers);
    }
    state.etag = etag;
  } catch (error) {
    if (statusOf(error) === 304) return { handled: 0, unchanged: true };
    throw error;
  }
  if (cursor.lastId === undefined) {
    await state.cursor.start(startingPoint(seen));
    log.info({ from: startingPoint(seen) }, "polling GitHub's delivery log for events, starting after its newest delivery");
    return { handled: 0, unchanged: false };
  }
  if (lostTrack(seen, cursor) && state.gapReported !== cursor.lastId) {
    state.gapReported = cursor.lastId;
    log.error({ lastHandled: cursor.lastId, oldestListed: seen.at(-1)?.id }, "GitHub's delivery log no longer reaches back to the last delivery heaven handled: events in between are lost (deploy again what should have run)");
  }
  let handled = 0;
  for (const delivery of deliveriesToHandle(seen, cursor)) {
    const event = await fetchEvent(octokit, delivery.id, delivery.guid).catch((error: unknown) => {
      log.warn({ delivery: delivery.id, event: delivery.event }, `could not fetch delivery ${delivery.id}: ${describeGitHubError(error)}; trying again next round`);
      return undefined;
    });
    if (event === undefined) return incomplete(state, handled);
    try {
      await receive(event);
    } catch (error) {
      const failures = (state.failures.get(delivery.guid) ?? 0) + 1;
      state.failures.set(delivery.guid, failures);
      if (failures < HANDLER_ATTEMPTS) {
        log.warn({ delivery: delivery.id, err: error }, `handling ${delivery.event} (delivery ${delivery.id}) failed; trying again next round`);
        return incomplete(state, handled);
      }
      log.error({ delivery: delivery.id, err: error }, `handling ${delivery.event} (delivery ${delivery.id}) failed ${failures} times; giving it up`);
    }
    state.failures.delete(delivery.guid);
    await state.cursor.handled(delivery.id, delivery.guid);
    handled += 1;
  }
  return { handled, unchanged: false };
}

/** A round that stopped early must list again next time, not be told "304, nothing new". */
function incomplete(state: PollState, handled: number): RoundResult {
  state.etag = undefined;
  return { handled, unchanged: false };
}

async function fetchEvent(octokit: DeliveryLogApi, id: number, guid: string): Promise<PolledEvent> {
  const { data } = await octokit.request("GET /app/hook/deliveries/{delivery_id}", { delivery_id: id });
  const parsed = detail.parse(data);
  return { id: guid, name: parsed.event, payload: parsed.request.payload };
}

/** A round now and then every `intervalMs` after the previous one ended. */
export function startPolling(
  auth: () => Promise<DeliveryLogApi>,
  receive: (event: PolledEvent) => Promise<void>,
  options: { cursor: PollCursorFile; intervalMs: number; log: PollLog },
): Repeating {
  const state: PollState = { cursor: options.cursor, failures: new Map() };
  let lastFailure: string | undefined;
  return every(options.intervalMs, async () => {
    try {
      await pollRound(await auth(), state, receive, options.log);
      if (lastFailure !== undefined) options.log.info({}, "reading GitHub's delivery log works again");
      lastFailure = undefined;
    } catch (error) {
      const failure = describeGitHubError(error);
      // Once while it lasts: a GitHub outage must not fill the log every few seconds.
      if (failure !== lastFailure) options.log.warn({}, `could not read GitHub's delivery log: ${failure}; trying again every ${options.intervalMs / 1000} s`);
      lastFailure = failure;
    }
  });
}
