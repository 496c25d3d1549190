/**
 * What a finished deployment tells people: the deployment status state and a
 * one-line description (GitHub keeps 140 characters of it). Pure.
 *
 * `failure` means the provider ran and said no (or CI said no); `error` means
 * heaven could not run it at all, so the fix is in configuration or on the box.
 */
import type { CiVerdict } from "../core/ci.js";
import type { DeploymentOutcome, FinalStatus } from "../core/outcome.js";
import { describeLock } from "./lock-state.js";
import { DESCRIPTION_LIMIT, formatDuration, formatTime, listNames, truncate } from "./text.js";


/** `script/deploy exited 3: "migration failed"`, quoting as much of the line as fits. */
function withLastLine(head: string, lastLine: string | undefined): string {
  if (lastLine === undefined || lastLine.trim() === "") return truncate(head);
  const room = DESCRIPTION_LIMIT - head.length - 4; // `: "` + `"`
  if (room < 8) return truncate(head);
  const quoted = truncate(lastLine, room);
  return `${head}: "${quoted}"`;
}

export function describeOutcome(outcome: DeploymentOutcome): FinalStatus {
  switch (outcome.kind) {
    case "succeeded":
      return {
        state: "success",
        description: truncate(`${outcome.what} succeeded in ${formatDuration(outcome.durationMs)}${outcome.release === undefined ? "" : ` (release ${outcome.release.id})`}`),
      };
    case "failed":
      return { state: "failure", description: withLastLine(`${outcome.what} exited ${outcome.exitCode}`, outcome.lastLine) };
    case "killed":
      return { state: "failure", description: withLastLine(`${outcome.what} was killed by ${outcome.signal}`, outcome.lastLine) };
    case "provider-error":
      return { state: "failure", description: truncate(`${outcome.what} failed: ${outcome.message}`) };
    case "timed-out":
      return {
        state: "error",
        description: truncate(
          outcome.api === true
            ? `${outcome.what} timed out after ${outcome.timeoutSeconds} s; heaven stopped waiting (it may still finish there)`
            : `timed out after ${outcome.timeoutSeconds} s; process group killed`,
        ),
      };
    case "not-runnable":
      return { state: "error", description: truncate(notRunnable(outcome.what, outcome.reason)) };
    case "tool-missing":
      return { state: "error", description: truncate(`${outcome.what}: ${outcome.tool} is not installed on the heaven host; install it (${outcome.install})`) };
    case "ci-blocked":
      return { state: "failure", description: truncate(ciBlocked(outcome.sha, outcome.verdict, outcome.chat === true)) };
    case "config-invalid":
      return { state: "error", description: truncate(outcome.message) };
    case "bad-request":
      return { state: "error", description: truncate(outcome.message) };
    case "checkout-failed":
      return { state: "error", description: truncate(outcome.message) };
    case "aborted":
      return { state: "error", description: truncate(`stopped by ${outcome.reason} before it finished; deploy again`) };
    case "interrupted":
      if (outcome.workerStopped === true) {
        const stopped = outcome.processStopped ? "; its script was stopped" : "";
        return { state: "error", description: `the worker running this deployment stopped${stopped} — deploy again` };
      }
      return {
        state: "error",
        description: outcome.processStopped
          ? "heaven restarted while this deployment ran; its script was stopped — deploy again"
          : "heaven restarted while this deployment ran; deploy again",
      };
    case "crashed":
      return { state: "error", description: truncate(`heaven failed unexpectedly: ${outcome.message}; see the log`) };
    case "locked":
      return { state: "success", description: truncate(describeLock(outcome.lock)) };
    case "unlocked": {
      const notes = [
        outcome.reason,
        outcome.previous === undefined ? "it was not locked" : outcome.previous.owner === outcome.by ? undefined : `was locked by @${outcome.previous.owner}`,
      ].filter((note): note is string => note !== undefined && note !== "");
      return { state: "success", description: truncate(`unlocked by @${outcome.by}${notes.length > 0 ? ` (${notes.join("; ")})` : ""}`) };
    }
    case "lock-refused": {
      const { holder } = outcome;
      return { state: "error", description: truncate(`already locked by @${holder.owner} since ${formatTime(holder.since)}: ${holder.reason}`) };
    }
    case "environment-locked":
      return {
        state: "error",
        description: truncate(
          `${outcome.environment} is ${describeLock(outcome.holder)}; ask them to unlock it (task deploy:unlock), or deploy with force`,
        ),
      };
    case "locks-unavailable":
      return { state: "error", description: "locks live in GitHub's deployment records; lock and unlock through GitHub, not the command line" };
    case "superseded":
      return { state: "inactive", description: truncate(`superseded by deployment ${outcome.by.id} (${outcome.by.sha.slice(0, 7)}), a newer green head`) };
    case "rollback-created":
      return {
        state: "success",
        description: truncate(`rolling back ${outcome.environment} to ${outcome.sha.slice(0, 7)} (deployment ${outcome.from}) as deployment ${outcome.id}`),
      };
    case "rollback-impossible":
      return { state: "error", description: truncate(`cannot roll back: ${outcome.reason}`) };
    case "merge-conflict":
      return {
        state: "failure",
        description: truncate(
          `merging ${outcome.defaultBranch} into ${outcome.branch} conflicts; merge it yourself, push, and deploy again`,
        ),
      };
    case "merged":
      return {
        state: "inactive",
        description: truncate(
          `merged ${outcome.defaultBranch} into ${outcome.branch} as ${outcome.sha.slice(0, 7)}; that commit deploys as deployment ${outcome.id}`,
        ),
      };
    case "ci-timed-out":
      return {
        state: "error",
        description: truncate(
          `gave up after ${outcome.minutes} min waiting for CI on ${outcome.sha.slice(0, 7)}: ${listNames(outcome.waiting)}; deploy again when green`,
        ),
      };
  }
}

function notRunnable(what: string, reason: Extract<DeploymentOutcome, { kind: "not-runnable" }>["reason"]): string {
  switch (reason) {
    case "missing":
      return `${what} does not exist at this commit; add it or set script in .github/heaven.yml`;
    case "not-executable":
      return `${what} is not executable; run chmod +x ${what} and commit`;
    case "bad-interpreter":
      return `${what} names an interpreter in its #! line that is not installed on the heaven host`;
    case "outside-checkout":
      return `${what} is a symlink to a file outside the repository; heaven runs only files of the checkout`;
  }
}

function ciBlocked(sha: string, verdict: Exclude<CiVerdict, { kind: "green" }>, chat: boolean): string {
  const short = sha.slice(0, 7);
  // hubot's deploy! sends nothing heaven can see: only the configuration lets it through.
  const force = chat ? "or set ci_gate: creation so chat's deploy! passes" : "or deploy with force";
  if (verdict.kind === "red") {
    return `CI failed on ${short}: ${listNames(verdict.failed)}; fix it, ${force}`;
  }
  const waiting = [...verdict.pending, ...verdict.missing.map((name) => `${name} (not reported)`)];
  return `CI not finished on ${short}: ${listNames(waiting)}; deploy again when green, or with force`;
}

