/**
 * Step: is the sha green? Pending CI parks the deployment (it holds no
 * worker while it waits), red CI refuses it naming the checks.
 */
import { HEAVEN_CONTEXT_PREFIX } from "../../core/ci.js";
import type { DeploymentConfig } from "../../core/config.js";
import type { LogSink } from "../../core/log.js";
import type { DeploymentOutcome } from "../../core/outcome.js";
import type { DeploymentRequest } from "../../core/request.js";
import type { DeploymentSources } from "../../core/sources.js";
import { evaluateCi } from "../../decisions/ci-gate.js";
import { isChatDeployment, trustsCreationCheck } from "../../decisions/trusts-creation-check.js";

export type CiStep =
  | { kind: "green" }
  | { kind: "wait"; waiting: string[]; deadline: number }
  | { kind: "outcome"; outcome: DeploymentOutcome };

export async function checkCi(
  request: DeploymentRequest,
  config: DeploymentConfig,
  sources: DeploymentSources,
  log: LogSink,
  parking: { canPark: boolean; deadline: number | undefined; now: number },
): Promise<CiStep> {
  if (request.force) return skipped(log, "the deployment is forced");
  if (trustsCreationCheck(request, config.ciGate)) {
    return skipped(log, `GitHub checked the required contexts when ${request.record?.creator.login ?? "its client"} created this deployment (ci_gate: ${config.ciGate})`);
  }
  if (config.requiredContexts?.length === 0) return skipped(log, "required_contexts is []");
  if (sources.ciState === undefined) return skipped(log, "no GitHub to ask");
  const state = await sources.ciState(request.sha);
  const verdict = evaluateCi({ required: config.requiredContexts ?? request.requiredContexts, ...state, ignorePrefix: HEAVEN_CONTEXT_PREFIX });
  if (verdict.kind === "green") {
    log.note(verdict.contexts.length > 0 ? `CI green: ${verdict.contexts.join(", ")}` : "CI: no contexts reported on this commit");
    return { kind: "green" };
  }
  if (verdict.kind === "red" || !parking.canPark) {
    return { kind: "outcome", outcome: { kind: "ci-blocked", sha: request.sha, verdict, ...(isChatDeployment(request) ? { chat: true } : {}) } };
  }
  const waiting = [...verdict.pending, ...verdict.missing];
  const deadline = parking.deadline ?? parking.now + config.ciTimeoutSeconds * 1000;
  if (parking.now >= deadline) {
    return { kind: "outcome", outcome: { kind: "ci-timed-out", sha: request.sha, waiting, minutes: Math.round(config.ciTimeoutSeconds / 60) } };
  }
  return { kind: "wait", waiting, deadline };
}

function skipped(log: LogSink, why: string): CiStep {
  log.note(`CI not checked: ${why}`);
  return { kind: "green" };
}

/** The CI contexts reported on `sha` (not heaven's own): what a merge commit of it must pass too. */
export async function contextsReportedOn(sha: string, config: DeploymentConfig, sources: DeploymentSources): Promise<string[] | undefined> {
  if (config.requiredContexts !== undefined || sources.ciState === undefined) return undefined;
  const { statuses, checkRuns } = await sources.ciState(sha);
  const names = [...statuses.map((s) => s.context), ...checkRuns.map((r) => r.name)];
  return [...new Set(names)].filter((name) => !name.startsWith(HEAVEN_CONTEXT_PREFIX)).sort();
}
