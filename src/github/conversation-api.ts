/**
 * The GitHub reads a pull-request command needs before it may deploy — the
 * pull request, when its head commit was made, who the commenter is to the
 * repository — and the reaction that acknowledges the comment at once.
 * Replies are not here: they are written through the outbox.
 *
 * Each answer is parsed with a schema: a malformed one throws, and the
 * caller refuses (fails closed). Only "not found" has a meaning of its own
 * (not a collaborator, not a team member).
 */
import { z } from "zod";
import type { RequestApi } from "./deployments-api.js";
import { statusOf } from "./describe-github-error.js";
import type { RepositoryTarget } from "./github-sources.js";

export interface PullRequest {
  number: number;
  state: "open" | "closed";
  merged: boolean;
  draft: boolean;
  headSha: string;
  headRef: string;
  /** `owner/name` the head branch lives in; undefined when that fork was deleted. */
  headRepoFullName: string | undefined;
  baseRepoFullName: string;
  baseRef: string;
  /** The head is not in the base repository (a fork, or a fork since deleted). */
  fromFork: boolean;
}

const PERMISSIONS = ["admin", "maintain", "write", "triage", "read", "none"] as const;
export type Permission = (typeof PERMISSIONS)[number];

export type Reaction = "eyes" | "rocket" | "+1" | "-1" | "confused";

const pullSchema = z.object({
  number: z.number().int(),
  state: z.enum(["open", "closed"]),
  merged: z.boolean().optional(),
  merged_at: z.string().nullable().optional(),
  draft: z.boolean().optional(),
  head: z.object({ sha: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/), ref: z.string(), repo: z.object({ full_name: z.string() }).nullable() }),
  base: z.object({ ref: z.string(), repo: z.object({ full_name: z.string() }) }),
});

const commitSchema = z.object({ commit: z.object({ committer: z.object({ date: z.string() }) }) });

const permissionSchema = z.object({ permission: z.string(), role_name: z.string().optional() });

const membershipSchema = z.object({ state: z.string() });

/** Parses `data` or throws an error naming the route and the first problem. */
function parse<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`GitHub sent a malformed ${what}: ${issue === undefined ? "unreadable" : `${issue.path.join(".") || "body"}: ${issue.message}`}`);
  }
  return parsed.data;
}

/** `fallback` when GitHub answers 404, the answer otherwise; every other failure is thrown as is. */
async function unlessNotFound<T>(call: () => Promise<T>, fallback: T): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (statusOf(error) === 404) return fallback;
    throw error;
  }
}

const isPermission = (value: string | undefined): value is Permission => PERMISSIONS.some((p) => p === value);

export async function getPullRequest(api: RequestApi, target: RepositoryTarget, number: number): Promise<PullRequest> {
  const { data } = await api.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { ...target, pull_number: number });
  const pull = parse(pullSchema, data, `pull request #${number}`);
  const headRepoFullName = pull.head.repo?.full_name;
  return {
    number: pull.number,
    state: pull.state,
    // `merged` is in the single-pull answer; `merged_at` is what lists carry.
    merged: pull.merged ?? (typeof pull.merged_at === "string"),
    draft: pull.draft ?? false,
    headSha: pull.head.sha,
    headRef: pull.head.ref,
    headRepoFullName,
    baseRepoFullName: pull.base.repo.full_name,
    baseRef: pull.base.ref,
    fromFork: headRepoFullName?.toLowerCase() !== pull.base.repo.full_name.toLowerCase(),
  };
}

/** When `sha` was committed (committer date, epoch ms): a head committed after a comment was written moved after it. */
export async function getCommitTime(api: RequestApi, target: RepositoryTarget, sha: string): Promise<number> {
  const { data } = await api.request("GET /repos/{owner}/{repo}/commits/{ref}", { ...target, ref: sha });
  const date = parse(commitSchema, data, `commit ${sha}`).commit.committer.date;
  const time = Date.parse(date);
  if (Number.isNaN(time)) throw new Error(`GitHub sent a malformed commit ${sha}: committer date ${JSON.stringify(date)}`);
  return time;
}

/**
 * What `username` may do in the repository. `role_name` tells maintain and
 * triage apart (`permission` says write and read for them); a custom role's
 * name is not one of ours, so its base `permission` counts. Not a
 * collaborator (404): none.
 */
export async function getPermission(api: RequestApi, target: RepositoryTarget, username: string): Promise<Permission> {
  return unlessNotFound(async () => {
    const { data } = await api.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", { ...target, username });
    const answer = parse(permissionSchema, data, `permission of ${username}`);
    if (isPermission(answer.role_name)) return answer.role_name;
    if (isPermission(answer.permission)) return answer.permission;
    throw new Error(`GitHub sent a malformed permission of ${username}: ${JSON.stringify(answer.permission)}`);
  }, "none");
}

/** An active member of `org/teamSlug` (a pending invitation is not membership; no such member or team: false). */
export async function isTeamMember(api: RequestApi, org: string, teamSlug: string, username: string): Promise<boolean> {
  return unlessNotFound(async () => {
    const { data } = await api.request("GET /orgs/{org}/teams/{team_slug}/memberships/{username}", { org, team_slug: teamSlug, username });
    return parse(membershipSchema, data, `membership of ${username} in ${org}/${teamSlug}`).state === "active";
  }, false);
}

/** Reacts to an issue or pull-request comment; reacting again with the same content is a no-op on GitHub's side. */
export async function addReaction(api: RequestApi, target: RepositoryTarget, commentId: number, content: Reaction): Promise<void> {
  await api.request("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", { ...target, comment_id: commentId, content });
}
