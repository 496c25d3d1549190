/** An environment lock, as replayed from the environment's deployment records (decisions/lock-state). */
export interface Lock {
  owner: string;
  reason: string;
  /** ISO 8601: the createdAt of the record that took the lock. */
  since: string;
  /** ISO 8601, or undefined for a lock that never expires. */
  expiresAt: string | undefined;
  kind: "explicit" | "branch";
  /** The deployed branch, for a branch lock. */
  branch: string | undefined;
  /** The deployment record that took the lock. */
  recordId: number;
}

export type LockState = { kind: "unlocked" } | { kind: "locked"; lock: Lock };
