/**
 * How one deployment went, read from the statuses GitHub holds for it. Pure.
 *
 * GitHub's `auto_inactive` marks a deployment inactive once a newer one of the
 * environment succeeds, so the newest status alone cannot tell a deployment
 * that was live (success, later inactive) from one heaven superseded before it
 * ran (inactive only): the whole status list is read.
 */

/** A deployment status as GitHub gives it, trimmed to what heaven shows. */
export interface StatusSeen {
  /** GitHub's status id: later statuses have higher ones (orders statuses of one second). */
  id?: number | undefined;
  state: string;
  /** ISO 8601. */
  createdAt: string;
  description: string;
  logUrl: string | undefined;
  environmentUrl: string | undefined;
}

/**
 * `success`: it went live (even if a later deployment has replaced it);
 * `superseded`: inactive without ever succeeding (heaven skipped it);
 * `running`/`waiting`: not finished; `unknown`: no status at all.
 */
export type Outcome = "success" | "failure" | "error" | "superseded" | "running" | "waiting" | "unknown";

export interface DeploymentOutcomeView {
  outcome: Outcome;
  /** GitHub's newest status state, as it stands now; undefined without statuses. */
  state: string | undefined;
  /** ISO 8601: the first in_progress status. */
  startedAt: string | undefined;
  /** ISO 8601: the first final status (success, failure, error, inactive). */
  finishedAt: string | undefined;
  /** From started (or created, when it never said in_progress) to finished; undefined while it runs. */
  durationMs: number | undefined;
}

const FINAL = new Set(["success", "failure", "error", "inactive"]);

const oldestFirst = (statuses: readonly StatusSeen[]) => [...statuses].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || (a.id ?? 0) - (b.id ?? 0));

export function deploymentOutcome(createdAt: string, statuses: readonly StatusSeen[]): DeploymentOutcomeView {
  const ordered = oldestFirst(statuses);
  const newest = ordered[ordered.length - 1];
  const startedAt = ordered.find((s) => s.state === "in_progress")?.createdAt;
  const final = ordered.find((s) => FINAL.has(s.state));
  const finishedAt = final?.createdAt;
  const from = Date.parse(startedAt ?? createdAt);
  const durationMs = finishedAt === undefined || Number.isNaN(from) ? undefined : Math.max(0, Date.parse(finishedAt) - from);
  return { outcome: outcomeOf(ordered), state: newest?.state, startedAt, finishedAt, durationMs: Number.isNaN(durationMs) ? undefined : durationMs };
}

function outcomeOf(ordered: readonly StatusSeen[]): Outcome {
  if (ordered.some((s) => s.state === "success")) return "success";
  const final = ordered.find((s) => FINAL.has(s.state));
  if (final !== undefined) return final.state === "inactive" ? "superseded" : (final.state as "failure" | "error");
  const newest = ordered[ordered.length - 1];
  if (newest === undefined) return "unknown";
  return newest.state === "in_progress" ? "running" : "waiting";
}

/** When the deployment went live: its first success status; undefined if it never did. */
export function liveSince(statuses: readonly StatusSeen[]): string | undefined {
  return oldestFirst(statuses).find((s) => s.state === "success")?.createdAt;
}

/** The newest status that carries a log link. */
export function newestLogUrl(statuses: readonly StatusSeen[]): string | undefined {
  return oldestFirst(statuses).reverse().find((s) => s.logUrl !== undefined && s.logUrl !== "")?.logUrl;
}
