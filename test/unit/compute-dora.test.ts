import { describe, expect, it } from "@jest/globals";
import { computeDora, type DeploymentFact } from "../../src/decisions/compute-dora.js";

const T0 = Date.parse("2026-05-01T00:00:00Z");
const HOUR = 3_600_000;
const at = (hours: number) => new Date(T0 + hours * HOUR).toISOString();
const WEEK = { from: at(0), to: at(7 * 24) };

let nextId = 1;
function fact(outcome: DeploymentFact["outcome"], hours: number, fields: Partial<DeploymentFact> = {}): DeploymentFact {
  return { environment: "production", deploymentId: nextId++, rollback: false, outcome, finishedAt: at(hours), ...fields };
}

describe("computeDora", () => {
  it("counts deployments that went live in the window, per day", () => {
    const facts = [fact("success", 1), fact("success", 30), fact("failure", 40), fact("success", -5), fact("success", 7 * 24)];
    const figures = computeDora(facts, WEEK);
    expect(figures.windowDays).toBe(7);
    expect(figures.deployments).toBe(2);
    expect(figures.deploymentsPerDay).toBeCloseTo(2 / 7);
  });

  it("takes the median lead time from commit to live, leaving rollbacks and unknown commit times out", () => {
    const facts = [
      fact("success", 10, { committedAt: at(9) }),
      fact("success", 20, { committedAt: at(17) }),
      fact("success", 30, { committedAt: at(26) }),
      fact("success", 40),
      fact("success", 50, { rollback: true, committedAt: at(0) }),
    ];
    expect(computeDora(facts, WEEK).leadTime).toEqual({ medianMs: 3 * HOUR, samples: 3 });
  });

  it("averages the two middle lead times of an even count", () => {
    const facts = [fact("success", 10, { committedAt: at(9) }), fact("success", 20, { committedAt: at(18) })];
    expect(computeDora(facts, WEEK).leadTime.medianMs).toBe(1.5 * HOUR);
  });

  it("counts failed and rolled-back deployments against every finished one", () => {
    const facts = [
      fact("success", 1),
      fact("failure", 2),
      fact("success", 3),
      fact("success", 4), // rolled back by the next one
      fact("success", 5, { rollback: true }),
      fact("error", 6),
      fact("superseded", 7),
      fact("running", 8),
    ];
    expect(computeDora(facts, WEEK).changeFailureRate).toEqual({ rate: 3 / 6, failed: 2, rolledBack: 1, finished: 6 });
  });

  it("counts a deployment refused before it started (a lock, red CI) as no change and no failure", () => {
    const facts = [fact("success", 1), fact("error", 2, { started: false }), fact("failure", 3)];
    expect(computeDora(facts, WEEK).changeFailureRate).toEqual({ rate: 1 / 2, failed: 1, rolledBack: 0, finished: 2 });
    expect(computeDora(facts, WEEK).timeToRestore.samples).toBe(0);
  });

  it("reports no failure rate without finished deployments", () => {
    expect(computeDora([fact("running", 1)], WEEK).changeFailureRate.rate).toBeNull();
  });

  it("times restores from the first failure to the next good deployment, per environment", () => {
    const facts = [
      fact("success", 1),
      fact("failure", 10),
      fact("failure", 11),
      fact("success", 14), // restores after 4 h
      fact("failure", 20, { environment: "staging" }),
      fact("success", 21), // production: nothing to restore
      fact("success", 30), // rolled back: broken from 30 …
      fact("success", 32, { rollback: true }), // … to 32
      fact("success", 22, { environment: "staging" }), // staging restored after 2 h
    ];
    expect(computeDora(facts, WEEK).timeToRestore).toEqual({ medianMs: 2 * HOUR, samples: 3 });
  });

  it("counts a restore in the window even when the failure came before it", () => {
    const facts = [fact("failure", -2), fact("success", 1)];
    expect(computeDora(facts, WEEK).timeToRestore).toEqual({ medianMs: 3 * HOUR, samples: 1 });
    expect(computeDora(facts, WEEK).changeFailureRate).toMatchObject({ failed: 0, finished: 1 });
  });

  it("leaves an unrestored failure out of time to restore", () => {
    expect(computeDora([fact("success", 1), fact("failure", 2)], WEEK).timeToRestore).toEqual({ medianMs: null, samples: 0 });
  });

  it("gives zero frequency for an empty window", () => {
    expect(computeDora([fact("success", 1)], { from: at(5), to: at(5) })).toMatchObject({ windowDays: 0, deployments: 0, deploymentsPerDay: 0 });
  });
});
