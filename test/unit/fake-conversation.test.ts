/**
 * The fake GitHub's pull-request conversation, asked through heaven's own
 * adapters and a plain Octokit: comments with their edit history,
 * reactions, collaborator permissions, teams, pulls whose head follows the
 * branch, commit times; and the comment webhooks a test sends.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { addReaction, getCommitTime, getPermission, getPullRequest, isTeamMember } from "../../src/github/conversation-api.js";
import { quietOctokit } from "../helpers/app-credentials.js";
import { apiCallsSince, commentEvent, mark, repliesOn, sendComment, waitForReply } from "../helpers/comment-events.js";
import { FakeGitHub, type FakePermission } from "../helpers/fake-github.js";
import { createRepo, tempDir, type GitRepo } from "../helpers/git-repo.js";

const NAME = "octo-org/shop";
const target = { owner: "octo-org", repo: "shop" };
let tmp: ReturnType<typeof tempDir>;
let origin: GitRepo & { sha: string };
let github: FakeGitHub;
let octokit: InstanceType<ReturnType<typeof quietOctokit>>;
const received: Array<{ event: string; payload: unknown }> = [];

beforeAll(() => {
  tmp = tempDir("heaven-fake-conversation-");
});
afterAll(() => tmp.remove());

beforeEach(async () => {
  github = new FakeGitHub({ waitTimeoutMs: 5_000 });
  await github.start();
  origin = createRepo(tmp.path, `origin-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  github.addRepo(NAME, { dir: origin.dir, installationId: 77 });
  received.length = 0;
  // heaven stands here: every webhook is taken and answered 200.
  github.deliver = async (event, payload) => {
    received.push({ event, payload });
    return new Response("ok", { status: 200 });
  };
  octokit = new (quietOctokit())({ auth: "ghs_test", baseUrl: `http://${github.host}/api/v3` });
});
afterEach(() => github.stop());

/** A commit on `branch` (created from main when new) with this committer date; back on main after. */
function commitOn(branch: string, committerDate?: string): string {
  const exists = origin.git("branch", "--list", branch) !== "";
  origin.git("checkout", "--quiet", ...(exists ? [branch] : ["-b", branch]));
  execFileSync("git", ["-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "--quiet", "--allow-empty", "-m", `on ${branch}`, "--date=2001-01-01T00:00:00Z"], {
    cwd: origin.dir,
    env: { PATH: process.env.PATH ?? "", HOME: tmp.path, GIT_CONFIG_NOSYSTEM: "1", ...(committerDate === undefined ? {} : { GIT_COMMITTER_DATE: committerDate }) },
  });
  const sha = origin.git("rev-parse", "HEAD");
  origin.git("checkout", "--quiet", "main");
  return sha;
}

describe("issue comments", () => {
  beforeEach(() => github.repo(NAME).pulls.set(7, { headRef: "main" }));

  it("keeps one reply's edit history, sends no webhook for it, and serves it by id and in the list", async () => {
    const created = await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...target, issue_number: 7, body: "queued" });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({ body: "queued", user: { login: "heaven[bot]", type: "Bot" }, html_url: `http://${github.host}/${NAME}/pull/7#issuecomment-${created.data.id}` });
    expect(created.data.id).toBeGreaterThan(2 ** 31);
    expect(new Date(created.data.created_at).toISOString().replace(".000", "")).toBe(created.data.created_at);
    for (const body of ["running", "success"]) await octokit.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", { ...target, comment_id: created.data.id, body });

    expect(repliesOn(github, NAME, 7).map((r) => r.bodies)).toEqual([["queued", "running", "success"]]);
    const one = await octokit.request("GET /repos/{owner}/{repo}/issues/comments/{comment_id}", { ...target, comment_id: created.data.id });
    expect(one.data.body).toBe("success");
    const list = await octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...target, issue_number: 7 });
    expect(list.data.map((c) => [c.id, c.body])).toEqual([[created.data.id, "success"]]);
    expect(github.deliveries()).toEqual([]);
  });

  it("answers 404 for an unknown comment or issue and 422 without a body", async () => {
    await expect(octokit.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", { ...target, comment_id: 5, body: "x" })).rejects.toMatchObject({ status: 404 });
    await expect(octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...target, issue_number: 8, body: "x" })).rejects.toMatchObject({ status: 404 });
    await expect(octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...target, issue_number: 7 } as never)).rejects.toMatchObject({ status: 422 });
  });

  it("pages the list with a Link header, so paginate reads every comment in order", async () => {
    for (let i = 0; i < 35; i++) github.conversation.addComment(NAME, 7, { body: `c${i}`, user: { login: "alice" } });
    const all = await octokit.paginate("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...target, issue_number: 7, per_page: 10 });
    expect(all.map((c) => c.body)).toEqual(Array.from({ length: 35 }, (_, i) => `c${i}`));
    expect(github.requests.filter((r) => r.path.endsWith("/issues/7/comments")).map((r) => r.query.page ?? "1")).toEqual(["1", "2", "3", "4"]);
  });
});

describe("reactions", () => {
  it("stores heaven's reactions on a person's comment once each, and refuses unknown comments and contents", async () => {
    github.repo(NAME).pulls.set(3, { headRef: "main" });
    const { comment } = commentEvent(github, { repo: NAME, pull: 3, body: "/deploy", user: { login: "alice" } });
    await addReaction(octokit, target, comment.id, "eyes");
    await addReaction(octokit, target, comment.id, "eyes");
    await addReaction(octokit, target, comment.id, "rocket");
    expect(github.conversation.find(NAME, comment.id)?.reactions.map((r) => [r.content, r.user])).toEqual([["eyes", "heaven[bot]"], ["rocket", "heaven[bot]"]]);
    expect(github.requests.filter((r) => r.path.endsWith("/reactions")).map((r) => r.status)).toEqual([201, 200, 201]);
    await expect(addReaction(octokit, target, 12, "eyes")).rejects.toMatchObject({ status: 404 });
    await expect(octokit.request("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", { ...target, comment_id: comment.id, content: "party" } as never)).rejects.toMatchObject({ status: 422 });
  });
});

describe("collaborator permissions and teams", () => {
  const roles: FakePermission[] = ["none", "read", "triage", "write", "maintain", "admin"];

  it.each(roles)("answers a collaborator set to %s with that role (role_name) and GitHub's base permission", async (role) => {
    github.repo(NAME).permissions.set("Alice", role);
    expect(await getPermission(octokit, target, "alice")).toBe(role);
    const answer = await octokit.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", { ...target, username: "alice" });
    expect(answer.data.permission).toBe({ maintain: "write", triage: "read" }[role as string] ?? role);
  });

  it("answers 404 for someone who is not a collaborator, and the forced status when asked to fail", async () => {
    expect(await getPermission(octokit, target, "mallory")).toBe("none");
    expect(github.requests.at(-1)).toMatchObject({ path: `/repos/${NAME}/collaborators/mallory/permission`, status: 404 });
    github.repo(NAME).permissions.set("bob", "admin");
    github.repo(NAME).permissionErrors.set("bob", 500);
    await expect(getPermission(octokit, target, "bob")).rejects.toMatchObject({ status: 500 });
  });

  it("answers team memberships from fake.teams: active, pending, absent", async () => {
    github.teams.set("octo-org/deployers", { alice: "active", carol: "pending" });
    expect(await isTeamMember(octokit, "octo-org", "deployers", "alice")).toBe(true);
    expect(await isTeamMember(octokit, "octo-org", "deployers", "carol")).toBe(false);
    expect(await isTeamMember(octokit, "octo-org", "deployers", "dave")).toBe(false);
    expect(await isTeamMember(octokit, "octo-org", "admins", "alice")).toBe(false);
  });
});

describe("pulls and commits", () => {
  it("reads the head from the branch at request time, so a push moves it; the base is the default branch", async () => {
    const first = commitOn("feature");
    github.repo(NAME).pulls.set(12, { headRef: "feature" });
    expect(await getPullRequest(octokit, target, 12)).toEqual({
      number: 12,
      state: "open",
      merged: false,
      draft: false,
      headSha: first,
      headRef: "feature",
      headRepoFullName: NAME,
      baseRepoFullName: NAME,
      baseRef: "main",
      fromFork: false,
    });
    const pushed = commitOn("feature");
    expect((await getPullRequest(octokit, target, 12)).headSha).toBe(pushed);
  });

  it("answers forks, deleted forks, a fixed head sha, and 404 for an unknown pull", async () => {
    const repo = github.repo(NAME);
    repo.pulls.set(1, { headRef: "main", fork: true });
    repo.pulls.set(2, { headRef: "main", headRepo: null });
    repo.pulls.set(3, { headRef: "gone", headSha: "a".repeat(40), state: "closed", merged: true });
    expect(await getPullRequest(octokit, target, 1)).toMatchObject({ headRepoFullName: "contributor/shop", fromFork: true, headSha: origin.sha });
    expect(await getPullRequest(octokit, target, 2)).toMatchObject({ headRepoFullName: undefined, fromFork: true });
    expect(await getPullRequest(octokit, target, 3)).toMatchObject({ headSha: "a".repeat(40), state: "closed", merged: true });
    await expect(getPullRequest(octokit, target, 4)).rejects.toMatchObject({ status: 404 });
  });

  it("gives a commit's committer date from git, and 422 for a sha it does not have", async () => {
    const sha = commitOn("feature", "2024-05-01T12:34:56+02:00");
    expect(await getCommitTime(octokit, target, sha)).toBe(Date.parse("2024-05-01T10:34:56Z"));
    expect(await getCommitTime(octokit, target, "feature")).toBe(Date.parse("2024-05-01T10:34:56Z"));
    await expect(getCommitTime(octokit, target, "b".repeat(40))).rejects.toMatchObject({ status: 422 });
  });
});

describe("comment webhooks", () => {
  beforeEach(() => github.repo(NAME).pulls.set(5, { headRef: "main", title: "Add search" }));

  it("builds a real issue_comment on the pull request for the fake repository, with the comment stored", () => {
    const event = commentEvent(github, { repo: NAME, pull: 5, body: "/deploy to staging", user: { login: "alice" }, createdAt: "2024-05-01T12:00:00.250Z" });
    expect(event).toMatchObject({
      action: "created",
      issue: { number: 5, title: "Add search", state: "open", pull_request: { url: `http://${github.host}/api/v3/repos/${NAME}/pulls/5` } },
      comment: { body: "/deploy to staging", user: { login: "alice", type: "User" }, created_at: "2024-05-01T12:00:00Z", author_association: "OWNER" },
      sender: { login: "alice" },
      repository: { full_name: NAME, name: "shop", owner: { login: "octo-org" }, default_branch: "main" },
      installation: { id: 77 },
    });
    expect(github.conversation.commentsOn(NAME, 5).map((c) => [c.id, c.user.login])).toEqual([[event.comment.id, "alice"]]);
  });

  it("sends it through deliver, edits it with the previous body in changes, and a bot's comment says Bot", async () => {
    const sent = await sendComment(github, { repo: NAME, pull: 5, body: "/deploy", user: { login: "alice" } });
    expect(sent.delivery).toMatchObject({ event: "issue_comment", action: "created", status_code: 200, installation_id: 77 });
    const edited = await sendComment(github, { repo: NAME, pull: 5, body: "/deploy!", user: { login: "alice" }, commentId: sent.commentId, action: "edited" });
    expect(edited.payload).toMatchObject({ action: "edited", changes: { body: { from: "/deploy" } }, comment: { id: sent.commentId, body: "/deploy!" } });
    expect(github.conversation.find(NAME, sent.commentId)?.bodies).toEqual(["/deploy", "/deploy!"]);
    const bot = commentEvent(github, { repo: NAME, pull: 5, body: "/deploy", user: { login: "other[bot]", type: "Bot" } });
    expect([bot.comment.user?.type, bot.sender.type]).toEqual(["Bot", "Bot"]);
    expect(received.map((r) => r.event)).toEqual(["issue_comment", "issue_comment"]);
  });

  it("waits for a reply and counts the requests and writes since a mark, token minting aside", async () => {
    const from = mark(github);
    await octokit.request("POST /app/installations/{installation_id}/access_tokens", { installation_id: 77 });
    const { data } = await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...target, issue_number: 5, body: "queued" });
    await getPermission(octokit, target, "alice");
    const done = waitForReply(github, NAME, 5, (r) => r.body.startsWith("success"));
    await octokit.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", { ...target, comment_id: data.id, body: "success in 3 s" });
    expect((await done).bodies).toEqual(["queued", "success in 3 s"]);
    expect(apiCallsSince(github, from)).toEqual({
      calls: [`POST /repos/${NAME}/issues/5/comments`, `GET /repos/${NAME}/collaborators/alice/permission`, `PATCH /repos/${NAME}/issues/comments/${data.id}`],
      requests: 3,
      writes: 2,
    });
  });
});

describe("deployments created through the API", () => {
  it("stores the payload as given, answers the id, and sends GitHub's deployment webhook", async () => {
    const payload = { notify: { user: "alice", user_name: "alice" }, heaven: { command: "/deploy" }, pull_request: 5 };
    const { status, data } = await octokit.request("POST /repos/{owner}/{repo}/deployments", { ...target, ref: "main", environment: "staging", payload });
    expect(status).toBe(201);
    expect(github.deploymentsOf(NAME)).toMatchObject([{ id: (data as { id: number }).id, payload, environment: "staging", sha: origin.sha }]);
    await github.waitFor(() => received.length === 1, "the deployment webhook");
    expect(received[0]).toMatchObject({ event: "deployment", payload: { deployment: { id: (data as { id: number }).id, payload }, installation: { id: 77 } } });
  });
});
