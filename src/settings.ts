/**
 * heaven's own settings, read once at start-up from the environment after
 * `.env` is applied. Probot reads its variables (APP_ID, PRIVATE_KEY,
 * WEBHOOK_SECRET, GHE_HOST, …) itself, from the same environment.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseEnv } from "node:util";
import { z } from "zod";
import { parseDuration } from "./decisions/parse-duration.js";
import { SLACK_PREFIX, WEBHOOK_PREFIX } from "./decisions/choose-notify-target.js";
import { parseByteSize } from "./engine/log-cap.js";
import { findUser, type RunAs } from "./engine/run-as.js";
import { notifySecrets, readNotifyTargets, type NotifyTargets } from "./notify/notify-targets.js";

/** Variables every provider process gets from heaven's environment. */
const PASSED_BY_DEFAULT = ["PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "SSH_AUTH_SOCK"];

const integer = (name: string, fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === "") return fallback;
      const number = Number(value);
      if (!/^\s*\d+\s*$/.test(value) || number < min || number > max) {
        ctx.addIssue({ code: "custom", message: `${name} must be a whole number from ${min} to ${max}, got "${value}"` });
        return z.NEVER;
      }
      return number;
    });

const schema = z.object({
  PORT: integer("PORT", 3000, 0, 65535),
  HEAVEN_URL: z.url({ protocol: /^https?$/, message: "HEAVEN_URL must be an absolute http(s) URL" }).optional(),
  HEAVEN_DATA_DIR: z.string().optional(),
  HEAVEN_APPS: z.string().optional(),
  HEAVEN_CONCURRENCY: integer("HEAVEN_CONCURRENCY", 2, 1, 64),
  DEPLOYMENT_TIMEOUT: integer("DEPLOYMENT_TIMEOUT", 300, 1, 86_400),
  HEAVEN_LOG_SECRET: z.string().min(16, { message: "HEAVEN_LOG_SECRET must be at least 16 characters" }).optional(),
  HEAVEN_LOG_LINK_TTL: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === "") return undefined;
      const read = parseDuration(value.trim());
      if (read.kind === "duration") return read.seconds;
      ctx.addIssue({ code: "custom", message: `HEAVEN_LOG_LINK_TTL must be a duration such as 30d or 12h, got "${value}"${read.kind === "invalid" ? `: ${read.problem}` : ""}` });
      return z.NEVER;
    }),
  HEAVEN_LOG_MAX_BYTES: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const bytes = value === undefined || value.trim() === "" ? 50_000_000 : parseByteSize(value);
      if (bytes !== undefined && (bytes === 0 || bytes >= 1024)) return bytes;
      ctx.addIssue({ code: "custom", message: `HEAVEN_LOG_MAX_BYTES must be a size of at least 1KiB such as 50MB or 512KiB, or off, got "${value}"` });
      return z.NEVER;
    }),
  HEAVEN_LOG_RETENTION_DAYS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const text = value?.trim() ?? "";
      if (text === "") return 30;
      if (text === "off") return 0;
      if (/^\d+$/.test(text) && Number(text) <= 36_500) return Number(text);
      ctx.addIssue({ code: "custom", message: `HEAVEN_LOG_RETENTION_DAYS must be a whole number of days from 0 to 36500, or off (0 and off keep logs for ever), got "${value}"` });
      return z.NEVER;
    }),
  HEAVEN_PASS_ENV: z.string().optional(),
  HEAVEN_SHUTDOWN_GRACE: integer("HEAVEN_SHUTDOWN_GRACE", 600, 0, 86_400),
  HEAVEN_INGRESS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const ingress = value === undefined || value.trim() === "" ? "webhook" : value.trim();
      if (ingress === "webhook" || ingress === "poll") return ingress;
      ctx.addIssue({ code: "custom", message: `HEAVEN_INGRESS must be webhook or poll, got "${value}"` });
      return z.NEVER;
    }),
  HEAVEN_POLL_SECONDS: integer("HEAVEN_POLL_SECONDS", 5, 1, 3_600),
  WEBHOOK_SECRET: z.string().optional(),
  DEPLOYMENT_PRIVATE_KEY: z.string().optional(),
  HEAVEN_KNOWN_HOSTS: z.string().optional(),
  HEAVEN_SECRETS: z.string().optional(),
  HEAVEN_RUN_AS: z.string().optional(),
  // The App's OAuth credentials (Probot's registration writes them): the dashboard's "Sign in with GitHub".
  GITHUB_CLIENT_ID: z.string().optional(),
  GITHUB_CLIENT_SECRET: z.string().optional(),
  APP_ID: z.string().optional(),
  HEAVEN_METRICS_TOKEN: z.preprocess(
    (value) => (typeof value === "string" && value.trim() === "" ? undefined : value),
    z.string().min(16, { message: "HEAVEN_METRICS_TOKEN must be at least 16 characters (or unset, for an open /metrics)" }).optional(),
  ),
  // Scale-out mode (README): the shared PostgreSQL queue, and which part of heaven this process is.
  DATABASE_URL: z.preprocess(
    (value) => (typeof value === "string" && value.trim() === "" ? undefined : value),
    z.url({ protocol: /^postgres(ql)?$/, message: "DATABASE_URL must be a postgres:// URL such as postgres://heaven:password@db.internal:5432/heaven" }).optional(),
  ),
  HEAVEN_ROLE: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const role = value === undefined || value.trim() === "" ? "all" : value.trim();
      if (role === "all" || role === "server" || role === "worker") return role;
      ctx.addIssue({ code: "custom", message: `HEAVEN_ROLE must be all, server or worker, got "${value}"` });
      return z.NEVER;
    }),
});

/** Every variable the schema reads (`.env.example` documents each: test/unit/env-example.test.ts). */
export const SETTINGS_VARIABLES: readonly string[] = Object.keys(schema.shape);

/** heaven's own credentials: no repository may ask for them by name. */
const NEVER_OFFERED = ["PRIVATE_KEY", "PRIVATE_KEY_PATH", "WEBHOOK_SECRET", "HEAVEN_LOG_SECRET", "GITHUB_CLIENT_SECRET", "DEPLOYMENT_PRIVATE_KEY", "DATABASE_URL", "HEAVEN_METRICS_TOKEN"];

export interface Settings {
  port: number;
  baseUrl: string;
  dataDir: string;
  /** HEAVEN_APPS: the command line's apps file; undefined: ./apps.yml (or ./apps.json) if there is one. */
  appsFile: string | undefined;
  concurrency: number;
  defaultTimeoutSeconds: number;
  /** Seconds running deployments get to finish when heaven is asked to stop. */
  shutdownGraceSeconds: number;
  /** How GitHub's events reach heaven: its webhook, or heaven polling the App's delivery log (no inbound traffic). */
  ingress: "webhook" | "poll";
  pollSeconds: number;
  /** undefined: heaven keeps a generated one in the data directory. */
  logSecret: string | undefined;
  /** HEAVEN_LOG_LINK_TTL in seconds: how long a log link opens; undefined: for ever. */
  logLinkTtlSeconds: number | undefined;
  /** HEAVEN_LOG_MAX_BYTES: a deployment log's size cap; 0: none. */
  logMaxBytes: number;
  /** HEAVEN_LOG_RETENTION_DAYS: logs and left-over checkouts older than this are swept; 0: kept for ever. */
  logRetentionDays: number;
  /** The environment provider processes and git start from. */
  baseEnv: Record<string, string>;
  /** Values no log may show. */
  secrets: string[];
  /** DEPLOYMENT_PRIVATE_KEY and HEAVEN_KNOWN_HOSTS, as content. */
  ssh: { privateKey: string | undefined; knownHosts: string | undefined };
  /** Variables a repository's `secrets` may name (HEAVEN_SECRETS). */
  offeredSecrets: string[];
  /** heaven's environment, where provider credentials and offered secrets are read. */
  hostEnv: Record<string, string>;
  /** HEAVEN_RUN_AS: the system user providers run as; undefined: heaven's own user. */
  runAs: RunAs | undefined;
  /** Slack and signed webhooks repositories may name in `notify`; undefined: none is set. */
  notify: NotifyTargets | undefined;
  /** HEAVEN_METRICS_TOKEN: the bearer token /metrics asks for; undefined: /metrics is open. */
  metricsToken: string | undefined;
  /** GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET (and APP_ID, whose installations a person is shown); undefined: dashboard sign-in is off. */
  dashboard: { clientId: string; clientSecret: string; appId: number | undefined } | undefined;
  /** DATABASE_URL: the PostgreSQL queue shared by every heaven process (scale-out mode); undefined: the embedded queue. */
  databaseUrl: string | undefined;
  /** HEAVEN_ROLE: all (webhooks, pages and deployments), server (webhooks and pages; enqueues only) or worker (runs deployments). */
  role: HeavenRole;
}

export type HeavenRole = "all" | "server" | "worker";

export class SettingsError extends Error {}

export function loadSettings(env: NodeJS.ProcessEnv): Settings {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new SettingsError(parsed.error.issues.map((issue) => issue.message).join("\n"));
  }
  const values = parsed.data;
  const passed = names(values.HEAVEN_PASS_ENV);
  const offeredSecrets = names(values.HEAVEN_SECRETS);
  const forbidden = offeredSecrets.filter((name) => NEVER_OFFERED.includes(name) || name.startsWith(SLACK_PREFIX) || name.startsWith(WEBHOOK_PREFIX));
  if (forbidden.length > 0) throw new SettingsError(`HEAVEN_SECRETS may not offer heaven's own credentials: ${forbidden.join(", ")}`);
  const notify = readNotifyTargets(env);
  if (notify.problems.length > 0) throw new SettingsError(notify.problems.join("\n"));
  const baseEnv: Record<string, string> = {};
  for (const name of [...PASSED_BY_DEFAULT, ...passed]) {
    const value = env[name];
    if (value !== undefined) baseEnv[name] = value;
  }
  if (values.HEAVEN_ROLE !== "all" && values.DATABASE_URL === undefined) {
    throw new SettingsError(
      `HEAVEN_ROLE=${values.HEAVEN_ROLE} shares its queue with the other heaven processes through PostgreSQL: set DATABASE_URL (postgres://user:password@host:5432/heaven), or unset HEAVEN_ROLE for one process that does everything`,
    );
  }
  const secrets = [values.WEBHOOK_SECRET, values.HEAVEN_LOG_SECRET, values.HEAVEN_METRICS_TOKEN, values.GITHUB_CLIENT_SECRET, ...databaseSecrets(values.DATABASE_URL), ...notifySecrets(notify.targets), ...passed.map((name) => env[name])].filter(
    (value): value is string => value !== undefined && value !== "",
  );
  return {
    port: values.PORT,
    baseUrl: (values.HEAVEN_URL ?? `http://localhost:${values.PORT}`).replace(/\/+$/, ""),
    dataDir: resolve(values.HEAVEN_DATA_DIR ?? ".heaven"),
    appsFile: values.HEAVEN_APPS === undefined || values.HEAVEN_APPS === "" ? undefined : resolve(values.HEAVEN_APPS),
    concurrency: values.HEAVEN_CONCURRENCY,
    defaultTimeoutSeconds: values.DEPLOYMENT_TIMEOUT,
    shutdownGraceSeconds: values.HEAVEN_SHUTDOWN_GRACE,
    ingress: values.HEAVEN_INGRESS,
    pollSeconds: values.HEAVEN_POLL_SECONDS,
    logSecret: values.HEAVEN_LOG_SECRET,
    logLinkTtlSeconds: values.HEAVEN_LOG_LINK_TTL,
    logMaxBytes: values.HEAVEN_LOG_MAX_BYTES,
    logRetentionDays: values.HEAVEN_LOG_RETENTION_DAYS,
    baseEnv,
    secrets,
    ssh: { privateKey: readPrivateKey(values.DEPLOYMENT_PRIVATE_KEY), knownHosts: readKnownHosts(values.HEAVEN_KNOWN_HOSTS) },
    offeredSecrets,
    runAs: readRunAs(values.HEAVEN_RUN_AS),
    notify: notify.targets,
    metricsToken: values.HEAVEN_METRICS_TOKEN,
    dashboard: readDashboard(values.GITHUB_CLIENT_ID, values.GITHUB_CLIENT_SECRET, values.APP_ID),
    databaseUrl: values.DATABASE_URL,
    role: values.HEAVEN_ROLE,
    hostEnv: Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined)),
  };
}

/** The URL and its password (as written and decoded): no log shows either. */
function databaseSecrets(url: string | undefined): string[] {
  if (url === undefined) return [];
  const password = new URL(url).password;
  if (password === "") return [url];
  let decoded = password;
  try {
    decoded = decodeURIComponent(password);
  } catch {
    // A stray "%" is taken as it is written.
  }
  return [url, password, decoded];
}

function readDashboard(clientId: string | undefined, clientSecret: string | undefined, appId: string | undefined): Settings["dashboard"] {
  const id = clientId?.trim() ?? "";
  const secret = clientSecret?.trim() ?? "";
  if (id === "" || secret === "") return undefined;
  return { clientId: id, clientSecret: secret, appId: /^\s*\d+\s*$/.test(appId ?? "") ? Number(appId) : undefined };
}

function readRunAs(name: string | undefined): RunAs | undefined {
  if (name === undefined || name.trim() === "") return undefined;
  const user = findUser(name.trim());
  if (user === undefined) throw new SettingsError(`HEAVEN_RUN_AS names "${name}", which is not a user of this machine; create it (useradd --system --create-home ${name.trim()})`);
  const self = process.getuid?.();
  if (self !== 0 && self !== user.uid) throw new SettingsError(`HEAVEN_RUN_AS=${name} needs heaven to run as root, which alone may start processes as another user`);
  return user;
}

function names(list: string | undefined): string[] {
  return (list ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
}

/** Heaven's form: the key on one line with `\n` escapes, or a path to the key file. */
function readPrivateKey(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  if (value.includes("PRIVATE KEY")) return value.replaceAll("\\n", "\n");
  try {
    return readFileSync(value, "utf8");
  } catch (error) {
    throw new SettingsError(`DEPLOYMENT_PRIVATE_KEY is neither a private key nor a readable file: ${(error as Error).message}`);
  }
}

/** A known_hosts file's path, or its lines (with `\n` escapes on one line). */
function readKnownHosts(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  if (/\s/.test(value.trim())) return value.replaceAll("\\n", "\n");
  try {
    return readFileSync(value, "utf8");
  } catch (error) {
    throw new SettingsError(`HEAVEN_KNOWN_HOSTS is neither known_hosts lines nor a readable file: ${(error as Error).message}`);
  }
}

/**
 * Applies `dir/.env` to `env` the way Probot does when it starts (its values
 * win over the environment's), so heaven's settings are read from the same
 * place as Probot's. Returns the names it set; no file is no change.
 */
export function applyDotEnv(env: NodeJS.ProcessEnv, dir = process.cwd()): string[] {
  let text: string;
  try {
    text = readFileSync(join(dir, ".env"), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new SettingsError(`could not read ${join(dir, ".env")}: ${(error as Error).message}`);
  }
  const values = parseEnv(text);
  Object.assign(env, values);
  return Object.keys(values);
}
