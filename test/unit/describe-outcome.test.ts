import { describe, expect, it } from "@jest/globals";
import { describeOutcome } from "../../src/decisions/describe-outcome.js";
import { DESCRIPTION_LIMIT, formatDuration, truncate } from "../../src/decisions/text.js";
import type { DeploymentOutcome } from "../../src/core/outcome.js";

const SHA = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e";
const huge = (word: string) => Array.from({ length: 200 }, (_, i) => `${word}${i}`).join(" ");

describe("describeOutcome", () => {
  describe("states and descriptions", () => {
    it("reports success with how long the deployment took", () => {
      expect(describeOutcome({ kind: "succeeded", what: "script/deploy", durationMs: 65_000 })).toEqual({
        state: "success",
        description: "script/deploy succeeded in 1 min 5 s",
      });
    });

    it("says a worker that stopped mid-deployment (scale-out) ended it, and whether its script was stopped", () => {
      expect(describeOutcome({ kind: "interrupted", processStopped: true, workerStopped: true })).toEqual({
        state: "error",
        description: "the worker running this deployment stopped; its script was stopped — deploy again",
      });
      expect(describeOutcome({ kind: "interrupted", processStopped: false, workerStopped: true }).description).toBe("the worker running this deployment stopped — deploy again");
      expect(describeOutcome({ kind: "interrupted", processStopped: false }).description).toBe("heaven restarted while this deployment ran; deploy again");
    });

    it("reports a non-zero exit as failure, quoting the last line of output", () => {
      expect(describeOutcome({ kind: "failed", what: "script/deploy", exitCode: 3, lastLine: "migration failed" })).toEqual({
        state: "failure",
        description: 'script/deploy exited 3: "migration failed"',
      });
    });

    it("reports a non-zero exit without a quote when there was no output", () => {
      expect(describeOutcome({ kind: "failed", what: "script/deploy", exitCode: 1, lastLine: undefined })).toEqual({
        state: "failure",
        description: "script/deploy exited 1",
      });
    });

    it("does not quote a last line that is only whitespace", () => {
      expect(describeOutcome({ kind: "failed", what: "script/deploy", exitCode: 1, lastLine: "  \t " }).description).toBe(
        "script/deploy exited 1",
      );
    });

    it("puts a last line with line breaks and runs of spaces on one line", () => {
      expect(
        describeOutcome({ kind: "failed", what: "script/deploy", exitCode: 2, lastLine: "  rake aborted!\n\tno   such file " })
          .description,
      ).toBe('script/deploy exited 2: "rake aborted! no such file"');
    });

    it("reports a process killed by a signal as failure, naming the signal", () => {
      expect(
        describeOutcome({ kind: "killed", what: "script/deploy", signal: "SIGKILL", lastLine: "Compiling assets" }),
      ).toEqual({ state: "failure", description: 'script/deploy was killed by SIGKILL: "Compiling assets"' });
      expect(describeOutcome({ kind: "killed", what: "script/deploy", signal: "SIGTERM", lastLine: undefined })).toEqual({
        state: "failure",
        description: "script/deploy was killed by SIGTERM",
      });
    });

    it("reports a provider that said no as failure with its message", () => {
      expect(describeOutcome({ kind: "provider-error", what: "heroku", message: "build failed: slug too large" })).toEqual({
        state: "failure",
        description: "heroku failed: build failed: slug too large",
      });
    });

    it("reports a timeout as an error that says the process group was killed", () => {
      expect(describeOutcome({ kind: "timed-out", what: "script/deploy", timeoutSeconds: 300 })).toEqual({
        state: "error",
        description: "timed out after 300 s; process group killed",
      });
    });

    it("says an API provider's timeout stopped heaven waiting, not a process", () => {
      expect(describeOutcome({ kind: "timed-out", what: "heroku acme-web", timeoutSeconds: 600, api: true })).toEqual({
        state: "error",
        description: "heroku acme-web timed out after 600 s; heaven stopped waiting (it may still finish there)",
      });
    });

    it("names the missing tool and how to install it", () => {
      expect(describeOutcome({ kind: "tool-missing", what: "cap production deploy", tool: "cap", install: "apt-get install capistrano" })).toEqual({
        state: "error",
        description: "cap production deploy: cap is not installed on the heaven host; install it (apt-get install capistrano)",
      });
    });

    it("names the release an API provider made", () => {
      expect(describeOutcome({ kind: "succeeded", what: "heroku acme-web", durationMs: 62_000, release: { id: "v42" } }).description).toBe("heroku acme-web succeeded in 1 min 2 s (release v42)");
    });

    it("tells the user to add a missing script or configure another", () => {
      expect(describeOutcome({ kind: "not-runnable", what: "script/deploy", reason: "missing" })).toEqual({
        state: "error",
        description: "script/deploy does not exist at this commit; add it or set script in .github/heaven.yml",
      });
    });

    it("tells the user how to make a script executable", () => {
      expect(describeOutcome({ kind: "not-runnable", what: "script/deploy", reason: "not-executable" })).toEqual({
        state: "error",
        description: "script/deploy is not executable; run chmod +x script/deploy and commit",
      });
    });

    it("says which line to fix when a script's interpreter is missing", () => {
      expect(describeOutcome({ kind: "not-runnable", what: "script/deploy", reason: "bad-interpreter" })).toEqual({
        state: "error",
        description: "script/deploy names an interpreter in its #! line that is not installed on the heaven host",
      });
    });

    it("reports an invalid configuration as an error with its message", () => {
      const message = '.github/heaven.yml: (top level): Unrecognized key: "scirpt"';
      expect(describeOutcome({ kind: "config-invalid", message })).toEqual({ state: "error", description: message });
    });

    it("reports a bad request as an error with its message", () => {
      expect(describeOutcome({ kind: "bad-request", message: "the deployment has no sha" })).toEqual({
        state: "error",
        description: "the deployment has no sha",
      });
    });

    it("reports a failed checkout as an error with its message", () => {
      expect(describeOutcome({ kind: "checkout-failed", message: "git fetch failed: repository not found" })).toEqual({
        state: "error",
        description: "git fetch failed: repository not found",
      });
    });

    it("reports an aborted deployment as an error that asks to deploy again", () => {
      expect(describeOutcome({ kind: "aborted", reason: "heaven's shutdown" })).toEqual({
        state: "error",
        description: "stopped by heaven's shutdown before it finished; deploy again",
      });
    });

    it("reports a crash as an error that points at the log", () => {
      expect(describeOutcome({ kind: "crashed", message: "ENOSPC: no space left on device" })).toEqual({
        state: "error",
        description: "heaven failed unexpectedly: ENOSPC: no space left on device; see the log",
      });
    });
  });

  describe("CI blocked", () => {
    it("is a failure that names the red contexts and the short sha", () => {
      expect(describeOutcome({ kind: "ci-blocked", sha: SHA, verdict: { kind: "red", failed: ["ci/test", "lint"] } })).toEqual({
        state: "failure",
        description: "CI failed on f95f852: ci/test, lint; fix it, or deploy with force",
      });
    });

    it("names pending contexts and marks required ones nobody reported", () => {
      expect(
        describeOutcome({
          kind: "ci-blocked",
          sha: SHA,
          verdict: { kind: "pending", pending: ["build"], missing: ["ci/test"] },
        }),
      ).toEqual({
        state: "failure",
        description: "CI not finished on f95f852: build, ci/test (not reported); deploy again when green, or with force",
      });
    });

    it("lists four names without a count", () => {
      expect(
        describeOutcome({ kind: "ci-blocked", sha: SHA, verdict: { kind: "red", failed: ["a", "b", "c", "d"] } }).description,
      ).toBe("CI failed on f95f852: a, b, c, d; fix it, or deploy with force");
    });

    it('lists the first four names and says "and N more" past four', () => {
      expect(
        describeOutcome({ kind: "ci-blocked", sha: SHA, verdict: { kind: "red", failed: ["a", "b", "c", "d", "e", "f"] } })
          .description,
      ).toBe("CI failed on f95f852: a, b, c, d and 2 more; fix it, or deploy with force");
    });

    it("counts missing contexts in the names it leaves out", () => {
      expect(
        describeOutcome({
          kind: "ci-blocked",
          sha: SHA,
          verdict: { kind: "pending", pending: ["a", "b", "c"], missing: ["m1", "m2"] },
        }).description,
      ).toBe("CI not finished on f95f852: a, b, c, m1 (not reported) and 1 more; deploy again when green, or with force");
    });
  });

  describe("the 140-character limit", () => {
    const everyKind = (what: string, text: string): DeploymentOutcome[] => [
      { kind: "succeeded", what, durationMs: 1_000 },
      { kind: "failed", what, exitCode: 1, lastLine: text },
      { kind: "killed", what, signal: "SIGKILL", lastLine: text },
      { kind: "provider-error", what, message: text },
      { kind: "timed-out", what, timeoutSeconds: 86_400 },
      { kind: "not-runnable", what, reason: "missing" },
      { kind: "not-runnable", what, reason: "not-executable" },
      { kind: "ci-blocked", sha: SHA, verdict: { kind: "red", failed: [text, text] } },
      { kind: "ci-blocked", sha: SHA, verdict: { kind: "pending", pending: [text], missing: [text] } },
      { kind: "config-invalid", message: text },
      { kind: "bad-request", message: text },
      { kind: "checkout-failed", message: text },
      { kind: "aborted", reason: text },
      { kind: "crashed", message: text },
    ];

    /** Every description over the limit, with its kind and length, so a failure shows what went wrong. */
    const overLimit = (outcomes: DeploymentOutcome[]) =>
      outcomes
        .map((outcome) => ({ kind: outcome.kind, description: describeOutcome(outcome).description }))
        .filter(({ description }) => description.length > DESCRIPTION_LIMIT)
        .map(({ kind, description }) => `${kind} (${description.length}): ${description}`);

    it("never exceeds 140 characters, whatever the last line or message", () => {
      expect(overLimit(everyKind("script/deploy", huge("error")))).toEqual([]);
    });

    it("never exceeds 140 characters when the script path itself is long", () => {
      const what = `script/${"deploy-".repeat(30)}production`;
      expect(overLimit(everyKind(what, "migration failed"))).toEqual([]);
      expect(overLimit(everyKind(what, huge("error")))).toEqual([]);
    });

    it("quotes as much of a long last line as fits and marks the cut with an ellipsis", () => {
      const { description } = describeOutcome({ kind: "failed", what: "script/deploy", exitCode: 3, lastLine: huge("x") });
      expect(description).toHaveLength(DESCRIPTION_LIMIT);
      expect(description.startsWith('script/deploy exited 3: "x0 x1 x2')).toBe(true);
      expect(description.endsWith('…"')).toBe(true);
    });

    it("keeps a last line that fits exactly whole", () => {
      const head = "script/deploy exited 3";
      const lastLine = "y".repeat(DESCRIPTION_LIMIT - head.length - 4);
      const { description } = describeOutcome({ kind: "failed", what: "script/deploy", exitCode: 3, lastLine });
      expect(description).toBe(`${head}: "${lastLine}"`);
      expect(description).toHaveLength(DESCRIPTION_LIMIT);
    });

    it("ends a cut message with an ellipsis", () => {
      const { description } = describeOutcome({ kind: "crashed", message: huge("boom") });
      expect(description).toHaveLength(DESCRIPTION_LIMIT);
      expect(description.startsWith("heaven failed unexpectedly: boom0 boom1")).toBe(true);
      expect(description.endsWith("…")).toBe(true);
    });

    it("does not cut a character in half when it shortens a line", () => {
      const lastLine = `${"a".repeat(20)}${"🚀".repeat(100)}`;
      const { description } = describeOutcome({ kind: "failed", what: "script/deploy", exitCode: 1, lastLine });
      expect(description.length).toBeLessThanOrEqual(DESCRIPTION_LIMIT);
      // A rocket is two UTF-16 code units; cutting between them leaves a lone
      // surrogate, half a character that is not valid text.
      expect(description).not.toMatch(/\p{Surrogate}/u);
      expect(description.endsWith('🚀…"')).toBe(true);
    });
  });
});

describe("truncate", () => {
  it("leaves short text alone apart from collapsing whitespace", () => {
    expect(truncate("  deploy\n failed  ")).toBe("deploy failed");
  });

  it("cuts to the limit it is given, counting the ellipsis", () => {
    expect(truncate("abcdefghij", 5)).toBe("abcd…");
    expect(truncate("abcde", 5)).toBe("abcde");
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0 s"],
    [499, "0 s"],
    [500, "1 s"],
    [42_000, "42 s"],
    [59_499, "59 s"],
    [59_500, "1 min 0 s"],
    [60_000, "1 min 0 s"],
    [61_000, "1 min 1 s"],
    [90_000, "1 min 30 s"],
    [3_599_000, "59 min 59 s"],
    [3_600_000, "1 h"],
    [3_900_000, "1 h 5 min"],
    [86_400_000, "24 h"],
  ])("formats %d ms as %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
