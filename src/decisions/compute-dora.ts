/**
 * The four DORA figures heaven can compute from its own records, over a
 * window. Pure: plain facts about deployments in, figures out; commit times
 * are input because deployment records do not carry them.
 *
 * - deployment frequency: deployments that went live in the window, per day;
 * - lead time for changes: commit → live, median, for deployments of new
 *   code (rollbacks ship old commits and are left out);
 * - change failure rate: (failed deployments + live ones later rolled back)
 *   / deployments that finished (success, failure or error); one refused
 *   before it started (a lock, red CI, a bad configuration) changed nothing
 *   and counts as neither a change nor a failure;
 * - time to restore: from the first failure (a failed deployment, or a live
 *   one that was rolled back) to the next deployment that went live and was
 *   not rolled back, median, per environment.
 */
import type { Outcome } from "./deployment-outcome.js";

export interface DeploymentFact {
  environment: string;
  deploymentId: number;
  /** A `deploy:rollback`: going back, not shipping a change. */
  rollback: boolean;
  outcome: Outcome;
  /** false: it never started (no in_progress status: refused by a lock, CI or its configuration). Default true. */
  started?: boolean | undefined;
  /** ISO 8601: its first final status; undefined while it runs. */
  finishedAt: string | undefined;
  /** ISO 8601: when the deployed commit was made; undefined when unknown. */
  committedAt?: string | undefined;
}

export interface DoraWindow {
  /** ISO 8601, inclusive. */
  from: string;
  /** ISO 8601, exclusive. */
  to: string;
}

export interface Median {
  /** null without samples. */
  medianMs: number | null;
  samples: number;
}

export interface DoraFigures {
  windowDays: number;
  /** Deployments that went live in the window. */
  deployments: number;
  deploymentsPerDay: number;
  leadTime: Median;
  changeFailureRate: { rate: number | null; failed: number; rolledBack: number; finished: number };
  timeToRestore: Median;
}

const DAY_MS = 86_400_000;
const FINISHED: ReadonlySet<Outcome> = new Set(["success", "failure", "error"]);

interface Finished extends DeploymentFact {
  finishedMs: number;
}

function median(values: readonly number[]): Median {
  if (values.length === 0) return { medianMs: null, samples: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const value = sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { medianMs: value, samples: sorted.length };
}

/** Finished deployments, oldest first (ties by id). */
function finished(facts: readonly DeploymentFact[]): Finished[] {
  return facts
    .flatMap((f) => {
      const finishedMs = f.finishedAt === undefined ? NaN : Date.parse(f.finishedAt);
      return FINISHED.has(f.outcome) && f.started !== false && !Number.isNaN(finishedMs) ? [{ ...f, finishedMs }] : [];
    })
    .sort((a, b) => a.finishedMs - b.finishedMs || a.deploymentId - b.deploymentId);
}

/** Ids of live deployments whose next live deployment in the same environment is a rollback. */
function rolledBackIds(done: readonly Finished[]): Set<number> {
  const ids = new Set<number>();
  const lastLive = new Map<string, Finished>();
  for (const f of done) {
    if (f.outcome !== "success") continue;
    const before = lastLive.get(f.environment);
    if (f.rollback && before !== undefined) ids.add(before.deploymentId);
    lastLive.set(f.environment, f);
  }
  return ids;
}

function restoreTimes(done: readonly Finished[], rolledBack: ReadonlySet<number>, inWindow: (ms: number) => boolean): number[] {
  const brokenSince = new Map<string, number>();
  const samples: number[] = [];
  for (const f of done) {
    const broke = f.outcome !== "success" || rolledBack.has(f.deploymentId);
    const since = brokenSince.get(f.environment);
    if (broke) {
      if (since === undefined) brokenSince.set(f.environment, f.finishedMs);
    } else if (since !== undefined) {
      if (inWindow(f.finishedMs)) samples.push(f.finishedMs - since);
      brokenSince.delete(f.environment);
    }
  }
  return samples;
}

export function computeDora(facts: readonly DeploymentFact[], window: DoraWindow): DoraFigures {
  const from = Date.parse(window.from);
  const to = Date.parse(window.to);
  const inWindow = (ms: number) => ms >= from && ms < to;
  const windowDays = Math.max(0, to - from) / DAY_MS;
  // Every finished deployment up to the window's end: a rollback or restore in the window may answer an earlier failure.
  const done = finished(facts).filter((f) => f.finishedMs < to);
  const rolledBack = rolledBackIds(done);
  const shown = done.filter((f) => inWindow(f.finishedMs));
  const live = shown.filter((f) => f.outcome === "success");
  const failed = shown.filter((f) => f.outcome !== "success").length;
  const rolledBackInWindow = live.filter((f) => rolledBack.has(f.deploymentId)).length;
  const leadTimes = live.flatMap((f) => {
    const committed = f.rollback || f.committedAt === undefined ? NaN : Date.parse(f.committedAt);
    return Number.isNaN(committed) ? [] : [Math.max(0, f.finishedMs - committed)];
  });
  return {
    windowDays,
    deployments: live.length,
    deploymentsPerDay: windowDays === 0 ? 0 : live.length / windowDays,
    leadTime: median(leadTimes),
    changeFailureRate: { rate: shown.length === 0 ? null : (failed + rolledBackInWindow) / shown.length, failed, rolledBack: rolledBackInWindow, finished: shown.length },
    timeToRestore: median(restoreTimes(done, rolledBack, inWindow)),
  };
}
