/**
 * Webhook GUIDs in the order they were added, the oldest forgotten past
 * `capacity`: what redelivery already asked for, kept small in a long-lived process.
 */
export class RecentGuids {
  private readonly guids = new Set<string>();
  constructor(private readonly capacity = 10_000) {}
  add(guid: string): void {
    this.guids.delete(guid);
    this.guids.add(guid);
    for (const oldest of this.guids) {
      if (this.guids.size <= this.capacity) break;
      this.guids.delete(oldest);
    }
  }
  has(guid: string): boolean {
    return this.guids.has(guid);
  }
  /** The GUIDs as a set, for rules that only read. */
  view(): ReadonlySet<string> {
    return this.guids;
  }
}
