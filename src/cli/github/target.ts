/**
 * Which repository and which GitHub the command line talks to: `-R
 * owner/repo` or the checkout's `origin`, github.com or `GH_HOST`
 * (Enterprise Server). Pure, except `readOriginUrl`, which asks git.
 */
import { execFile } from "node:child_process";

export interface RepoTarget {
  owner: string;
  repo: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** GitHub's rules for the two names, loosely: no slashes, no spaces, not `.`/`..`. */
const NAME = /^(?!\.{1,2}$)[A-Za-z0-9_.-]+$/;

/** `owner/repo`, as `-R` takes it (gh's `HOST/owner/repo` too, when HOST is the host in use). */
export function parseRepoOption(value: string, host: string): Parsed<RepoTarget> {
  const parts = value.trim().replace(/\.git$/, "").split("/");
  const [owner, repo] = parts.length === 3 && parts[0]?.toLowerCase() === host.toLowerCase() ? parts.slice(1) : parts;
  if (parts.length > 3 || owner === undefined || repo === undefined || !NAME.test(owner) || !NAME.test(repo) || (parts.length === 3 && parts[0]?.toLowerCase() !== host.toLowerCase())) {
    return { ok: false, message: `-R wants owner/repo (on ${host}), not "${value}"` };
  }
  return { ok: true, value: { owner, repo } };
}

/** The host of `GH_HOST` (a bare name, or a URL someone pasted), else github.com. */
export function githubHost(env: NodeJS.ProcessEnv): string {
  const host = (env.GH_HOST ?? "").trim().replace(/^https?:\/\//i, "").replace(/\/.*$/, "");
  return host === "" ? "github.com" : host.toLowerCase();
}

/** REST base: HEAVEN_GITHUB_API_URL (tests, proxies), else api.github.com or `https://<GH_HOST>/api/v3`. */
export function apiBaseUrl(env: NodeJS.ProcessEnv): string {
  const override = env.HEAVEN_GITHUB_API_URL?.trim();
  if (override !== undefined && override !== "") return override.replace(/\/+$/, "");
  const host = githubHost(env);
  return host === "github.com" ? "https://api.github.com" : `https://${host}/api/v3`;
}

/**
 * owner/repo of a clone URL on `host`: https://host/o/r(.git), git@host:o/r,
 * ssh://git@host[:port]/o/r. undefined for any other host or shape.
 */
export function repoFromRemoteUrl(url: string, host: string): RepoTarget | undefined {
  const trimmed = url.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]+@)?([^/:]+)(?::\d+)?\/(.+)$/i.exec(trimmed);
  const scpLike = /^[^@/:]+@([^:/]+):(?!\/)(.+)$/.exec(trimmed);
  const match = withScheme ?? scpLike;
  if (match === null || match[1]?.toLowerCase() !== host.toLowerCase()) return undefined;
  const [owner, repo, ...rest] = (match[2] ?? "").replace(/\/+$/, "").replace(/\.git$/, "").split("/");
  if (rest.length > 0 || owner === undefined || repo === undefined || !NAME.test(owner) || !NAME.test(repo)) return undefined;
  return { owner, repo };
}

/** `git remote get-url origin` in `cwd`; undefined outside a checkout or without an origin. */
export function readOriginUrl(cwd: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile("git", ["remote", "get-url", "origin"], { cwd, timeout: 10_000 }, (error, stdout) => resolve(error === null ? stdout.trim() : undefined));
  });
}

/** `-R` when given, else the checkout's origin on this host; the error says what to do. */
export async function resolveRepo(option: string | undefined, env: NodeJS.ProcessEnv, cwd: string): Promise<Parsed<RepoTarget>> {
  const host = githubHost(env);
  if (option !== undefined) return parseRepoOption(option, host);
  const origin = await readOriginUrl(cwd);
  if (origin === undefined) return { ok: false, message: `no -R owner/repo, and ${cwd} is not a git checkout with an origin remote` };
  const target = repoFromRemoteUrl(origin, host);
  if (target === undefined) return { ok: false, message: `origin (${origin}) is not a repository on ${host}; give -R owner/repo${host === "github.com" ? ", or set GH_HOST for Enterprise Server" : ""}` };
  return { ok: true, value: target };
}
