/**
 * heaven's notification webhooks, read from its own environment: the only
 * place a notification URL can come from. Problems name the variable, never
 * its value (a webhook URL is a credential).
 */
import { SLACK_PREFIX, WEBHOOK_PREFIX } from "../decisions/choose-notify-target.js";

export interface NotifyTargets {
  /** Slack incoming-webhook URLs by variable name (HEAVEN_SLACK_WEBHOOK_URL, HEAVEN_SLACK_WEBHOOK_<NAME>). */
  slack: Record<string, string>;
  /** Signed JSON webhooks by the name of their URL variable (HEAVEN_NOTIFY_WEBHOOK_URL, HEAVEN_NOTIFY_WEBHOOK_<NAME>_URL). */
  webhooks: Record<string, { url: string; secret: string }>;
}

/** Shorter secrets are guessable; the same floor as HEAVEN_LOG_SECRET. */
const MIN_SECRET = 16;

const isHttpUrl = (value: string): boolean => {
  try {
    const { protocol } = new URL(value);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
};

/** undefined targets: none is set. */
export function readNotifyTargets(env: Readonly<Record<string, string | undefined>>): { targets: NotifyTargets | undefined; problems: string[] } {
  const targets: NotifyTargets = { slack: {}, webhooks: {} };
  const problems: string[] = [];
  const set = Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1].trim() !== "");
  for (const [name, value] of set) {
    if (!name.startsWith(SLACK_PREFIX)) continue;
    if (isHttpUrl(value.trim())) targets.slack[name] = value.trim();
    else problems.push(`${name} must be a Slack incoming-webhook URL (https://hooks.slack.com/services/…)`);
  }
  const values = new Map(set);
  for (const [name, value] of set) {
    if (!name.startsWith(WEBHOOK_PREFIX)) continue;
    if (name.endsWith("_SECRET")) {
      const url = `${name.slice(0, -"SECRET".length)}URL`;
      if (!values.has(url)) problems.push(`${name} is set but ${url} is not: set the webhook's URL, or remove its secret`);
      else if (value.length < MIN_SECRET) problems.push(`${name} must be at least ${MIN_SECRET} characters`);
      continue;
    }
    if (!name.endsWith("_URL")) {
      problems.push(`${name} is not a notification setting: webhooks are ${WEBHOOK_PREFIX}URL and ${WEBHOOK_PREFIX}<NAME>_URL, each with its _SECRET`);
      continue;
    }
    const secretName = `${name.slice(0, -"URL".length)}SECRET`;
    const secret = values.get(secretName);
    if (!isHttpUrl(value.trim())) problems.push(`${name} must be an absolute http(s) URL`);
    else if (secret === undefined) problems.push(`${name} needs ${secretName}: heaven signs every notification it sends`);
    else if (secret.length >= MIN_SECRET) targets.webhooks[name] = { url: value.trim(), secret };
  }
  const none = Object.keys(targets.slack).length === 0 && Object.keys(targets.webhooks).length === 0;
  return { targets: none ? undefined : targets, problems };
}

/** The values no log may show. */
export function notifySecrets(targets: NotifyTargets | undefined): string[] {
  if (targets === undefined) return [];
  return [...Object.values(targets.slack), ...Object.values(targets.webhooks).flatMap((target) => [target.url, target.secret])];
}
