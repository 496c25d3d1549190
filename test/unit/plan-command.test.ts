import { describe, expect, it } from "@jest/globals";
import { checkDeployer, type Role } from "../../src/decisions/check-deployer.js";
import { planCommand, type PlanInput } from "../../src/decisions/plan-command.js";
import type { CommandComment } from "../../src/decisions/read-comment.js";
import { readComment } from "../../src/decisions/read-comment.js";
import { SHA } from "../helpers/provider-fixtures.js";

const COMMENT: CommandComment = { installationId: 1, owner: "acme", repo: "web", number: 7, commentId: 900, body: "/deploy", login: "alice", createdAt: Date.UTC(2026, 11, 1, 12), defaultBranch: "main" };
const PULL = { state: "open" as const, headSha: SHA, headRef: "feature", fromFork: false, baseRef: "main" };
const plan = (overrides: Partial<PlanInput>) =>
  planCommand({ command: { kind: "deploy", force: false, task: "deploy" }, text: "/deploy", comment: COMMENT, environment: "production", pull: PULL, headCommittedAt: COMMENT.createdAt - 60_000, allowForks: false, ...overrides });

describe("planCommand", () => {
  it("deploys the pull request's branch, insisting on the head it saw, naming the person and the comment", () => {
    expect(plan({})).toEqual({
      kind: "create",
      deployment: {
        environment: "production",
        ref: "feature",
        task: "deploy",
        payload: { notify: { user: "alice", user_name: "alice" }, heaven: { comment: { number: 7, id: 900 }, command: "/deploy", sha: SHA } },
        description: "deploy requested by @alice in #7",
      },
    });
  });

  it("forces past CI, the merge and locks with deploy!, and carries the task and host filter", () => {
    const forced = plan({ command: { kind: "deploy", force: true, task: "deploy:migrate", hosts: ["fe1", "fe2"] }, text: "/deploy!:migrate to production/fe1,fe2" });
    expect(forced).toMatchObject({ kind: "create", deployment: { task: "deploy:migrate", payload: { force: true, merge_default_branch: false, hosts: "fe1,fe2" }, description: "forced deploy requested by @alice in #7" } });
  });

  it("refuses a head committed after the comment, a fork and a closed pull request", () => {
    expect(plan({ headCommittedAt: COMMENT.createdAt + 1000 })).toEqual({ kind: "refuse", message: "the head moved to 0123456 after your comment; comment again to deploy it" });
    expect(plan({ pull: { ...PULL, fromFork: true } })).toMatchObject({ kind: "refuse", message: expect.stringContaining("comes from a fork") });
    expect(plan({ pull: { ...PULL, fromFork: true }, allowForks: true })).toMatchObject({ kind: "create" });
    expect(plan({ pull: { ...PULL, state: "closed" } })).toMatchObject({ kind: "refuse", message: expect.stringContaining("is closed") });
  });

  it("deploys a fork's head commit by its sha where forks are allowed: the fork's branch name would name this repository's branch", () => {
    const forked = plan({ pull: { ...PULL, headRef: "main", fromFork: true }, allowForks: true });
    expect(forked).toMatchObject({ kind: "create", deployment: { ref: SHA, payload: { heaven: { sha: SHA } } } });
  });

  it("deploys a named ref without insisting on the pull request's head", () => {
    const named = plan({ command: { kind: "deploy", force: false, task: "deploy", ref: "v1.2.3" }, headCommittedAt: COMMENT.createdAt + 1000 });
    expect(named).toMatchObject({ kind: "create", deployment: { ref: "v1.2.3" } });
    expect(named.kind === "create" && "sha" in (named.deployment.payload.heaven as object)).toBe(false);
  });

  it("locks with the reason and duration, unlocks and rolls back on the default branch", () => {
    expect(plan({ command: { kind: "lock", environment: "production", reason: "db work", ttlSeconds: 7200 } })).toMatchObject({
      kind: "create",
      deployment: { task: "deploy:lock", ref: "main", payload: { reason: "db work", ttl: 7200 }, description: "db work" },
    });
    expect(plan({ command: { kind: "unlock", environment: "production" } })).toMatchObject({ kind: "create", deployment: { task: "deploy:unlock", ref: "main" } });
    expect(plan({ command: { kind: "rollback", environment: "production" } })).toMatchObject({ kind: "create", deployment: { task: "deploy:rollback" } });
  });
});

describe("checkDeployer", () => {
  const roles: Role[] = ["none", "read", "triage", "write", "maintain", "admin"];
  it.each(roles.map((role, rank) => [role, rank >= 3, rank >= 5]))("role %s: may deploy by default %s, where admin is asked %s", (role, byDefault, adminOnly) => {
    expect(checkDeployer({ login: "bob", role, teams: [] }, { role: "write", teams: [] }, "production").ok).toBe(byDefault);
    expect(checkDeployer({ login: "bob", role, teams: [] }, { role: "admin", teams: [] }, "production").ok).toBe(adminOnly);
  });

  it("lets a member of a listed team through, and says what it takes otherwise", () => {
    const rule = { role: "admin" as const, teams: ["acme/sre"] };
    expect(checkDeployer({ login: "bob", role: "write", teams: ["acme/sre"] }, rule, "production")).toEqual({ ok: true });
    expect(checkDeployer({ login: "bob", role: "write", teams: [] }, rule, "production")).toEqual({
      ok: false,
      message: "@bob may not act on production from here: it takes admin access to this repository or membership of acme/sre (you have write)",
    });
  });
});

describe("readComment", () => {
  const event = (overrides: Record<string, unknown> = {}) => ({
    action: "created",
    issue: { number: 7, pull_request: { url: "x" } },
    comment: { id: 900, body: "/deploy", created_at: "2026-12-01T12:00:00Z", user: { login: "alice", type: "User" } },
    repository: { name: "web", owner: { login: "acme" }, default_branch: "main" },
    installation: { id: 1 },
    ...overrides,
  });

  it("reads a new comment by a person on a pull request", () => {
    expect(readComment(event())).toEqual({ ...COMMENT, body: "/deploy" });
  });

  it("ignores edits, issues that are not pull requests, and bots (heaven included)", () => {
    expect(readComment(event({ action: "edited" }))).toBeUndefined();
    expect(readComment(event({ issue: { number: 7 } }))).toBeUndefined();
    expect(readComment(event({ comment: { id: 900, body: "/deploy", created_at: "2026-12-01T12:00:00Z", user: { login: "heaven[bot]", type: "Bot" } } }))).toBeUndefined();
  });
});
