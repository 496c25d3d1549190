/**
 * Keys in the order they were last added, the oldest forgotten past a limit:
 * what the journal (finished deployments), the outbox (delivered writes),
 * redelivery and polling (webhook GUIDs) remember, kept small in a
 * long-lived process.
 */

/** Adds `key` to `keys` as the newest, then forgets the oldest beyond `limit`. */
export function rememberKey(keys: Set<string>, key: string, limit: number): void {
  keys.delete(key);
  keys.add(key);
  for (const oldest of keys) {
    if (keys.size <= limit) break;
    keys.delete(oldest);
  }
}

export class RecentKeys {
  private readonly keys = new Set<string>();
  constructor(private readonly capacity = 10_000) {}
  add(key: string): void {
    rememberKey(this.keys, key, this.capacity);
  }
  has(key: string): boolean {
    return this.keys.has(key);
  }
  /** The keys as a set, for rules that only read. */
  view(): ReadonlySet<string> {
    return this.keys;
  }
}
