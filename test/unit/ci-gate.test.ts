import { describe, expect, it } from "@jest/globals";
import { evaluateCi } from "../../src/decisions/ci-gate.js";
import type { CheckRun, CommitStatus } from "../../src/core/ci.js";

const status = (context: string, state: string): CommitStatus => ({ context, state });
const run = (name: string, status: string, conclusion: string | null = null): CheckRun => ({ name, status, conclusion });

describe("evaluateCi", () => {
  it("is green when every reported status and check run succeeded", () => {
    expect(
      evaluateCi({
        required: undefined,
        statuses: [status("ci/jenkins", "success")],
        checkRuns: [run("test", "completed", "success"), run("lint", "completed", "skipped")],
      }),
    ).toEqual({ kind: "green", contexts: ["ci/jenkins", "lint", "test"] });
  });

  it("is green when nothing is reported and nothing is required", () => {
    expect(evaluateCi({ required: undefined, statuses: [], checkRuns: [] })).toEqual({ kind: "green", contexts: [] });
  });

  it("names the red contexts from both statuses and check runs", () => {
    expect(
      evaluateCi({
        required: undefined,
        statuses: [status("ci/jenkins", "failure"), status("ci/other", "error")],
        checkRuns: [run("test", "completed", "timed_out"), run("lint", "completed", "success")],
      }),
    ).toEqual({ kind: "red", failed: ["ci/jenkins", "ci/other", "test"] });
  });

  it("prefers red over pending", () => {
    expect(
      evaluateCi({ required: undefined, statuses: [status("a", "pending")], checkRuns: [run("b", "completed", "cancelled")] }),
    ).toEqual({ kind: "red", failed: ["b"] });
  });

  it("is pending while a check run is not completed or a status is pending", () => {
    expect(
      evaluateCi({ required: undefined, statuses: [status("a", "pending")], checkRuns: [run("b", "in_progress")] }),
    ).toEqual({ kind: "pending", pending: ["a", "b"], missing: [] });
  });

  it("checks only the required contexts when they are configured", () => {
    expect(
      evaluateCi({
        required: ["test"],
        statuses: [status("ci/flaky", "failure")],
        checkRuns: [run("test", "completed", "success")],
      }),
    ).toEqual({ kind: "green", contexts: ["test"] });
  });

  it("treats a required context nobody reported as missing", () => {
    expect(evaluateCi({ required: ["ci/test"], statuses: [], checkRuns: [] })).toEqual({
      kind: "pending",
      pending: [],
      missing: ["ci/test"],
    });
  });

  it("takes the worse state when a status and a check run share a name", () => {
    expect(
      evaluateCi({ required: undefined, statuses: [status("test", "success")], checkRuns: [run("test", "completed", "failure")] }),
    ).toEqual({ kind: "red", failed: ["test"] });
  });

  it("ignores heaven's own contexts unless they are required", () => {
    const input = { statuses: [status("heaven/auto-deploy", "failure")], checkRuns: [], ignorePrefix: "heaven/" };
    expect(evaluateCi({ ...input, required: undefined })).toEqual({ kind: "green", contexts: [] });
    expect(evaluateCi({ ...input, required: ["heaven/auto-deploy"] })).toEqual({ kind: "red", failed: ["heaven/auto-deploy"] });
  });

  it("counts neutral as green and action_required, stale and startup_failure as red", () => {
    expect(evaluateCi({ required: undefined, statuses: [], checkRuns: [run("n", "completed", "neutral")] }).kind).toBe("green");
    for (const conclusion of ["action_required", "stale", "startup_failure"]) {
      expect(evaluateCi({ required: undefined, statuses: [], checkRuns: [run("x", "completed", conclusion)] })).toEqual({
        kind: "red",
        failed: ["x"],
      });
    }
  });
});
