/**
 * Polling the App's webhook delivery log instead of receiving webhooks:
 * which deliveries are new. Pure. The log lists attempts newest first; each
 * carries an increasing id and the event's GUID (a redelivery keeps it). The
 * cursor is the id of the last delivery handled, in order, and the GUIDs
 * handled recently, so a redelivery of one already handled is not handled
 * again.
 */
import type { DeliveryAttempt } from "./pick-redeliveries.js";

export interface PollCursor {
  /**
   * undefined: this heaven has never polled; it starts from the newest
   * delivery, handling none before it. 0: it started on an empty log, so
   * every delivery is new.
   */
  lastId: number | undefined;
  handled: ReadonlySet<string>;
}

/** True once the listed pages reach back to the cursor: older pages hold nothing new. */
export function reachesCursor(listed: readonly Pick<DeliveryAttempt, "id">[], cursor: PollCursor): boolean {
  const { lastId } = cursor;
  return lastId === undefined || listed.some((delivery) => delivery.id <= lastId);
}

/**
 * As far back as it was listed, the log does not hold the last delivery
 * handled: it has aged out of GitHub's retention (or is more pages back than
 * heaven reads), and deliveries made after it may be gone too. A cursor of
 * 0, started on an empty log, is never lost.
 */
export function lostTrack(listed: readonly Pick<DeliveryAttempt, "id">[], cursor: PollCursor): boolean {
  return cursor.lastId !== undefined && cursor.lastId > 0 && !reachesCursor(listed, cursor);
}

/** The deliveries to handle, oldest first, one attempt per GUID (its first). */
export function deliveriesToHandle<T extends Pick<DeliveryAttempt, "id" | "guid">>(listed: readonly T[], cursor: PollCursor): T[] {
  const { lastId } = cursor;
  if (lastId === undefined) return [];
  const firstOfGuid = new Map<string, T>();
  for (const delivery of [...listed].sort((a, b) => a.id - b.id)) {
    if (delivery.id <= lastId || cursor.handled.has(delivery.guid) || firstOfGuid.has(delivery.guid)) continue;
    firstOfGuid.set(delivery.guid, delivery);
  }
  return [...firstOfGuid.values()];
}

/** Where a heaven that never polled starts: after the newest delivery listed (0 when the log is empty). */
export function startingPoint(listed: readonly Pick<DeliveryAttempt, "id">[]): number {
  return listed.reduce((newest, delivery) => Math.max(newest, delivery.id), 0);
}
