/**
 * The command line's GitHub: Probot's Octokit (paginate, retry, throttling,
 * the config plugin heaven reads .github/heaven.yml with) authenticated as
 * the person, and the few reads every verb needs.
 */
import { ProbotOctokit } from "probot";
import { isObject } from "../../core/json.js";
import { apiBaseUrl, githubHost, resolveRepo, type RepoTarget } from "./target.js";
import { resolveToken } from "./token.js";

export type CliOctokit = InstanceType<typeof ProbotOctokit>;

export interface Connection {
  octokit: CliOctokit;
  target: RepoTarget;
  host: string;
}

const warn = (message: string) => process.stderr.write(`heaven: ${message}\n`);
const quiet = () => undefined;

export function createCliOctokit(baseUrl: string, token: string): CliOctokit {
  return new ProbotOctokit({
    auth: { token },
    baseUrl,
    userAgent: "heaven-cli",
    log: { debug: quiet, info: quiet, warn, error: warn },
    // A person's own writes are few: no need to space them; GitHub's limits still retry.
    throttle: { enabled: false },
  });
}

/** Token, API and repository, or the message that says what is missing. */
export async function connect(repoOption: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<{ ok: true; value: Connection } | { ok: false; message: string }> {
  const host = githubHost(env);
  const target = await resolveRepo(repoOption, env, cwd);
  if (!target.ok) return target;
  const token = await resolveToken(env, host);
  if (!token.ok) return token;
  return { ok: true, value: { octokit: createCliOctokit(apiBaseUrl(env), token.token), target: target.value, host } };
}

/** The token's user: the person the records name. */
export async function getLogin(octokit: CliOctokit): Promise<string> {
  const { data } = await octokit.request("GET /user");
  if (!isObject(data) || typeof data.login !== "string") throw new Error("GitHub's GET /user named no login");
  return data.login;
}

export async function getDefaultBranch(octokit: CliOctokit, target: RepoTarget): Promise<string> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}", { owner: target.owner, repo: target.repo });
  return isObject(data) && typeof data.default_branch === "string" ? data.default_branch : "main";
}
