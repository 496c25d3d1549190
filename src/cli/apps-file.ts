/**
 * apps.yml (or hubot-deploy's apps.json): app name → where its repository
 * is, its provider and options, its environments. Parsed and validated here;
 * errors name the file, the app and the key. An entry is a
 * `.github/heaven.yml` for the app plus `repository` and hubot-deploy's keys.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { isUrl } from "../decisions/choose-deploy-mode.js";

export interface AppEntry {
  name: string;
  /** A path (resolved against the apps file's folder), a clone URL, or owner/repo on GitHub. */
  repository: string;
  /** The environments the entry names; empty: any the configuration accepts. */
  environments: string[];
  /** The entry as a `.github/heaven.yml` (hubot-deploy's and apps-only keys left out). */
  config: Record<string, unknown>;
  /** The entry as hubot-deploy sends it in `payload.config`. */
  payloadConfig: Record<string, unknown>;
}

export interface AppsFile {
  /** The file read, or why there is none (for messages). */
  source: string;
  apps: Record<string, AppEntry>;
}

export type AppsRead = { ok: true; file: AppsFile } | { ok: false; message: string };

const environmentsSchema = z.union([z.array(z.string().min(1)), z.record(z.string().min(1), z.record(z.string(), z.unknown()).nullable())], {
  error: "must be a list of environment names, or a map of environment name to its settings",
});

const entrySchema = z
  .object({
    repository: z.string({ error: "is required: a repository path, a clone URL or owner/repo" }).min(1, { error: "must not be empty" }),
    environments: environmentsSchema.optional(),
    provider: z.string({ error: "must be a provider name, like shell" }).min(1).optional(),
  })
  .passthrough();

/** hubot-deploy's keys and the chat's: meaningful in payload.config, not in a heaven.yml. */
const HUBOT_ONLY = new Set(["repository", "environments", "allowed_rooms", "auto_merge", "github_api", "github_token", "deploy_script", "app_name", "heroku_name"]);
const HUBOT_PATTERN = /^heroku_\w+_name$|^\w+_url$/;

function asHeavenYaml(entry: Record<string, unknown>, environments: unknown): Record<string, unknown> {
  const rest = Object.fromEntries(Object.entries(entry).filter(([key]) => !HUBOT_ONLY.has(key) && (key === "environment_url" || !HUBOT_PATTERN.test(key))));
  if (Array.isArray(environments)) return { ...rest, environments: Object.fromEntries(environments.map((name: string) => [name, null])) };
  return environments === undefined ? rest : { ...rest, environments };
}

/** A relative path is the apps file's neighbour; URLs and owner/repo stay as written. */
function locate(repository: string, folder: string): string {
  if (isUrl(repository) || isAbsolute(repository)) return repository;
  const path = resolve(folder, repository);
  return existsSync(path) || !/^[\w.-]+\/[\w.-]+$/.test(repository) ? path : repository;
}

export function parseAppsFile(text: string, source: string): AppsRead {
  let document: unknown;
  try {
    // YAML is a superset of JSON: apps.json reads the same way.
    document = parse(text, { logLevel: "error" }) ?? {};
  } catch (error) {
    return { ok: false, message: `${source} is not valid YAML or JSON: ${(error as Error).message.split("\n")[0]}` };
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    return { ok: false, message: `${source}: must map app names to their settings, like "hubot: { repository: octo/hubot }"` };
  }
  const apps: Record<string, AppEntry> = {};
  for (const [name, value] of Object.entries(document)) {
    const parsed = entrySchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const key = issue?.path.join(".") || "(the app)";
      const message = typeof value !== "object" || value === null ? "must be a map of settings with a repository" : (issue?.message ?? "is invalid");
      return { ok: false, message: `${source}: app "${name}": ${key}: ${message}` };
    }
    const { environments } = parsed.data;
    apps[name] = {
      name,
      repository: locate(parsed.data.repository, dirname(source)),
      environments: environments === undefined ? [] : Array.isArray(environments) ? environments : Object.keys(environments),
      config: asHeavenYaml(parsed.data, environments),
      payloadConfig: parsed.data,
    };
  }
  return { ok: true, file: { source, apps } };
}

/** `--apps`, else HEAVEN_APPS (both must exist), else ./apps.yml or ./apps.json when present. */
export function readAppsFile(option: string | undefined, setting: string | undefined, cwd: string): AppsRead {
  const named = option ?? setting;
  if (named !== undefined) {
    const path = resolve(cwd, named);
    if (!existsSync(path)) return { ok: false, message: `${path} does not exist (named by ${option === undefined ? "HEAVEN_APPS" : "--apps"})` };
    return parseAppsFile(readFileSync(path, "utf8"), path);
  }
  for (const candidate of ["apps.yml", "apps.json"]) {
    const path = resolve(cwd, candidate);
    if (existsSync(path)) return parseAppsFile(readFileSync(path, "utf8"), path);
  }
  return { ok: true, file: { source: `no ./apps.yml or ./apps.json in ${cwd}`, apps: {} } };
}
