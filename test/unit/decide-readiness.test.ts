import { describe, expect, it } from "@jest/globals";
import { decideReadiness, judgeGitHub, type ReadinessInput } from "../../src/decisions/decide-readiness.js";

const MIN = 60_000;
const NOW = 100 * MIN;
const healthy: ReadinessInput = {
  settingsLoaded: true,
  journalReplayed: true,
  dataDirProblem: undefined,
  github: { lastAnsweredAt: NOW - 1_000, lastFailedAt: undefined },
  now: NOW,
  githubWindowMs: 5 * MIN,
  requireGitHub: false,
};

describe("readiness", () => {
  it("is ready with every check passing", () => {
    const r = decideReadiness(healthy);
    expect(r.httpStatus).toBe(200);
    expect(r.body).toMatchObject({ status: "ready", failed: [], checks: { dataDir: { ok: true, detail: "writable" }, github: { ok: true, detail: "last request answered 1 s ago" } } });
  });

  it("answers 503 naming each failed check and why", () => {
    const r = decideReadiness({ ...healthy, journalReplayed: false, dataDirProblem: "EISDIR" });
    expect(r.httpStatus).toBe(503);
    expect(r.body.status).toBe("not ready");
    expect(r.body.failed).toEqual(["journal", "dataDir"]);
    expect(r.body.checks.dataDir).toEqual({ ok: false, detail: "the data directory is not writable: EISDIR" });
    expect(r.body.checks.journal.ok).toBe(false);
  });

  it("reports an unreachable GitHub as degraded but ready, and as not ready when GitHub is required", () => {
    const down = { ...healthy, github: { lastAnsweredAt: NOW - 20 * MIN, lastFailedAt: NOW - 10_000 } };
    const lenient = decideReadiness(down);
    expect(lenient.httpStatus).toBe(200);
    expect(lenient.body).toMatchObject({ status: "degraded", failed: ["github"] });
    expect(lenient.body.checks.github.detail).toBe("GitHub did not answer: last request failed 10 s ago, last answer 1200 s ago");
    const strict = decideReadiness({ ...down, requireGitHub: true });
    expect(strict.httpStatus).toBe(503);
    expect(strict.body.status).toBe("not ready");
  });

  it("does not fail on GitHub when no request was made yet", () => {
    expect(judgeGitHub({ lastAnsweredAt: undefined, lastFailedAt: undefined }, NOW, 5 * MIN)).toEqual({ ok: true, detail: "no request made yet since heaven started" });
  });

  it("takes one failure right after an answer for a blip, not an outage", () => {
    expect(judgeGitHub({ lastAnsweredAt: NOW - MIN, lastFailedAt: NOW - 1_000 }, NOW, 5 * MIN).ok).toBe(true);
  });

  it("counts GitHub unreachable when nothing was ever answered and the last request failed", () => {
    const result = judgeGitHub({ lastAnsweredAt: undefined, lastFailedAt: NOW - 2_000 }, NOW, 5 * MIN);
    expect(result).toEqual({ ok: false, detail: "GitHub did not answer: last request failed 2 s ago, no request answered since heaven started" });
  });

  it("is reachable again as soon as a request is answered after the failures", () => {
    expect(judgeGitHub({ lastAnsweredAt: NOW - 1_000, lastFailedAt: NOW - 30 * MIN }, NOW, 5 * MIN).ok).toBe(true);
  });
});
