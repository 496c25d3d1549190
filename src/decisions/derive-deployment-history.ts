/**
 * An environment's deployment history as the API shows it: newest first,
 * each with how it went, how long it took and where its log is. Pure.
 */
import { ownerOf } from "./lock-state.js";
import { deploymentOutcome, newestLogUrl, type Outcome } from "./deployment-outcome.js";
import type { RecordWithStatuses } from "./derive-release-state.js";

export interface HistoryItem {
  deploymentId: number;
  environment: string;
  ref: string;
  sha: string;
  task: string;
  by: string;
  /** ISO 8601. */
  createdAt: string;
  /** GitHub's newest status state; null without statuses. */
  state: string | null;
  outcome: Outcome;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  /** The description of its newest status. */
  description: string | null;
  logUrl: string | null;
  environmentUrl: string | null;
}

export function deriveHistory(entries: readonly RecordWithStatuses[]): HistoryItem[] {
  return [...entries]
    .sort((a, b) => b.record.id - a.record.id)
    .map(({ record, statuses = [] }) => {
      const seen = deploymentOutcome(record.createdAt, statuses);
      const newestFirst = [...statuses].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || (b.id ?? 0) - (a.id ?? 0));
      const newest = newestFirst[0];
      return {
        deploymentId: record.id,
        environment: record.environment,
        ref: record.ref,
        sha: record.sha,
        task: record.task,
        by: ownerOf(record),
        createdAt: record.createdAt,
        state: seen.state ?? null,
        outcome: seen.outcome,
        startedAt: seen.startedAt ?? null,
        finishedAt: seen.finishedAt ?? null,
        durationMs: seen.durationMs ?? null,
        description: newest?.description || null,
        logUrl: newestLogUrl(statuses) ?? null,
        environmentUrl: newestFirst.find((s) => s.environmentUrl !== undefined)?.environmentUrl ?? null,
      };
    });
}
