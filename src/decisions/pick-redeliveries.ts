/**
 * Which missed webhooks to ask GitHub for again: GitHub does not redeliver a
 * failed delivery by itself. Pure: the App webhook's delivery attempts (as
 * `GET /app/hook/deliveries` lists them) in, the attempts to redeliver out.
 *
 * GitHub's own recipe: attempts are grouped by GUID (a redelivery keeps it);
 * a GUID with any 2xx attempt is done. One whose newest attempt could not
 * reach heaven (status_code 0) or got a 5xx (heaven could not take it) is
 * redelivered once. Any other answer (400 bad signature, 404 unknown route)
 * would fail again: such attempts are only reported.
 */

/** The fields of a delivery attempt this rule reads. */
export interface DeliveryAttempt {
  id: number;
  guid: string;
  delivered_at: string;
  status_code: number;
  event: string;
  action: string | null;
}

export interface RedeliveryRules {
  /** Epoch milliseconds. */
  now: number;
  /** Attempts older than this are left to GitHub's history. */
  lookBackMs: number;
  /** GUIDs redelivered already (by this process): asked for once only. */
  alreadyRequested: ReadonlySet<string>;
  /** At most this many redeliveries per round; the rest wait for the next. */
  max: number;
}

export interface RedeliveryPick {
  /** The newest attempt of each GUID to redeliver, oldest event first. */
  redeliver: DeliveryAttempt[];
  /** Failed GUIDs that a redelivery would not fix (their newest attempt). */
  leftAlone: DeliveryAttempt[];
  /** GUIDs to redeliver that did not fit under `max`. */
  deferred: number;
}

const succeeded = (code: number) => code >= 200 && code < 300;
/** Heaven was down (0) or could not take the webhook (5xx): worth asking again. */
const retriable = (code: number) => code === 0 || code >= 500;

export function pickRedeliveries(attempts: readonly DeliveryAttempt[], rules: RedeliveryRules): RedeliveryPick {
  const since = rules.now - rules.lookBackMs;
  const byGuid = new Map<string, DeliveryAttempt[]>();
  for (const attempt of attempts) byGuid.set(attempt.guid, [...(byGuid.get(attempt.guid) ?? []), attempt]);

  const candidates: Array<{ first: number; newest: DeliveryAttempt }> = [];
  const leftAlone: DeliveryAttempt[] = [];
  for (const [guid, group] of byGuid) {
    if (group.some((a) => succeeded(a.status_code))) continue;
    // Delivery ids grow with time: the highest is the newest attempt.
    const ordered = [...group].sort((a, b) => a.id - b.id);
    const newest = ordered[ordered.length - 1] as DeliveryAttempt;
    // Written so an unreadable date (NaN) counts as outside the look-back.
    if (!(Date.parse(newest.delivered_at) >= since)) continue;
    if (!retriable(newest.status_code)) leftAlone.push(newest);
    else if (!rules.alreadyRequested.has(guid)) candidates.push({ first: (ordered[0] as DeliveryAttempt).id, newest });
  }

  // Oldest event first, so a backlog replays in the order it happened.
  candidates.sort((a, b) => a.first - b.first);
  const max = Math.max(0, rules.max);
  return {
    redeliver: candidates.slice(0, max).map((c) => c.newest),
    leftAlone: leftAlone.sort((a, b) => a.id - b.id),
    deferred: Math.max(0, candidates.length - max),
  };
}
