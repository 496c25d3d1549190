/**
 * Right after a deploy task's configuration is read: its notification
 * settings go to the sinks (the `configured` event), and a webhook they name
 * that heaven's environment lacks is said in the deployment's log — a
 * warning: the deployment goes on.
 */
import type { DeploymentConfig } from "../core/config.js";
import type { DeploymentEvent } from "../core/events.js";
import type { DeploymentJob } from "../core/job.js";
import { missingWebhooks, roomOf } from "../decisions/choose-notify-target.js";
import { isDeployTask } from "../decisions/is-deploy-task.js";
import { readNotifyTargets } from "./notify-targets.js";

export function announceNotify(
  run: { job: DeploymentJob; publish: (event: DeploymentEvent) => void },
  config: DeploymentConfig,
  log: { note(text: string): void },
  /** heaven's environment, as its settings read it at start-up. */
  hostEnv: Readonly<Record<string, string>> | undefined,
): void {
  if (config.notify === undefined || !isDeployTask(run.job.request.task)) return;
  const targets = readNotifyTargets(hostEnv ?? {}).targets;
  const available = { slack: Object.keys(targets?.slack ?? {}), webhooks: Object.keys(targets?.webhooks ?? {}) };
  for (const warning of missingWebhooks(config.notify, roomOf(run.job), available)) log.note(`notify: ${warning}`);
  run.publish({ type: "configured", notify: config.notify });
}
