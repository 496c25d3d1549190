/**
 * The pull-request command adapters against Probot's Octokit (token auth,
 * retries and throttling off), GitHub answered by nock with the shapes its
 * REST documentation shows.
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import type { components } from "@octokit/openapi-types";
import nock from "nock";
import { quietOctokit } from "../helpers/app-credentials.js";
import { addReaction, getCommitTime, getPermission, getPullRequest, isTeamMember } from "../../src/github/conversation-api.js";

type PermissionAnswer = Omit<components["schemas"]["repository-collaborator-permission"], "user">;
type MembershipAnswer = components["schemas"]["team-membership"];

const API = "https://api.github.com";
const target = { owner: "octo-org", repo: "shop" };
const SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
const octokit = new (quietOctokit())({ auth: "ghs_test" });

afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

/** The fields of GitHub's "Get a pull request" answer the adapter reads (plus a few it must ignore). */
function pullAnswer(fields: { headRepo?: string | null; state?: string; merged?: boolean; draft?: boolean } = {}) {
  const headRepo = fields.headRepo === undefined ? "octo-org/shop" : fields.headRepo;
  return {
    url: `${API}/repos/octo-org/shop/pulls/1347`,
    number: 1347,
    state: fields.state ?? "open",
    title: "Amazing new feature",
    merged: fields.merged ?? false,
    draft: fields.draft ?? false,
    head: { label: "octocat:new-topic", ref: "new-topic", sha: SHA, repo: headRepo === null ? null : { full_name: headRepo, fork: headRepo !== "octo-org/shop" } },
    base: { label: "octo-org:main", ref: "main", sha: "1".repeat(40), repo: { full_name: "octo-org/shop", fork: false } },
  };
}

describe("getPullRequest", () => {
  it("reads the head, base and state of a pull request from the same repository", async () => {
    nock(API).get("/repos/octo-org/shop/pulls/1347").reply(200, pullAnswer());
    expect(await getPullRequest(octokit, target, 1347)).toEqual({
      number: 1347,
      state: "open",
      merged: false,
      draft: false,
      headSha: SHA,
      headRef: "new-topic",
      headRepoFullName: "octo-org/shop",
      baseRepoFullName: "octo-org/shop",
      baseRef: "main",
      fromFork: false,
    });
  });

  it("tells a fork's pull request, and one whose fork was deleted (head.repo null), from the repository's own", async () => {
    nock(API).get("/repos/octo-org/shop/pulls/1347").reply(200, pullAnswer({ headRepo: "octocat/shop" }));
    expect(await getPullRequest(octokit, target, 1347)).toMatchObject({ headRepoFullName: "octocat/shop", fromFork: true });
    nock(API).get("/repos/octo-org/shop/pulls/1347").reply(200, pullAnswer({ headRepo: null }));
    expect(await getPullRequest(octokit, target, 1347)).toMatchObject({ headRepoFullName: undefined, fromFork: true });
  });

  it("reads a merged draft as closed, merged and draft", async () => {
    nock(API).get("/repos/octo-org/shop/pulls/1347").reply(200, pullAnswer({ state: "closed", merged: true, draft: true }));
    expect(await getPullRequest(octokit, target, 1347)).toMatchObject({ state: "closed", merged: true, draft: true });
  });

  it("throws on an answer without a full head sha, naming the field", async () => {
    const answer = pullAnswer();
    nock(API).get("/repos/octo-org/shop/pulls/1347").reply(200, { ...answer, head: { ...answer.head, sha: "6dcb09b" } });
    await expect(getPullRequest(octokit, target, 1347)).rejects.toThrow(/malformed pull request #1347: head\.sha/);
  });

  it("lets a 404 through: no such pull request is not something to guess about", async () => {
    nock(API).get("/repos/octo-org/shop/pulls/9").reply(404, { message: "Not Found" });
    await expect(getPullRequest(octokit, target, 9)).rejects.toMatchObject({ status: 404 });
  });
});

describe("getCommitTime", () => {
  it("reads the committer date (not the author date) as epoch ms", async () => {
    nock(API)
      .get(`/repos/octo-org/shop/commits/${SHA}`)
      .reply(200, { sha: SHA, commit: { author: { date: "2011-04-14T16:00:49Z" }, committer: { date: "2011-04-15T09:30:00Z" }, message: "Fix all the bugs" } });
    expect(await getCommitTime(octokit, target, SHA)).toBe(Date.parse("2011-04-15T09:30:00Z"));
  });

  it("throws on a date that is not one, and on an answer without a committer", async () => {
    nock(API).get(`/repos/octo-org/shop/commits/${SHA}`).reply(200, { commit: { committer: { date: "yesterday" } } });
    await expect(getCommitTime(octokit, target, SHA)).rejects.toThrow(/committer date "yesterday"/);
    nock(API).get(`/repos/octo-org/shop/commits/${SHA}`).reply(200, { commit: {} });
    await expect(getCommitTime(octokit, target, SHA)).rejects.toThrow(/malformed commit .*commit\.committer/);
  });

  it("lets a 422 (no such commit) through", async () => {
    nock(API).get(`/repos/octo-org/shop/commits/${SHA}`).reply(422, { message: `No commit found for SHA: ${SHA}` });
    await expect(getCommitTime(octokit, target, SHA)).rejects.toMatchObject({ status: 422 });
  });
});

describe("getPermission", () => {
  const answering = (answer: PermissionAnswer) => nock(API).get("/repos/octo-org/shop/collaborators/alice/permission").reply(200, { ...answer, user: { login: "alice" } });

  it.each([
    [{ permission: "admin", role_name: "admin" }, "admin"],
    [{ permission: "write", role_name: "maintain" }, "maintain"],
    [{ permission: "write", role_name: "write" }, "write"],
    [{ permission: "read", role_name: "triage" }, "triage"],
    [{ permission: "read", role_name: "read" }, "read"],
    [{ permission: "none", role_name: "none" }, "none"],
  ] as const)("reads %j as %s: role_name tells maintain and triage apart", async (answer, expected) => {
    answering(answer);
    expect(await getPermission(octokit, target, "alice")).toBe(expected);
  });

  it("falls back to the base permission for a custom role, and when role_name is missing", async () => {
    answering({ permission: "write", role_name: "deployer" });
    expect(await getPermission(octokit, target, "alice")).toBe("write");
    nock(API).get("/repos/octo-org/shop/collaborators/alice/permission").reply(200, { permission: "read" });
    expect(await getPermission(octokit, target, "alice")).toBe("read");
  });

  it("reads a 404 (not a collaborator) as none", async () => {
    nock(API).get("/repos/octo-org/shop/collaborators/mallory/permission").reply(404, { message: "Not Found" });
    expect(await getPermission(octokit, target, "mallory")).toBe("none");
  });

  it("throws on any other failure and on an unknown permission, so the caller refuses", async () => {
    nock(API).get("/repos/octo-org/shop/collaborators/alice/permission").reply(500, { message: "Server Error" });
    await expect(getPermission(octokit, target, "alice")).rejects.toMatchObject({ status: 500 });
    nock(API).get("/repos/octo-org/shop/collaborators/alice/permission").reply(403, { message: "Resource not accessible by integration" });
    await expect(getPermission(octokit, target, "alice")).rejects.toMatchObject({ status: 403 });
    answering({ permission: "superuser", role_name: "superuser" });
    await expect(getPermission(octokit, target, "alice")).rejects.toThrow(/malformed permission of alice: "superuser"/);
    nock(API).get("/repos/octo-org/shop/collaborators/alice/permission").reply(200, { role_name: "admin" });
    await expect(getPermission(octokit, target, "alice")).rejects.toThrow(/malformed permission of alice: permission/);
  });
});

describe("isTeamMember", () => {
  const membership = (state: MembershipAnswer["state"]): MembershipAnswer => ({ url: `${API}/teams/1/memberships/alice`, role: "member", state });

  it("is true for an active membership only, false for a pending invitation", async () => {
    nock(API).get("/orgs/octo-org/teams/deployers/memberships/alice").reply(200, membership("active"));
    expect(await isTeamMember(octokit, "octo-org", "deployers", "alice")).toBe(true);
    nock(API).get("/orgs/octo-org/teams/deployers/memberships/alice").reply(200, membership("pending"));
    expect(await isTeamMember(octokit, "octo-org", "deployers", "alice")).toBe(false);
  });

  it("is false on a 404 (no such member or team) and throws on other failures and malformed answers", async () => {
    nock(API).get("/orgs/octo-org/teams/deployers/memberships/bob").reply(404, { message: "Not Found" });
    expect(await isTeamMember(octokit, "octo-org", "deployers", "bob")).toBe(false);
    nock(API).get("/orgs/octo-org/teams/deployers/memberships/bob").reply(502, { message: "Bad Gateway" });
    await expect(isTeamMember(octokit, "octo-org", "deployers", "bob")).rejects.toMatchObject({ status: 502 });
    nock(API).get("/orgs/octo-org/teams/deployers/memberships/bob").reply(200, { role: "member" });
    await expect(isTeamMember(octokit, "octo-org", "deployers", "bob")).rejects.toThrow(/malformed membership of bob in octo-org\/deployers/);
  });
});

describe("addReaction", () => {
  it("posts the content on the comment's reactions", async () => {
    const posted = nock(API)
      .post("/repos/octo-org/shop/issues/comments/492700400/reactions", { content: "eyes" })
      .reply(201, { id: 1, content: "eyes", user: { login: "heaven[bot]" } });
    await addReaction(octokit, target, 492700400, "eyes");
    expect(posted.isDone()).toBe(true);
  });

  it("throws when GitHub refuses (a deleted comment)", async () => {
    nock(API).post("/repos/octo-org/shop/issues/comments/1/reactions").reply(404, { message: "Not Found" });
    await expect(addReaction(octokit, target, 1, "rocket")).rejects.toMatchObject({ status: 404 });
  });
});
