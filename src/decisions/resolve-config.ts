/**
 * `.github/heaven.yml` and hubot-deploy's `payload.config`, validated and
 * merged for one environment. Pure: parsed YAML in, settings or a message
 * that says which key is wrong and how to fix it out.
 */
import { posix } from "node:path";
import { z } from "zod";
import type { DeploymentConfig } from "../core/config.js";

export const CONFIG_FILE = ".github/heaven.yml";

const scriptPath = z
  .string()
  .min(1)
  .refine((value) => !posix.isAbsolute(value) && !value.split(/[\\/]/).includes(".."), {
    message: "must be a path inside the repository, like script/deploy",
  });

const environmentSettings = z
  .object({
    provider: z.string().min(1).optional(),
    script: scriptPath.optional(),
    timeout: z.number().int().positive().max(86_400).optional(),
    environment_url: z.url({ protocol: /^https?$/, message: "must be an http(s) URL, like https://app.example.com" }).optional(),
    required_contexts: z.array(z.string().min(1)).optional(),
    auto_deploy: z.boolean().optional(),
    lock_ttl: z.number().int().positive().optional(),
    ci_timeout: z.number().int().positive().max(86_400).optional(),
    merge_default_branch: z.boolean().optional(),
  })
  .strict();

const fileSchema = environmentSettings
  .extend({
    environments: z.record(z.string().min(1), environmentSettings.nullable()).optional(),
  })
  .strict();

export type HeavenFile = z.infer<typeof fileSchema>;
type EnvironmentSettings = z.infer<typeof environmentSettings>;

export const DEFAULT_CI_TIMEOUT_SECONDS = 30 * 60;

/** `listed`: the file names the environment under `environments` (its name is then taken as configured). */
export type ConfigResolution = { ok: true; config: DeploymentConfig; listed: boolean } | { ok: false; error: string };

export interface ResolveConfigInput {
  /** Parsed `.github/heaven.yml`; null when the repository has none. */
  file: unknown;
  /** The deployment's `payload.config` (hubot-deploy style); undefined when absent. */
  payloadConfig: unknown;
  environment: string;
  knownProviders: readonly string[];
  defaultTimeoutSeconds: number;
}

function describeIssues(where: string, error: z.ZodError): string {
  const [first, ...rest] = error.issues;
  if (!first) return `${where} is invalid`;
  const key = first.path.length > 0 ? first.path.join(".") : "(top level)";
  const more = rest.length > 0 ? ` (+${rest.length} more)` : "";
  return `${where}: ${key}: ${first.message}${more}`;
}

export function resolveConfig(input: ResolveConfigInput): ConfigResolution {
  const parsedFile = fileSchema.safeParse(input.file ?? {});
  if (!parsedFile.success) return { ok: false, error: describeIssues(CONFIG_FILE, parsedFile.error) };
  const parsedPayload = environmentSettings.safeParse(input.payloadConfig ?? {});
  if (!parsedPayload.success) return { ok: false, error: describeIssues("payload.config", parsedPayload.error) };

  const file = parsedFile.data;
  const environments = file.environments;
  let perEnvironment: EnvironmentSettings = {};
  if (environments !== undefined) {
    if (!Object.hasOwn(environments, input.environment)) {
      const known = Object.keys(environments).join(", ") || "none";
      return {
        ok: false,
        error: `environment "${input.environment}" is not in ${CONFIG_FILE} (configured: ${known})`,
      };
    }
    perEnvironment = environments[input.environment] ?? {};
  }

  // The repository's file wins over the deployment's payload: what runs is
  // decided on the default branch, the payload only fills what it leaves open.
  const { environments: _ignored, ...fileTop } = file;
  const merged: EnvironmentSettings = { ...parsedPayload.data, ...dropUndefined(fileTop), ...dropUndefined(perEnvironment) };

  const provider = merged.provider ?? "shell";
  if (!input.knownProviders.includes(provider)) {
    return {
      ok: false,
      error: `provider "${provider}" is not known to heaven (available: ${input.knownProviders.join(", ")})`,
    };
  }
  return {
    ok: true,
    listed: environments !== undefined,
    config: {
      provider,
      script: posix.normalize(merged.script ?? "script/deploy"),
      timeoutSeconds: merged.timeout ?? input.defaultTimeoutSeconds,
      environmentUrl: merged.environment_url,
      requiredContexts: merged.required_contexts,
      autoDeploy: merged.auto_deploy ?? false,
      lockTtlSeconds: merged.lock_ttl,
      ciTimeoutSeconds: merged.ci_timeout ?? DEFAULT_CI_TIMEOUT_SECONDS,
      mergeDefaultBranch: merged.merge_default_branch ?? true,
    },
  };
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The environments `.github/heaven.yml` names, each resolved (invalid ones left out). */
export function configuredEnvironments(input: Omit<ResolveConfigInput, "environment" | "payloadConfig">): Array<{ name: string; config: DeploymentConfig }> {
  const parsed = fileSchema.safeParse(input.file ?? {});
  if (!parsed.success || parsed.data.environments === undefined) return [];
  return Object.keys(parsed.data.environments).flatMap((name) => {
    const resolved = resolveConfig({ ...input, environment: name, payloadConfig: undefined });
    return resolved.ok ? [{ name, config: resolved.config }] : [];
  });
}
