/**
 * `.github/heaven.yml` from the default branch, through Probot's config
 * plugin with context.config's semantics: an organisation's `.github`
 * repository can hold defaults, `_extends` works, files merge deeply. One
 * read when the repository has the file. Works without a webhook context, so
 * deployments restored after a restart read it the same way.
 */
import merge from "deepmerge";
import { CONFIG_FILE } from "../decisions/resolve-config.js";
import type { ConfigRead } from "../core/sources.js";
import { describeGitHubError, isGitHubUnavailable } from "./describe-github-error.js";

export interface ConfigApi {
  config: {
    get(params: {
      owner: string;
      repo: string;
      path: string;
      defaults?: (configs: Array<Record<string, unknown>>) => Record<string, unknown>;
    }): Promise<{ config: unknown; files: Array<{ config: unknown }> }>;
  };
}

export async function loadHeavenConfig(octokit: ConfigApi, target: { owner: string; repo: string }): Promise<ConfigRead> {
  try {
    const { config, files } = await octokit.config.get({
      ...target,
      path: CONFIG_FILE,
      defaults: (configs) => merge.all<Record<string, unknown>>([{}, ...configs]),
    });
    return { ok: true, file: files.some((file) => file.config !== null) ? config : null };
  } catch (error) {
    if (isGitHubUnavailable(error)) return { ok: false, error: `could not read ${CONFIG_FILE}: ${describeGitHubError(error)}; deploy again` };
    // Probot's config plugin wraps the parser's error (which names line and column) as the cause.
    const cause = (error as { cause?: unknown }).cause;
    const message = (cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error)).split("\n")[0];
    return { ok: false, error: `${CONFIG_FILE} is not valid YAML: ${message}` };
  }
}
