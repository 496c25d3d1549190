/**
 * Retention: which logs and checkouts a sweep removes. An entry goes once
 * it was last written more than `days` ago, unless a deployment still
 * running or queued holds it (its key is live). `days` 0 keeps everything.
 */
export interface AgedEntry {
  /** A log key, or a checkout's directory: what `live` names. */
  key: string;
  /** When it was last written, epoch ms. */
  mtimeMs: number;
}

export interface RetentionRule {
  now: number;
  /** HEAVEN_LOG_RETENTION_DAYS; 0: keep for ever. */
  days: number;
  live: ReadonlySet<string>;
}

const DAY_MS = 86_400_000;

export function selectExpired<T extends AgedEntry>(entries: readonly T[], rule: RetentionRule): T[] {
  if (rule.days <= 0) return [];
  const cutoff = rule.now - rule.days * DAY_MS;
  return entries.filter((entry) => entry.mtimeMs < cutoff && !rule.live.has(entry.key));
}
