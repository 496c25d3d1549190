/**
 * heaven's own settings, read once at start-up from the environment after
 * `.env` is applied. Probot reads its variables (APP_ID, PRIVATE_KEY,
 * WEBHOOK_SECRET, GHE_HOST, …) itself, from the same environment. The parts
 * live in src/settings/: the variables' schema, what providers get, the
 * dashboard's sign-in, scale-out mode, `.env`.
 */
import { resolve } from "node:path";
import type { RunAs } from "./engine/run-as.js";
import { notifySecrets, readNotifyTargets, type NotifyTargets } from "./notify/notify-targets.js";
import { readDashboard, type DashboardSettings } from "./settings/dashboard-settings.js";
import { names, readBaseEnv, readKnownHosts, readOfferedSecrets, readPrivateKey, readRunAs } from "./settings/provider-settings.js";
import { checkRole, databaseSecrets, type HeavenRole } from "./settings/scale-out-settings.js";
import { settingsSchema } from "./settings/settings-schema.js";
import { SettingsError } from "./settings/settings-error.js";

export { applyDotEnv } from "./settings/apply-dot-env.js";
export { SETTINGS_VARIABLES } from "./settings/settings-schema.js";
export { SettingsError };
export type { HeavenRole };

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
  dashboard: DashboardSettings | undefined;
  /** DATABASE_URL: the PostgreSQL queue shared by every heaven process (scale-out mode); undefined: the embedded queue. */
  databaseUrl: string | undefined;
  /** HEAVEN_ROLE: all (webhooks, pages and deployments), server (webhooks and pages; enqueues only) or worker (runs deployments). */
  role: HeavenRole;
}

export function loadSettings(env: NodeJS.ProcessEnv): Settings {
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) {
    throw new SettingsError(parsed.error.issues.map((issue) => issue.message).join("\n"));
  }
  const values = parsed.data;
  const passed = names(values.HEAVEN_PASS_ENV);
  const offeredSecrets = readOfferedSecrets(values.HEAVEN_SECRETS);
  const notify = readNotifyTargets(env);
  if (notify.problems.length > 0) throw new SettingsError(notify.problems.join("\n"));
  const baseEnv = readBaseEnv(env, passed);
  checkRole(values.HEAVEN_ROLE, values.DATABASE_URL);
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
