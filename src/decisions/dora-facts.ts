/**
 * From the history the release-state API shows to what compute-dora.ts
 * takes: one fact per deploy record, and the window the figures may honestly
 * cover — the last `days` days, or less when the records read do not reach
 * that far back (the newest `limit` were read). Pure.
 */
import { ROLLBACK_TASK } from "../core/record.js";
import type { DeploymentFact, DoraWindow } from "./compute-dora.js";
import type { HistoryItem } from "./derive-deployment-history.js";

const DAY_MS = 86_400_000;

/** `committedAt`: when each sha was committed, where known (records do not carry it). */
export function doraFacts(items: readonly HistoryItem[], committedAt: ReadonlyMap<string, string> = new Map()): DeploymentFact[] {
  return items.map((item) => ({
    environment: item.environment,
    deploymentId: item.deploymentId,
    rollback: item.task === ROLLBACK_TASK,
    outcome: item.outcome,
    started: item.startedAt !== null,
    finishedAt: item.finishedAt ?? undefined,
    committedAt: committedAt.get(item.sha),
  }));
}

export interface DoraSpan extends DoraWindow {
  /** The records read stop short of `days`: the window starts at the oldest of them. */
  shortened: boolean;
}

export function doraWindow(items: readonly HistoryItem[], options: { now: string; days: number; limit: number }): DoraSpan {
  const to = Date.parse(options.now);
  const wanted = to - options.days * DAY_MS;
  const oldest = Math.min(...items.map((item) => Date.parse(item.createdAt)).filter((ms) => !Number.isNaN(ms)));
  const shortened = items.length >= options.limit && Number.isFinite(oldest) && oldest > wanted;
  return { from: new Date(shortened ? oldest : wanted).toISOString(), to: new Date(to).toISOString(), shortened };
}
