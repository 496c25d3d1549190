/**
 * A person commenting on a pull request, as GitHub tells heaven: the real
 * `issue_comment` example from @octokit/webhooks-examples (none of them is
 * on a pull request), moved onto one the way GitHub marks it — an
 * `issue.pull_request` object — with the fake repository's names and
 * installation. The comment is stored in the fake too, so heaven can react
 * to it and list it. Plus the measures an e2e test takes of what heaven did
 * about it: its replies and the API calls it spent.
 */
import type { Context } from "probot";
import { webhookExample } from "./examples.js";
import type { FakeComment } from "./fake-conversation.js";
import type { FakeGitHub, HookDelivery } from "./fake-github.js";

export type IssueCommentPayload = Context<"issue_comment">["payload"];

export interface CommentInput {
  /** `owner/name`, registered with `fake.addRepo`. */
  repo: string;
  pull: number;
  body: string;
  user: { login: string; type?: "User" | "Bot" | "Organization" };
  /** Default: a new comment stored in the fake with a fresh id; given: that comment's id (edited: the stored one's new body). */
  commentId?: number;
  /** Default: now (GitHub's whole seconds). */
  createdAt?: string | Date;
  action?: "created" | "edited" | "deleted";
  /** The payload's `author_association`, which heaven must never trust (default: the example's OWNER). */
  authorAssociation?: string;
}

function storedComment(fake: FakeGitHub, input: CommentInput): FakeComment {
  const existing = input.commentId === undefined ? undefined : fake.conversation.find(input.repo, input.commentId);
  if (existing === undefined) {
    return fake.conversation.addComment(input.repo, input.pull, { body: input.body, user: input.user, createdAt: input.createdAt, id: input.commentId });
  }
  if (input.action === "edited" && existing.body !== input.body) {
    existing.bodies.push(input.body);
    existing.body = input.body;
  }
  return existing;
}

/** The `issue_comment` webhook payload for `input` (stores the comment, or edits the stored one, in the fake). */
export function commentEvent(fake: FakeGitHub, input: CommentInput): IssueCommentPayload {
  const action = input.action ?? "created";
  const before = input.commentId === undefined ? undefined : fake.conversation.find(input.repo, input.commentId)?.body;
  const stored = storedComment(fake, input);
  const json = fake.conversation.commentJson(input.repo, stored);
  const pull = fake.repo(input.repo).pulls.get(input.pull);
  const event = webhookExample("issue_comment", (e) => e.action === "created" && e.installation !== undefined);
  const web = `http://${fake.host}/${input.repo}/pull/${input.pull}`;
  const api = `http://${fake.host}/api/v3/repos/${input.repo}`;
  const user = { ...event.comment.user, login: input.user.login, type: input.user.type ?? "User" };
  event.action = action;
  if (action === "edited") event.changes = { body: { from: before ?? "" } };
  event.issue = {
    ...event.issue,
    number: input.pull,
    url: `${api}/issues/${input.pull}`,
    html_url: web,
    comments_url: `${api}/issues/${input.pull}/comments`,
    title: pull?.title ?? `Pull request ${input.pull}`,
    state: pull?.merged === true ? "closed" : (pull?.state ?? "open"),
    draft: pull?.draft ?? false,
    pull_request: { url: `${api}/pulls/${input.pull}`, html_url: web, diff_url: `${web}.diff`, patch_url: `${web}.patch`, merged_at: null },
  };
  event.comment = {
    ...event.comment,
    ...json,
    user,
    author_association: input.authorAssociation ?? event.comment.author_association,
    reactions: { ...event.comment.reactions, url: `${json.url}/reactions` },
  };
  event.sender = { ...event.sender, login: input.user.login, type: input.user.type ?? "User" };
  if (action === "deleted") fake.conversation.remove(input.repo, stored.id);
  const [owner = ""] = input.repo.split("/");
  event.organization = { ...event.organization, login: owner };
  return fake.forRepository(event, input.repo);
}

/** What GitHub does when someone comments: the comment is stored and its webhook sent through `fake.deliver` (recorded as a delivery). */
export async function sendComment(fake: FakeGitHub, input: CommentInput): Promise<{ payload: IssueCommentPayload; commentId: number; delivery: HookDelivery }> {
  const payload = commentEvent(fake, input);
  const delivery = await fake.sendWebhook("issue_comment", payload);
  return { payload, commentId: payload.comment.id, delivery };
}

/** heaven's replies on the pull request (comments by `heaven[bot]`), oldest first. */
export function repliesOn(fake: FakeGitHub, repo: string, pull: number): FakeComment[] {
  return fake.conversation.commentsOn(repo, pull, "heaven[bot]");
}

/** The first reply for which `pick` holds (checked on every request heaven makes), e.g. `(r) => /success/.test(r.body)`. */
export async function waitForReply(fake: FakeGitHub, repo: string, pull: number, pick: (reply: FakeComment) => boolean, what = "a reply"): Promise<FakeComment> {
  const found = () => repliesOn(fake, repo, pull).find(pick);
  await fake.waitFor(() => found() !== undefined, `${what} on ${repo}#${pull}`);
  return found() as FakeComment;
}

/** A point in `fake.requests` to count from. */
export const mark = (fake: FakeGitHub): number => fake.requests.length;

const WRITES = new Set(["POST", "PATCH", "PUT", "DELETE"]);

/**
 * The API calls heaven made since `from` (a `mark`): "METHOD /path" each,
 * and how many were writes. Minting installation tokens is authentication,
 * not the command's work, and is left out.
 */
export function apiCallsSince(fake: FakeGitHub, from: number): { calls: string[]; requests: number; writes: number } {
  const made = fake.requests.slice(from).filter((r) => !(r.method === "POST" && /^\/app\/installations\/\d+\/access_tokens$/.test(r.path)));
  return { calls: made.map((r) => `${r.method} ${r.path}`), requests: made.length, writes: made.filter((r) => WRITES.has(r.method)).length };
}
