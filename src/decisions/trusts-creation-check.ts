/**
 * Does GitHub's own CI check at creation stand for this deployment? Pure.
 * A client creating a deployment through the API gets it checked against
 * the required contexts (409 on red CI) unless it sends
 * `required_contexts: []` — which is how hubot-deploy's `deploy!` forces,
 * leaving no trace in the webhook. Heaven never re-checked such
 * deployments; heaven's own (pull-request commands, auto-deploy) it gates.
 */
import type { DeploymentConfig } from "../core/config.js";
import { isObject } from "../core/json.js";
import type { DeploymentRequest } from "../core/request.js";

/** A chat client's deployment: hubot-deploy always says whom to notify. */
export function isChatDeployment(request: DeploymentRequest): boolean {
  const record = request.record;
  return record !== undefined && record.creator.type !== "Bot" && isObject(record.payload.notify);
}

export function trustsCreationCheck(request: DeploymentRequest, gate: DeploymentConfig["ciGate"]): boolean {
  const record = request.record;
  if (record === undefined || record.creator.type === "Bot" || gate === "heaven") return false;
  return gate === "creation" || isChatDeployment(request);
}
