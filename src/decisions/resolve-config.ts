/**
 * `.github/heaven.yml` and hubot-deploy's `payload.config`, validated and
 * merged for one environment. Pure: parsed YAML in, settings or a message
 * that says which key is wrong and how to fix it out. heaven's own keys are
 * checked here; each provider's keys by the schema the provider declares.
 */
import { posix } from "node:path";
import { z } from "zod";
import { CONFIG_FILE, type DeploymentConfig } from "../core/config.js";
import { readHubotConfig } from "./read-hubot-config.js";
import { notifySchema, resolveNotify, type NotifyInput } from "./resolve-notify-config.js";
import { describeIssues, keysOf, pick, resolveOptions, type ProviderSchemas } from "./resolve-provider-options.js";

export type { ProviderSchemas } from "./resolve-provider-options.js";

export { CONFIG_FILE } from "../core/config.js";

const scriptPath = z
  .string()
  .min(1)
  .refine((value) => !posix.isAbsolute(value) && !value.split(/[\\/]/).includes(".."), {
    message: "must be a path inside the repository, like script/deploy",
  });

const variableName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: "must be an environment variable name, like API_URL" });

const heavenShape = {
  provider: z.string().min(1).optional(),
  script: scriptPath.optional(),
  timeout: z.number().int().positive().max(86_400).optional(),
  environment_url: z.url({ protocol: /^https?$/, message: "must be an http(s) URL, like https://app.example.com" }).optional(),
  required_contexts: z.array(z.string().min(1)).optional(),
  auto_deploy: z.boolean().optional(),
  lock_ttl: z.number().int().positive().optional(),
  ci_timeout: z.number().int().positive().max(86_400).optional(),
  merge_default_branch: z.boolean().optional(),
  env: z.record(variableName, z.string()).optional(),
  secrets: z.array(variableName).optional(),
  parallel: z.number().int().positive().max(64).optional(),
  ci_gate: z.enum(["heaven", "creation", "auto"]).optional(),
  deployers: z
    .union([
      z.enum(["write", "maintain", "admin"]),
      z.object({ role: z.enum(["write", "maintain", "admin"]).optional(), teams: z.array(z.string().regex(/^[\w.-]+\/[\w.-]+$/, { message: "must be org/team-slug" })).optional() }).strict(),
    ])
    .optional(),
  allow_forks: z.boolean().optional(),
  wait_for_unlock: z.number().int().positive().max(7 * 86_400).optional(),
  notify: notifySchema.optional(),
};

/** Punctuation only: a comment that starts with a word is conversation (or hubot's `deploy …`), and is not read further. */
const commandPrefix = z.string().regex(/^[^\p{L}\p{N}\s]{1,3}$/u, { message: "must be 1 to 3 punctuation characters, like / or !" });

/** Keys that speak for the whole repository, at the top level only. */
const repositoryShape = {
  default_environment: z.string().min(1).optional(),
  command_prefix: z.union([commandPrefix, z.array(commandPrefix).min(1)]).optional(),
};
const HEAVEN_KEYS = new Set(Object.keys(heavenShape));

type Settings = Record<string, unknown>;

const repositorySchema = z.object(repositoryShape).passthrough();

/** What a payload may set of heaven's own keys (the rest of an apps.json entry is someone else's). */
const payloadSchema = z.object(heavenShape).strip();

/** Built once per registry: every deployment and every auto-deploy check reads a file. */
const fileSchemas = new WeakMap<ProviderSchemas, ReturnType<typeof buildFileSchema>>();

function fileSchema(providers: ProviderSchemas) {
  let schema = fileSchemas.get(providers);
  if (schema === undefined) fileSchemas.set(providers, (schema = buildFileSchema(providers)));
  return schema;
}

/** heaven's keys typed; every provider's keys accepted here and checked once the provider is known. */
function buildFileSchema(providers: ProviderSchemas) {
  const providerKeys = Object.fromEntries(
    Object.values(providers).flatMap((provider) => keysOf(provider).map((key) => [key, z.unknown().optional()])),
  );
  const environment = z.object({ ...providerKeys, ...heavenShape }).strict();
  return environment.extend({ ...repositoryShape, environments: z.record(z.string().min(1), environment.nullable()).optional() }).strict();
}

export const DEFAULT_CI_TIMEOUT_SECONDS = 30 * 60;
const DEFAULT_PARALLEL = 4;

/** `listed`: the file names the environment under `environments` (its name is then taken as configured). */
export type ConfigResolution = { ok: true; config: DeploymentConfig; listed: boolean } | { ok: false; error: string };

export interface ResolveConfigInput {
  /** Parsed `.github/heaven.yml`; null when the repository has none. */
  file: unknown;
  /** The deployment's `payload.config` (hubot-deploy's apps.json entry); undefined when absent. */
  payloadConfig: unknown;
  /** The deployment's `payload.aws` (Heaven's Elastic Beanstalk region). */
  payloadAws?: unknown;
  environment: string;
  providers: ProviderSchemas;
  defaultTimeoutSeconds: number;
}

export function resolveConfig(input: ResolveConfigInput): ConfigResolution {
  const parsedFile = fileSchema(input.providers).safeParse(input.file ?? {});
  if (!parsedFile.success) return { ok: false, error: describeIssues(CONFIG_FILE, parsedFile.error) };
  const hubot = readHubotConfig(input.payloadConfig, input.environment, input.payloadAws);
  if (!hubot.ok) return hubot;
  const payloadHeaven = payloadSchema.safeParse(hubot.settings);
  if (!payloadHeaven.success) return { ok: false, error: describeIssues("payload.config", payloadHeaven.error) };

  const { environments, default_environment: _e, command_prefix: _p, ...fileTop } = parsedFile.data as Settings & { environments?: Record<string, Settings | null> };
  let perEnvironment: Settings = {};
  if (environments !== undefined) {
    if (!Object.hasOwn(environments, input.environment)) {
      const known = Object.keys(environments).join(", ") || "none";
      return { ok: false, error: `environment "${input.environment}" is not in ${CONFIG_FILE} (configured: ${known})` };
    }
    perEnvironment = environments[input.environment] ?? {};
  }

  // The repository's file wins over the deployment's payload: what runs is
  // decided on the default branch, the payload only fills what it leaves open.
  const heaven = { ...payloadHeaven.data, ...pick(fileTop, HEAVEN_KEYS), ...pick(perEnvironment, HEAVEN_KEYS) } as z.infer<z.ZodObject<typeof heavenShape>>;
  const provider = heaven.provider ?? "shell";
  const schemas = input.providers[provider];
  if (schemas === undefined) {
    return { ok: false, error: `provider "${provider}" is not known to heaven (available: ${Object.keys(input.providers).join(", ")})` };
  }
  const options = resolveOptions(provider, schemas, { payload: hubot.settings, fileTop, perEnvironment }, { environment: input.environment, heavenKeys: HEAVEN_KEYS });
  if (!options.ok) return options;

  return {
    ok: true,
    listed: environments !== undefined,
    config: {
      provider,
      script: posix.normalize(heaven.script ?? "script/deploy"),
      timeoutSeconds: heaven.timeout ?? input.defaultTimeoutSeconds,
      environmentUrl: heaven.environment_url,
      requiredContexts: heaven.required_contexts,
      autoDeploy: heaven.auto_deploy ?? false,
      lockTtlSeconds: heaven.lock_ttl,
      ciTimeoutSeconds: heaven.ci_timeout ?? DEFAULT_CI_TIMEOUT_SECONDS,
      mergeDefaultBranch: heaven.merge_default_branch ?? true,
      options: options.options,
      env: heaven.env ?? {},
      secrets: heaven.secrets ?? [],
      parallel: heaven.parallel ?? DEFAULT_PARALLEL,
      ciGate: heaven.ci_gate ?? "auto",
      deployers: deployersOf(heaven.deployers),
      allowForks: heaven.allow_forks ?? false,
      waitForUnlockSeconds: heaven.wait_for_unlock,
      notify: resolveNotify(fileTop.notify as NotifyInput | undefined, perEnvironment.notify as NotifyInput | undefined),
    },
  };
}

function deployersOf(value: z.infer<typeof heavenShape.deployers>): DeploymentConfig["deployers"] {
  if (value === undefined) return { role: "write", teams: [] };
  if (typeof value === "string") return { role: value, teams: [] };
  return { role: value.role ?? "write", teams: value.teams ?? [] };
}

/** The repository-wide settings pull-request commands need; defaults when the file is absent or invalid. */
export function repositorySettings(file: unknown): { defaultEnvironment: string; prefixes: string[] } {
  const parsed = repositorySchema.safeParse(file ?? {});
  const values = parsed.success ? parsed.data : {};
  const prefix = values.command_prefix;
  return { defaultEnvironment: values.default_environment ?? "production", prefixes: prefix === undefined ? ["/", "."] : typeof prefix === "string" ? [prefix] : prefix };
}

/** The environments `.github/heaven.yml` names, each resolved (invalid ones left out). */
export function configuredEnvironments(input: Omit<ResolveConfigInput, "environment" | "payloadConfig">): Array<{ name: string; config: DeploymentConfig }> {
  const parsed = fileSchema(input.providers).safeParse(input.file ?? {});
  if (!parsed.success || parsed.data.environments === undefined) return [];
  return Object.keys(parsed.data.environments).flatMap((name) => {
    const resolved = resolveConfig({ ...input, environment: name, payloadConfig: undefined });
    return resolved.ok ? [{ name, config: resolved.config }] : [];
  });
}
