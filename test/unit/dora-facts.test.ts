import { describe, expect, it } from "@jest/globals";
import { computeDora } from "../../src/decisions/compute-dora.js";
import type { HistoryItem } from "../../src/decisions/derive-deployment-history.js";
import { doraFacts, doraWindow } from "../../src/decisions/dora-facts.js";

const NOW = "2026-05-31T00:00:00.000Z";

function item(id: number, createdAt: string, fields: Partial<HistoryItem> = {}): HistoryItem {
  return {
    deploymentId: id, environment: "production", ref: "main", sha: `${id}`.padStart(40, "a"), task: "deploy", by: "alice", createdAt,
    state: "success", outcome: "success", startedAt: createdAt, finishedAt: createdAt, durationMs: 1000, description: null, logUrl: null, environmentUrl: null, ...fields,
  };
}

describe("doraFacts", () => {
  it("turns history into facts: rollbacks marked, commit times where known, unfinished ones without an end, refused ones not started", () => {
    const items = [item(3, "2026-05-30T10:00:00Z", { task: "deploy:rollback" }), item(2, "2026-05-29T10:00:00Z", { outcome: "running", finishedAt: null }), item(1, "2026-05-28T10:00:00Z")];
    const refused = item(4, "2026-05-30T11:00:00Z", { state: "error", outcome: "error", startedAt: null });
    expect(doraFacts([refused])).toMatchObject([{ deploymentId: 4, outcome: "error", started: false }]);
    const facts = doraFacts(items, new Map([[items[2]?.sha ?? "", "2026-05-28T09:00:00Z"]]));
    expect(facts).toEqual([
      { environment: "production", deploymentId: 3, rollback: true, outcome: "success", started: true, finishedAt: "2026-05-30T10:00:00Z", committedAt: undefined },
      { environment: "production", deploymentId: 2, rollback: false, outcome: "running", started: true, finishedAt: undefined, committedAt: undefined },
      { environment: "production", deploymentId: 1, rollback: false, outcome: "success", started: true, finishedAt: "2026-05-28T10:00:00Z", committedAt: "2026-05-28T09:00:00Z" },
    ]);
    const figures = computeDora(facts, doraWindow(items, { now: NOW, days: 30, limit: 30 }));
    expect(figures.leadTime).toEqual({ medianMs: 3_600_000, samples: 1 });
    // The rollback undid deployment 1.
    expect(figures.changeFailureRate).toMatchObject({ rolledBack: 1, finished: 2 });
  });
});

describe("doraWindow", () => {
  it("covers the last `days` days when every record of them was read", () => {
    expect(doraWindow([item(1, "2026-05-30T00:00:00Z")], { now: NOW, days: 30, limit: 30 })).toEqual({ from: "2026-05-01T00:00:00.000Z", to: NOW, shortened: false });
    expect(doraWindow([], { now: NOW, days: 7, limit: 30 })).toEqual({ from: "2026-05-24T00:00:00.000Z", to: NOW, shortened: false });
  });

  it("starts at the oldest record read when the newest `limit` records do not reach back that far", () => {
    const items = [item(2, "2026-05-30T00:00:00Z"), item(1, "2026-05-20T12:00:00Z")];
    expect(doraWindow(items, { now: NOW, days: 30, limit: 2 })).toEqual({ from: "2026-05-20T12:00:00.000Z", to: NOW, shortened: true });
    // Reaching back past the window: nothing to shorten.
    expect(doraWindow([item(2, "2026-05-30T00:00:00Z"), item(1, "2026-04-01T00:00:00Z")], { now: NOW, days: 30, limit: 2 }).shortened).toBe(false);
  });
});
