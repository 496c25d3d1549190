/**
 * Who may deploy from a pull-request comment, through Probot with GitHub
 * answered by nock: every repository role against the default rule (write),
 * `deployers: admin` for production, and a team rule. GitHub's answer about
 * the commenter is all that counts (the payload's author_association says
 * OWNER every time); a deployment is created, or ONE refusal is written, and
 * heaven asks nothing the test did not expect.
 */
import { describe, expect, it } from "@jest/globals";
import nock from "nock";
import { webhookExample } from "../helpers/examples.js";
import { githubScope, useTestApp, type ApiCall } from "../helpers/probot.js";

const OWNER = "Codertocat";
const REPO = "Hello-World";
const API = `/repos/${OWNER}/${REPO}`;
const CONFIG_PATH = `${API}/contents/.github%2Fheaven.yml`;
const PULL = 7;
const COMMENT_ID = 3_000_000_123;
const HEAD = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
const REPLY_PATH = `${API}/issues/${PULL}/comments`;

const harness = useTestApp();

/** The real `issue_comment` example moved onto pull request PULL of the deployment example's repository, written now by `login`. */
function commentPayload(login: string, body: string) {
  const { repository, installation } = webhookExample("deployment", (e) => e.installation !== undefined);
  const event = webhookExample("issue_comment", (e) => e.action === "created");
  event.repository = repository;
  event.installation = installation;
  event.issue = { ...event.issue, number: PULL, pull_request: { url: `https://api.github.com${API}/pulls/${PULL}`, html_url: "", diff_url: "", patch_url: "", merged_at: null } };
  event.comment = { ...event.comment, id: COMMENT_ID, body, created_at: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"), author_association: "OWNER", user: { ...event.comment.user, login, type: "User" } };
  event.sender = { ...event.sender, login, type: "User" };
  return event;
}

type Role = "none" | "read" | "triage" | "write" | "maintain" | "admin";
const BASE_PERMISSION: Record<Role, string> = { admin: "admin", maintain: "write", write: "write", triage: "read", read: "read", none: "none" };

/** GitHub's answers up to the permission check, and either the deployment's creation or the refusal. */
function expectCommand(scope: nock.Scope, options: { config: string; login: string; role: Role; allowed: boolean; teams?: Record<string, boolean> }) {
  const { login, role } = options;
  scope.get(CONFIG_PATH).reply(200, options.config);
  scope.post(`${API}/issues/comments/${COMMENT_ID}/reactions`).reply(201, { id: 1, content: "eyes" });
  // Not a collaborator: GitHub answers 404.
  if (role === "none") scope.get(`${API}/collaborators/${login}/permission`).reply(404, { message: "Not Found" });
  else scope.get(`${API}/collaborators/${login}/permission`).reply(200, { permission: BASE_PERMISSION[role], role_name: role, user: { login } });
  for (const [team, member] of Object.entries(options.teams ?? {})) {
    const [org, slug] = team.split("/");
    const path = `/orgs/${org}/teams/${slug}/memberships/${login}`;
    if (member) scope.get(path).reply(200, { role: "member", state: "active" });
    else scope.get(path).reply(404, { message: "Not Found" });
  }
  if (options.allowed) {
    const repo = { full_name: `${OWNER}/${REPO}` };
    scope.get(`${API}/pulls/${PULL}`).reply(200, { number: PULL, state: "open", merged: false, draft: false, head: { sha: HEAD, ref: "topic", repo }, base: { ref: "master", repo } });
    scope.get(`${API}/commits/${HEAD}`).reply(200, { sha: HEAD, commit: { committer: { date: "2024-01-01T00:00:00Z" } } });
    scope.post(`${API}/deployments`).reply(201, { id: 4711, sha: HEAD, ref: "topic", environment: "production" });
  } else {
    scope.post(REPLY_PATH).reply(201, { id: 9_000_001, body: "refused" });
  }
}

async function comment(login: string, body: string): Promise<void> {
  await harness.app().probot.receive({ id: `comment-${login}-${Math.random()}`, name: "issue_comment", payload: commentPayload(login, body) } as never);
  await harness.app().idle();
}

const created = (calls: ApiCall[]) => calls.filter((c) => c.method === "POST" && c.path === `${API}/deployments`);
const replies = (calls: ApiCall[]) => calls.filter((c) => c.method === "POST" && c.path === REPLY_PATH).map((c) => String(c.body?.body));

const ROLES: Role[] = ["none", "read", "triage", "write", "maintain", "admin"];
const RULES = [
  { rule: "default (write)", config: "environments:\n  production: null\n", needs: "write", at: 3 },
  { rule: "deployers: admin", config: "environments:\n  production:\n    deployers: admin\n", needs: "admin", at: 5 },
];

describe("who may deploy from a pull-request comment", () => {
  for (const { rule, config, needs, at } of RULES) {
    it.each(ROLES.map((role, rank) => ({ role, allowed: rank >= at })))(`${rule}: $role → allowed $allowed`, async ({ role, allowed }) => {
      const { scope, calls } = githubScope();
      expectCommand(scope, { config, login: "octo-dev", role, allowed });
      await comment("octo-dev", "/deploy to production");
      expect(scope.isDone()).toBe(true);
      if (allowed) {
        expect(created(calls).map((c) => c.body)).toEqual([expect.objectContaining({ ref: "topic", environment: "production", payload: expect.objectContaining({ notify: expect.objectContaining({ user: "octo-dev" }) }) })]);
        expect(replies(calls)).toEqual([]);
      } else {
        expect(created(calls)).toEqual([]);
        expect(replies(calls)).toEqual([`🚫 \`/deploy to production\`: @octo-dev may not act on production from here: it takes ${needs} access to this repository (you have ${role})`]);
      }
    });
  }

  describe("deployers: {role: admin, teams: [acme/sre]}", () => {
    const config = "environments:\n  production:\n    deployers:\n      role: admin\n      teams: [acme/sre]\n";

    it("a member of acme/sre with write access may deploy", async () => {
      const { scope, calls } = githubScope();
      expectCommand(scope, { config, login: "sre-sam", role: "write", allowed: true, teams: { "acme/sre": true } });
      await comment("sre-sam", "/deploy to production");
      expect(scope.isDone()).toBe(true);
      expect(created(calls)).toHaveLength(1);
      expect(replies(calls)).toEqual([]);
    });

    it("an admin may deploy, and heaven asks no team about them", async () => {
      const { scope, calls } = githubScope();
      expectCommand(scope, { config, login: "ada-admin", role: "admin", allowed: true });
      await comment("ada-admin", "/deploy to production");
      expect(scope.isDone()).toBe(true);
      expect(calls.filter((c) => c.path.startsWith("/orgs/"))).toEqual([]);
      expect(created(calls)).toHaveLength(1);
    });

    it("a non-member with write access is refused, naming the team", async () => {
      const { scope, calls } = githubScope();
      expectCommand(scope, { config, login: "dev-dana", role: "write", allowed: false, teams: { "acme/sre": false } });
      await comment("dev-dana", "/deploy to production");
      expect(scope.isDone()).toBe(true);
      expect(created(calls)).toEqual([]);
      expect(replies(calls)).toEqual(["🚫 `/deploy to production`: @dev-dana may not act on production from here: it takes admin access to this repository or membership of acme/sre (you have write)"]);
    });
  });

  describe("refusals after the permission check", () => {
    const config = "environments:\n  production: null\n";
    const repo = { full_name: `${OWNER}/${REPO}` };
    function allowedUpToPull(scope: nock.Scope, pull: { state: "open" | "closed"; committed?: string }) {
      scope.get(CONFIG_PATH).reply(200, config);
      scope.post(`${API}/issues/comments/${COMMENT_ID}/reactions`).reply(201, { id: 1, content: "eyes" });
      scope.get(`${API}/collaborators/octo-dev/permission`).reply(200, { permission: "write", role_name: "write" });
      scope.get(`${API}/pulls/${PULL}`).reply(200, { number: PULL, state: pull.state, merged: false, head: { sha: HEAD, ref: "topic", repo }, base: { ref: "master", repo } });
      if (pull.committed !== undefined) scope.get(`${API}/commits/${HEAD}`).reply(200, { commit: { committer: { date: pull.committed } } });
      scope.post(REPLY_PATH).reply(201, { id: 9_000_002 });
    }

    it("an environment the file does not list: refused before anyone is asked about", async () => {
      const { scope, calls } = githubScope();
      scope.get(CONFIG_PATH).reply(200, config);
      scope.post(`${API}/issues/comments/${COMMENT_ID}/reactions`).reply(201, { id: 1, content: "eyes" });
      scope.post(REPLY_PATH).reply(201, { id: 9_000_002 });
      await comment("octo-dev", "/deploy to qa");
      expect(scope.isDone()).toBe(true);
      expect(replies(calls)).toEqual(['🚫 `/deploy to qa`: environment "qa" is not in .github/heaven.yml (configured: production)']);
    });

    it("a closed pull request: refused", async () => {
      const { scope, calls } = githubScope();
      // A closed head will not be deployed: its commit time is not asked.
      allowedUpToPull(scope, { state: "closed" });
      await comment("octo-dev", "/deploy");
      expect(scope.isDone()).toBe(true);
      expect(created(calls)).toEqual([]);
      expect(replies(calls)).toEqual(["🚫 `/deploy`: this pull request is closed; reopen it, or name the ref to deploy"]);
    });

    it("a head committed after the comment: refused", async () => {
      const { scope, calls } = githubScope();
      allowedUpToPull(scope, { state: "open", committed: "2099-01-01T00:00:00Z" });
      await comment("octo-dev", "/deploy");
      expect(scope.isDone()).toBe(true);
      expect(created(calls)).toEqual([]);
      expect(replies(calls)).toEqual([`🚫 \`/deploy\`: the head moved to ${HEAD.slice(0, 7)} after your comment; comment again to deploy it`]);
    });
  });
});
