/**
 * Which of heaven's webhooks a deployment's notification goes to, as the
 * names of the environment variables that hold them. Pure. A repository
 * names a webhook; only heaven's environment turns the name into a URL.
 */
import type { NotifyConfig } from "../core/config.js";
import type { DeploymentJob } from "../core/job.js";
import { isObject } from "../core/json.js";

/** `deploys` → `DEPLOYS`, `ops-eu` → `OPS_EU`. */
const variablePart = (name: string): string => name.toUpperCase().replaceAll("-", "_");

export const SLACK_PREFIX = "HEAVEN_SLACK_WEBHOOK_";
export const WEBHOOK_PREFIX = "HEAVEN_NOTIFY_WEBHOOK_";

/** HEAVEN_SLACK_WEBHOOK_URL for the default webhook, HEAVEN_SLACK_WEBHOOK_<NAME> for a named one. */
export function slackVariable(name: string | undefined): string {
  return `${SLACK_PREFIX}${name === undefined ? "URL" : variablePart(name)}`;
}

/** HEAVEN_NOTIFY_WEBHOOK_URL/_SECRET for the default webhook, HEAVEN_NOTIFY_WEBHOOK_<NAME>_URL/_SECRET for a named one. */
export function webhookVariables(name: string | undefined): { url: string; secret: string } {
  const stem = name === undefined ? WEBHOOK_PREFIX : `${WEBHOOK_PREFIX}${variablePart(name)}_`;
  return { url: `${stem}URL`, secret: `${stem}SECRET` };
}

/** hubot-deploy's chat room (`payload.notify.room`), when the deployment came from chat. */
export function roomOf(job: DeploymentJob): string | undefined {
  const notify = job.request.record?.payload.notify;
  const room = isObject(notify) ? notify.room : undefined;
  return typeof room === "string" && room.trim() !== "" ? room.trim() : undefined;
}

/** The room's webhook when `rooms` maps it (`#ops` and `ops` are one room), else the configured one. */
export function chooseSlackWebhook(slack: NonNullable<NotifyConfig["slack"]>, room: string | undefined): string {
  if (room !== undefined) {
    const bare = (value: string) => value.replace(/^#/, "").toLowerCase();
    const mapped = Object.entries(slack.rooms).find(([key]) => bare(key) === bare(room));
    if (mapped !== undefined) return slackVariable(mapped[1]);
  }
  return slackVariable(slack.webhook);
}

/** What heaven's environment offers: the variable names of its Slack webhooks and of its signed webhooks' URLs. */
export interface AvailableWebhooks {
  slack: readonly string[];
  webhooks: readonly string[];
}

/** The webhooks a deployment's settings name that heaven's environment lacks, in words: a warning, never a failure. */
export function missingWebhooks(notify: NotifyConfig, room: string | undefined, available: AvailableWebhooks): string[] {
  const missing: string[] = [];
  if (notify.slack !== undefined) {
    const variable = chooseSlackWebhook(notify.slack, room);
    if (!available.slack.includes(variable)) missing.push(`${variable} is not set in heaven's environment: no Slack message is sent for this deployment`);
  }
  if (notify.webhook !== undefined) {
    const variables = webhookVariables(notify.webhook.name);
    if (!available.webhooks.includes(variables.url)) {
      missing.push(`${variables.url} (with ${variables.secret}) is not set in heaven's environment: no webhook notification is sent for this deployment`);
    }
  }
  return missing;
}
