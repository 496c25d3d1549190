/**
 * An `issue_comment` webhook as a possible command: a new comment on a pull
 * request by a person. Pure. Edits, deletions, issues and bots (heaven
 * itself included) are not read further — no reply loops.
 */
import { isObject } from "../core/json.js";

export interface CommandComment {
  installationId: number;
  owner: string;
  repo: string;
  /** The pull request's number. */
  number: number;
  commentId: number;
  body: string;
  /** Who wrote it, as GitHub says (its association in the payload is never trusted). */
  login: string;
  /** Epoch ms the comment was written. */
  createdAt: number;
  /** The repository's default branch: deploying it takes no lock. */
  defaultBranch: string;
}

const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);
const whole = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value);

export function readComment(event: unknown): CommandComment | undefined {
  if (!isObject(event) || event.action !== "created") return undefined;
  const { issue, comment, repository, installation } = event;
  if (!isObject(issue) || !isObject(issue.pull_request) || !isObject(comment) || !isObject(repository) || !isObject(installation)) return undefined;
  const user = isObject(comment.user) ? comment.user : {};
  if (user.type !== "User") return undefined;
  const owner = isObject(repository.owner) ? text(repository.owner.login) : undefined;
  const repo = text(repository.name);
  const login = text(user.login);
  const body = typeof comment.body === "string" ? comment.body : undefined;
  const createdAt = Date.parse(text(comment.created_at) ?? "");
  const defaultBranch = text(repository.default_branch);
  if (owner === undefined || repo === undefined || login === undefined || body === undefined || Number.isNaN(createdAt) || defaultBranch === undefined) return undefined;
  if (!whole(installation.id) || !whole(issue.number) || !whole(comment.id)) return undefined;
  return { installationId: installation.id, owner, repo, number: issue.number, commentId: comment.id, body, login, createdAt, defaultBranch };
}
