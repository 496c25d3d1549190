/**
 * What the command line deploys from: a repository on disk or a clone URL,
 * its default branch's `.github/heaven.yml`, and no GitHub at all.
 */
import { existsSync } from "node:fs";
import { basename, resolve } from "node:path";
import { parse } from "yaml";
import { CONFIG_FILE } from "../decisions/resolve-config.js";
import type { ConfigRead } from "../core/sources.js";
import type { Workspaces } from "../engine/workspace.js";

export interface LocalRepository {
  fullName: string;
  cloneUrl: string;
}

export function localRepository(target: string): LocalRepository {
  if (existsSync(target)) {
    const path = resolve(target);
    return { fullName: `local/${basename(path).replace(/\.git$/, "")}`, cloneUrl: path };
  }
  const parts = target.replace(/\.git$/, "").split(/[/:]/).filter((part) => part !== "");
  const name = parts.at(-1) ?? "repository";
  const owner = parts.at(-2) ?? "remote";
  return { fullName: `${owner}/${name}`, cloneUrl: target };
}

export function parseHeavenYaml(text: string | undefined): ConfigRead {
  if (text === undefined) return { ok: true, file: null };
  try {
    // The same parser (and leniency) as Probot's context.config on the server.
    return { ok: true, file: parse(text, { logLevel: "error" }) ?? {} };
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return { ok: false, error: `${CONFIG_FILE} is not valid YAML: ${message}` };
  }
}

export type Resolved =
  | { ok: true; sha: string; ref: string; config: ConfigRead }
  | { ok: false; message: string };

/** Fetches the repository into heaven's cache and resolves the ref and the default branch's config. */
export async function resolveLocal(workspaces: Workspaces, repository: LocalRepository, ref: string | undefined): Promise<Resolved> {
  const fetched = await workspaces.fetch(repository.fullName, repository.cloneUrl);
  if (!fetched.ok) return { ok: false, message: fetched.message };
  const head = await workspaces.defaultBranch(repository.cloneUrl);
  if (head === undefined) return { ok: false, message: `${repository.cloneUrl} has no default branch (is it empty?)` };
  const wanted = ref ?? head.name;
  const sha = await workspaces.resolve(fetched.cache, wanted);
  if (sha === undefined) return { ok: false, message: `"${wanted}" is not a branch, tag or commit of ${repository.cloneUrl}` };
  const config = parseHeavenYaml(await workspaces.readFile(fetched.cache, head.sha, CONFIG_FILE));
  return { ok: true, sha, ref: wanted, config };
}
