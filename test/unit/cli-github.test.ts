import { describe, expect, it } from "@jest/globals";
import type { Lock } from "../../src/core/lock.js";
import { planCommand } from "../../src/decisions/plan-command.js";
import type { CommandComment } from "../../src/decisions/read-comment.js";
import { exitCodeOf, type SeenStatus } from "../../src/cli/github/follow-statuses.js";
import { createParams, planCliRecord, type CliVerb } from "../../src/github/plan-records.js";
import { renderDeploysTable, renderWcidTable } from "../../src/cli/github/render-tables.js";
import { apiBaseUrl, githubHost, parseRepoOption, repoFromRemoteUrl } from "../../src/cli/github/target.js";
import { resolveToken, tokenFromEnv } from "../../src/cli/github/token.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const ACTOR = { login: "alice", defaultBranch: "main", command: "heaven lock production" };

describe("the repository and the GitHub the command line talks to", () => {
  it("reads -R owner/repo, and HOST/owner/repo for the host in use only", () => {
    expect(parseRepoOption("octo/hello", "github.com")).toEqual({ ok: true, value: { owner: "octo", repo: "hello" } });
    expect(parseRepoOption("ghe.example.com/octo/hello", "ghe.example.com")).toEqual({ ok: true, value: { owner: "octo", repo: "hello" } });
    for (const bad of ["octo", "octo/hello/extra", "other.host/octo/hello", "octo/..", "octo/hel lo"]) {
      expect(parseRepoOption(bad, "github.com")).toMatchObject({ ok: false, message: expect.stringContaining("owner/repo") });
    }
  });

  it("reads owner/repo from https, scp-like and ssh remotes of the host, and nothing from other hosts", () => {
    expect(repoFromRemoteUrl("https://github.com/octo/hello.git", "github.com")).toEqual({ owner: "octo", repo: "hello" });
    expect(repoFromRemoteUrl("git@github.com:octo/hello.git", "github.com")).toEqual({ owner: "octo", repo: "hello" });
    expect(repoFromRemoteUrl("ssh://git@ghe.example.com:2222/octo/hello", "ghe.example.com")).toEqual({ owner: "octo", repo: "hello" });
    expect(repoFromRemoteUrl("https://token@github.com/octo/hello/", "github.com")).toEqual({ owner: "octo", repo: "hello" });
    expect(repoFromRemoteUrl("git@gitlab.com:octo/hello.git", "github.com")).toBeUndefined();
    expect(repoFromRemoteUrl("https://github.com/octo/hello/tree/main", "github.com")).toBeUndefined();
  });

  it("uses api.github.com, GH_HOST's /api/v3, or HEAVEN_GITHUB_API_URL", () => {
    expect(apiBaseUrl({})).toBe("https://api.github.com");
    expect(githubHost({ GH_HOST: "https://GHE.example.com/" })).toBe("ghe.example.com");
    expect(apiBaseUrl({ GH_HOST: "ghe.example.com" })).toBe("https://ghe.example.com/api/v3");
    expect(apiBaseUrl({ GH_HOST: "ghe.example.com", HEAVEN_GITHUB_API_URL: "http://127.0.0.1:9/api/v3/" })).toBe("http://127.0.0.1:9/api/v3");
  });
});

describe("the token", () => {
  it("is looked for in gh's order: GH_TOKEN, then GITHUB_TOKEN; the Enterprise variables first on another host", () => {
    expect(tokenFromEnv({ GITHUB_TOKEN: "b", GH_TOKEN: "a" }, "github.com")).toEqual({ token: "a", from: "GH_TOKEN" });
    expect(tokenFromEnv({ GITHUB_TOKEN: "b", GH_TOKEN: " " }, "github.com")).toEqual({ token: "b", from: "GITHUB_TOKEN" });
    expect(tokenFromEnv({ GH_ENTERPRISE_TOKEN: "e", GH_TOKEN: "a" }, "github.com")).toEqual({ token: "a", from: "GH_TOKEN" });
    expect(tokenFromEnv({ GH_ENTERPRISE_TOKEN: "e", GH_TOKEN: "a" }, "ghe.example.com")).toEqual({ token: "e", from: "GH_ENTERPRISE_TOKEN" });
  });

  it("is asked of gh (for the host) only when no variable has one, and its absence says what to set", async () => {
    const asked: string[] = [];
    const fromGh = await resolveToken({}, "ghe.example.com", async (host) => (asked.push(host), { kind: "token", token: "gho_x" }));
    expect(fromGh).toEqual({ ok: true, token: "gho_x", from: "gh auth token" });
    expect(asked).toEqual(["ghe.example.com"]);
    await resolveToken({ GH_TOKEN: "a" }, "github.com", async () => {
      throw new Error("gh must not be asked");
    });
    const none = await resolveToken({}, "github.com", async () => ({ kind: "missing" }));
    expect(none).toEqual({ ok: false, message: "no GitHub token for github.com: set GH_TOKEN or GITHUB_TOKEN, or log in with gh auth login (gh is not installed)" });
  });
});

describe("the records each verb creates", () => {
  const comment: CommandComment = { installationId: 1, owner: "acme", repo: "web", number: 7, commentId: 900, body: "", login: "alice", createdAt: 0, defaultBranch: "main" };
  /** What /lock, /unlock, /rollback create for the same command, without the comment to reply to. */
  const fromPullRequest = (command: Parameters<typeof planCommand>[0]["command"]) => {
    const plan = planCommand({ command, text: "/x", comment, environment: "production", allowForks: false });
    if (plan.kind !== "create") throw new Error("expected a record");
    const { heaven: _heaven, ...payload } = plan.deployment.payload;
    return { ...plan.deployment, payload };
  };
  const fromCli = (verb: CliVerb) => {
    const plan = planCliRecord(verb, ACTOR);
    if (!plan.ok) throw new Error(plan.message);
    const { heaven, ...payload } = plan.deployment.payload;
    expect(heaven).toEqual({ command: ACTOR.command });
    return { ...plan.deployment, payload };
  };

  it("lock, unlock and rollback are the pull-request commands' records", () => {
    expect(fromCli({ kind: "lock", environment: "production", reason: "db work", ttlSeconds: 7200 })).toEqual(fromPullRequest({ kind: "lock", environment: "production", reason: "db work", ttlSeconds: 7200 }));
    expect(fromCli({ kind: "unlock", environment: "production" })).toEqual(fromPullRequest({ kind: "unlock", environment: "production" }));
    expect(fromCli({ kind: "rollback", environment: "production" })).toEqual(fromPullRequest({ kind: "rollback", environment: "production" }));
  });

  it("a forced deploy with a task and hosts carries what /deploy! does; a bare task name means deploy:<name>", () => {
    const cli = fromCli({ kind: "deploy", environment: "production", ref: "v1", task: "migrate", force: true, hosts: ["fe1", "fe2"] });
    expect(cli).toMatchObject({ ref: "v1", task: "deploy:migrate", payload: { notify: { user: "alice", user_name: "alice" }, force: true, merge_default_branch: false, hosts: "fe1,fe2" } });
    expect(fromCli({ kind: "deploy", environment: "staging" })).toMatchObject({ ref: "main", task: "deploy", payload: { notify: { user: "alice" } } });
  });

  it("refuses heaven's own tasks and bad host names before anything is created", () => {
    expect(planCliRecord({ kind: "deploy", environment: "production", task: "lock" }, ACTOR)).toEqual({ ok: false, message: "deploy:lock is heaven's own task: use heaven lock" });
    expect(planCliRecord({ kind: "deploy", environment: "production", task: "x y" }, ACTOR)).toMatchObject({ ok: false });
    expect(planCliRecord({ kind: "deploy", environment: "production", hosts: ["-oProxy"] }, ACTOR)).toMatchObject({ ok: false, message: expect.stringContaining("not a host name") });
  });

  it("names where the person acted: the dashboard's records differ from the command line's only in those words", () => {
    const dashboard = { ...ACTOR, from: "the dashboard" };
    expect(planCliRecord({ kind: "lock", environment: "staging" }, dashboard)).toMatchObject({ ok: true, deployment: { payload: { reason: "locked from the dashboard" } } });
    expect(planCliRecord({ kind: "deploy", environment: "staging" }, dashboard)).toMatchObject({ ok: true, deployment: { description: "deploy requested by @alice from the dashboard" } });
    expect(planCliRecord({ kind: "deploy", environment: "staging" }, ACTOR)).toMatchObject({ ok: true, deployment: { description: "deploy requested by @alice from the command line" } });
  });

  it("a plain deploy lets GitHub check CI at creation; --force and locks skip it, as hubot-deploy does; never auto-merge", () => {
    const target = { owner: "acme", repo: "web" };
    const plain = planCliRecord({ kind: "deploy", environment: "production" }, ACTOR);
    const forced = planCliRecord({ kind: "deploy", environment: "production", force: true }, ACTOR);
    const lock = planCliRecord({ kind: "lock", environment: "staging" }, ACTOR);
    if (!plain.ok || !forced.ok || !lock.ok) throw new Error("expected plans");
    expect(createParams(target, plain)).not.toHaveProperty("required_contexts");
    expect(createParams(target, plain)).toMatchObject({ owner: "acme", repo: "web", auto_merge: false, production_environment: true });
    expect(createParams(target, forced)).toMatchObject({ required_contexts: [], auto_merge: false });
    expect(createParams(target, lock)).toMatchObject({ required_contexts: [], task: "deploy:lock", production_environment: false });
  });
});

describe("--wait's exit status", () => {
  const status = (id: number, state: string): SeenStatus => ({ id, state, description: "", logUrl: undefined, environmentUrl: undefined, createdAt: "" });
  it("is 0 on success (even if later made inactive), 1 on failure, 2 on error or inactive alone, undefined while it goes on", () => {
    expect(exitCodeOf([status(1, "queued"), status(2, "in_progress")])).toBeUndefined();
    expect(exitCodeOf([status(1, "in_progress"), status(2, "success"), status(3, "inactive")])).toBe(0);
    expect(exitCodeOf([status(1, "failure")])).toBe(1);
    expect(exitCodeOf([status(1, "error")])).toBe(2);
    expect(exitCodeOf([status(1, "inactive")])).toBe(2);
  });
});

describe("the wcid and deploys tables", () => {
  const lock: Lock = { owner: "alice", reason: "db work", since: "2026-12-01T10:00:00Z", expiresAt: "2026-12-01T12:00:00Z", kind: "explicit", branch: undefined, recordId: 3 };
  it("show each environment's deployed ref and sha, when, by whom, its lock with expiry, and what waits, in aligned columns", () => {
    const table = renderWcidTable([
      { name: "production", deployed: { ref: "main", sha: SHA, by: "bob", at: "2026-12-01T09:30:00Z" }, lock, queue: [{ state: "parked", label: "feature 89abcde by @carol: waiting for CI on 89abcde: test" }] },
      { name: "staging", deployed: undefined, lock: { ...lock, kind: "branch", branch: "topic", expiresAt: undefined, owner: "dave" }, queue: [] },
    ]);
    expect(table.split("\n")).toEqual([
      "ENVIRONMENT  DEPLOYED      WHEN                  BY    LOCK                                                   QUEUED/PARKED",
      "production   main 0123456  2026-12-01 09:30 UTC  @bob  locked by @alice: db work, until 2026-12-01 12:00 UTC  parked: feature 89abcde by @carol: waiting for CI on 89abcde: test",
      "staging      —             —                     —     locked by @dave (deployed topic)                       —",
    ]);
    expect(renderWcidTable([])).toMatch(/^No environments yet/);
  });

  it("list recent deployments with their states", () => {
    const table = renderDeploysTable("production", [{ id: 1001, environment: "production", ref: "main", sha: SHA, by: "bob", at: "2026-12-01T09:30:00Z", state: undefined }]);
    expect(table.split("\n")).toEqual(["ID    ENVIRONMENT  REF           BY    WHEN                  STATE", "1001  production   main 0123456  @bob  2026-12-01 09:30 UTC  —"]);
    expect(renderDeploysTable("staging", [])).toBe("No deployments to staging yet.");
  });
});
