/**
 * The fake GitHub's answers about a pull request and who may act on it:
 * pulls (head read from the origin's git at request time, so a push moves
 * it), commits (committer date from git), collaborator permissions (with
 * GitHub's role_name) and team memberships.
 */
import type { ConversationRepo, FakeGit, Reply } from "./fake-conversation.js";

export type FakePermission = "admin" | "maintain" | "write" | "triage" | "read" | "none";

export interface FakePull {
  headRef: string;
  /** Fixed head sha; when absent, the head branch's current sha in the origin at request time. */
  headSha?: string;
  /** Shorthand for a head in `contributor/<name>`. */
  fork?: boolean;
  /** The head repository's `owner/name`; null: the fork was deleted. Wins over `fork`. */
  headRepo?: string | null;
  state?: "open" | "closed";
  merged?: boolean;
  draft?: boolean;
  title?: string;
  /** Who opened it (default `octocat`). */
  author?: string;
}

/** Team members by `org/team-slug`: login → membership state. */
export type FakeTeams = Map<string, Record<string, "active" | "pending">>;

/** What the collaborator permission API says `permission` is for each role. */
const BASE_PERMISSION: Record<FakePermission, string> = { admin: "admin", maintain: "write", write: "write", triage: "read", read: "read", none: "none" };

/** GitHub's timestamps: UTC, whole seconds. */
export const githubTime = (date: Date | string): string => new Date(date).toISOString().replace(/\.\d{3}Z$/, "Z");

export const userJson = (login: string, type = "User") => ({ login, id: [...login].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 1_000_000_007, 7), type });

function lookup<V>(map: Map<string, V>, login: string): V | undefined {
  for (const [key, value] of map) if (key.toLowerCase() === login.toLowerCase()) return value;
  return undefined;
}

export function revParse(git: FakeGit, dir: string, ref: string): string | undefined {
  const parsed = git(dir, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]);
  return parsed.ok && /^[0-9a-f]{40}$/.test(parsed.stdout) ? parsed.stdout : undefined;
}

function pullJson(apiBase: string, fullName: string, number: number, pull: FakePull, repo: ConversationRepo, git: FakeGit) {
  const registered = repo.registered;
  if (registered === undefined) throw new Error(`${fullName} has pulls but no origin (addRepo)`);
  const headSha = pull.headSha ?? revParse(git, registered.dir, `refs/heads/${pull.headRef}`);
  if (headSha === undefined) throw new Error(`pull #${number}'s head branch ${pull.headRef} is not in the origin of ${fullName}`);
  const [owner = "", name = ""] = fullName.split("/");
  const headRepo = pull.headRepo !== undefined ? pull.headRepo : pull.fork === true ? `contributor/${name}` : fullName;
  const merged = pull.merged ?? false;
  const repoJson = (full: string) => ({ full_name: full, name: full.split("/")[1], owner: userJson(full.split("/")[0] ?? ""), fork: full !== fullName });
  return {
    url: `${apiBase}/repos/${fullName}/pulls/${number}`,
    html_url: `${apiBase.replace(/\/api\/v3$/, "")}/${fullName}/pull/${number}`,
    number,
    state: merged ? "closed" : (pull.state ?? "open"),
    title: pull.title ?? `Pull request ${number}`,
    user: userJson(pull.author ?? "octocat"),
    draft: pull.draft ?? false,
    merged,
    merged_at: merged ? githubTime(new Date()) : null,
    head: { label: `${(headRepo ?? "unknown/repo").split("/")[0]}:${pull.headRef}`, ref: pull.headRef, sha: headSha, repo: headRepo === null ? null : repoJson(headRepo) },
    base: {
      label: `${owner}:${registered.defaultBranch}`,
      ref: registered.defaultBranch,
      sha: revParse(git, registered.dir, `refs/heads/${registered.defaultBranch}`) ?? null,
      repo: { ...repoJson(fullName), default_branch: registered.defaultBranch },
    },
  };
}

function commitJson(apiBase: string, fullName: string, dir: string, ref: string, git: FakeGit) {
  const sha = revParse(git, dir, ref);
  if (sha === undefined) return undefined;
  const shown = git(dir, ["show", "-s", "--format=%aI%n%cI%n%an%n%ae%n%cn%n%ce%n%P%n%B", sha]).stdout.split("\n");
  const [authored = "", committed = "", authorName, authorEmail, committerName, committerEmail, parents = "", ...message] = shown;
  return {
    sha,
    url: `${apiBase}/repos/${fullName}/commits/${sha}`,
    commit: {
      author: { name: authorName, email: authorEmail, date: githubTime(authored) },
      committer: { name: committerName, email: committerEmail, date: githubTime(committed) },
      message: message.join("\n").trim(),
    },
    parents: parents === "" ? [] : parents.split(" ").map((parent) => ({ sha: parent })),
  };
}

/** Answers the read routes above; false when `path` is none of them. */
export function routePullReads(
  context: { apiBase: string; repo: (fullName: string) => ConversationRepo; teams: FakeTeams; git: FakeGit },
  method: string,
  path: string,
  reply: Reply,
): boolean {
  if (method !== "GET") return false;
  const notFound = () => reply(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
  let match: RegExpExecArray | null;
  if ((match = /^\/repos\/([^/]+\/[^/]+)\/pulls\/(\d+)$/.exec(path))) {
    const fullName = match[1] as string;
    const number = Number(match[2]);
    const repo = context.repo(fullName);
    const pull = repo.pulls.get(number);
    if (pull === undefined) notFound();
    else reply(200, pullJson(context.apiBase, fullName, number, pull, repo, context.git));
  } else if ((match = /^\/repos\/([^/]+\/[^/]+)\/commits\/(.+)$/.exec(path))) {
    const fullName = match[1] as string;
    const ref = match[2] as string;
    const dir = context.repo(fullName).registered?.dir;
    const commit = dir === undefined ? undefined : commitJson(context.apiBase, fullName, dir, ref, context.git);
    // What GitHub answers for a ref it cannot resolve.
    if (dir === undefined) notFound();
    else if (commit === undefined) reply(422, { message: `No commit found for SHA: ${ref}` });
    else reply(200, commit);
  } else if ((match = /^\/repos\/([^/]+\/[^/]+)\/collaborators\/([^/]+)\/permission$/.exec(path))) {
    const repo = context.repo(match[1] as string);
    const login = match[2] as string;
    const forced = lookup(repo.permissionErrors, login);
    const role = lookup(repo.permissions, login);
    if (forced !== undefined) reply(forced, { message: `fake GitHub: forced HTTP ${forced} for ${login}` });
    // GitHub answers 404 for someone who is not a collaborator.
    else if (role === undefined) notFound();
    else reply(200, { permission: BASE_PERMISSION[role], role_name: role, user: userJson(login) });
  } else if ((match = /^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/.exec(path))) {
    const [org, team, login] = [match[1] as string, match[2] as string, match[3] as string];
    const members = lookup(context.teams, `${org}/${team}`);
    const state = members === undefined ? undefined : lookup(new Map(Object.entries(members)), login);
    if (state === undefined) notFound();
    else reply(200, { url: `${context.apiBase}/organizations/1/team/1/memberships/${login}`, role: "member", state });
  } else {
    return false;
  }
  return true;
}
