/**
 * What provider processes get from heaven's environment: the variables
 * passed on, the secrets a repository may name, the user they run as, and
 * the ssh key and known hosts.
 */
import { readFileSync } from "node:fs";
import { SLACK_PREFIX, WEBHOOK_PREFIX } from "../decisions/choose-notify-target.js";
import { findUser, type RunAs } from "../engine/run-as.js";
import { SettingsError } from "./settings-error.js";

/** Variables every provider process gets from heaven's environment. */
const PASSED_BY_DEFAULT = ["PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "SSH_AUTH_SOCK"];

/** heaven's own credentials: no repository may ask for them by name. */
const NEVER_OFFERED = ["PRIVATE_KEY", "PRIVATE_KEY_PATH", "WEBHOOK_SECRET", "HEAVEN_LOG_SECRET", "GITHUB_CLIENT_SECRET", "DEPLOYMENT_PRIVATE_KEY", "DATABASE_URL", "HEAVEN_METRICS_TOKEN"];

/** A comma-separated list of variable names (HEAVEN_PASS_ENV, HEAVEN_SECRETS). */
export function names(list: string | undefined): string[] {
  return (list ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
}

/** The environment provider processes and git start from: the defaults and HEAVEN_PASS_ENV's, those that are set. */
export function readBaseEnv(env: NodeJS.ProcessEnv, passed: readonly string[]): Record<string, string> {
  const baseEnv: Record<string, string> = {};
  for (const name of [...PASSED_BY_DEFAULT, ...passed]) {
    const value = env[name];
    if (value !== undefined) baseEnv[name] = value;
  }
  return baseEnv;
}

/** HEAVEN_SECRETS: the variables a repository's `secrets` may name, never heaven's own credentials or notification targets. */
export function readOfferedSecrets(list: string | undefined): string[] {
  const offered = names(list);
  const forbidden = offered.filter((name) => NEVER_OFFERED.includes(name) || name.startsWith(SLACK_PREFIX) || name.startsWith(WEBHOOK_PREFIX));
  if (forbidden.length > 0) throw new SettingsError(`HEAVEN_SECRETS may not offer heaven's own credentials: ${forbidden.join(", ")}`);
  return offered;
}

export function readRunAs(name: string | undefined): RunAs | undefined {
  if (name === undefined || name.trim() === "") return undefined;
  const user = findUser(name.trim());
  if (user === undefined) throw new SettingsError(`HEAVEN_RUN_AS names "${name}", which is not a user of this machine; create it (useradd --system --create-home ${name.trim()})`);
  const self = process.getuid?.();
  if (self !== 0 && self !== user.uid) throw new SettingsError(`HEAVEN_RUN_AS=${name} needs heaven to run as root, which alone may start processes as another user`);
  return user;
}

/** Heaven's form: the key on one line with `\n` escapes, or a path to the key file. */
export function readPrivateKey(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  if (value.includes("PRIVATE KEY")) return value.replaceAll("\\n", "\n");
  try {
    return readFileSync(value, "utf8");
  } catch (error) {
    throw new SettingsError(`DEPLOYMENT_PRIVATE_KEY is neither a private key nor a readable file: ${(error as Error).message}`);
  }
}

/** A known_hosts file's path, or its lines (with `\n` escapes on one line). */
export function readKnownHosts(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  if (/\s/.test(value.trim())) return value.replaceAll("\\n", "\n");
  try {
    return readFileSync(value, "utf8");
  } catch (error) {
    throw new SettingsError(`HEAVEN_KNOWN_HOSTS is neither known_hosts lines nor a readable file: ${(error as Error).message}`);
  }
}
