/**
 * hubot-deploy's `payload.config`: the app's whole apps.json entry (its
 * repository, environments, rooms… and Heaven's provider keys). Pure. Only
 * the keys Heaven read from it are taken, renamed to heaven's; the chat-side
 * rest is ignored, so a deployment the real hubot-deploy creates runs.
 */
import { isObject } from "../core/json.js";

export type HubotConfigRead = { ok: true; settings: Record<string, unknown> } | { ok: false; error: string };

/** heaven's own keys a payload may fill (those reaching hosts or commands are file-only). */
const HEAVEN_KEYS = ["provider", "script", "timeout", "environment_url", "required_contexts", "auto_deploy", "lock_ttl", "ci_timeout", "merge_default_branch"];

export function readHubotConfig(config: unknown, environment: string, aws?: unknown): HubotConfigRead {
  if (config === undefined || config === null) return { ok: true, settings: regionOf(aws) };
  if (!isObject(config)) {
    return { ok: false, error: `payload.config: (top level): Invalid input: expected object, received ${Array.isArray(config) ? "array" : typeof config}` };
  }
  const settings: Record<string, unknown> = Object.fromEntries(Object.entries(config).filter(([key]) => HEAVEN_KEYS.includes(key)));
  const take = (key: string, value: unknown) => {
    if (value !== undefined && settings[key] === undefined) settings[key] = value;
  };
  take("script", config.deploy_script);
  take("environment_url", config[`${environment}_url`]);
  take("heroku_app", config[`heroku_${environment}_name`] ?? config.heroku_name);
  take("application", config.app_name);
  return { ok: true, settings: { ...regionOf(aws), ...settings } };
}

/** Heaven's Elastic Beanstalk provider took the region from `payload.aws.region`. */
function regionOf(aws: unknown): Record<string, unknown> {
  return isObject(aws) && typeof aws.region === "string" ? { region: aws.region } : {};
}
