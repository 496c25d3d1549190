import { describe, expect, it } from "@jest/globals";
import type { DeploymentJob } from "../../src/core/job.js";
import { ParkedChecks } from "../../src/server/parked-checks.js";
import { authorizeToken, cachedInstallations, matchRepoPath } from "../../src/server/release-api-auth.js";

describe("matchRepoPath", () => {
  it("reads owner and repository from the API's paths, and nothing else", () => {
    expect(matchRepoPath("/api/repos/acme/app.web/environments", "environments")).toEqual({ owner: "acme", repo: "app.web" });
    expect(matchRepoPath("/api/repos/acme/app/environments/", "environments")).toEqual({ owner: "acme", repo: "app" });
    expect(matchRepoPath("/api/repos/acme/app/deployments", "environments")).toBeUndefined();
    expect(matchRepoPath("/api/repos/acme/../environments", "environments")).toBeUndefined();
    expect(matchRepoPath("/api/repos/acme/a%2Fb/environments", "environments")).toBeUndefined();
    expect(matchRepoPath("/api/repos/acme/app/x/environments", "environments")).toBeUndefined();
  });
});

describe("authorizeToken (the API's rule, for the dashboard's pages)", () => {
  const target = { owner: "acme", repo: "app" };
  const auth = (access: "readable" | "hidden" | "bad-token", installationId: number | undefined) => ({
    access: { check: async () => (access === "readable" ? { kind: "readable" as const, defaultBranch: "trunk" } : { kind: access }) },
    installationOf: async () => installationId,
  });
  it("authorizes a person who can read a repository heaven serves, with its default branch and installation", async () => {
    expect(await authorizeToken("t", target, auth("readable", 7))).toEqual({ kind: "authorized", authorized: { target, installationId: 7, defaultBranch: "trunk" } });
  });
  it("says not-found alike for a repository the person cannot read and one heaven is not installed on", async () => {
    expect(await authorizeToken("t", target, auth("hidden", 7))).toEqual({ kind: "not-found" });
    expect(await authorizeToken("t", target, auth("readable", undefined))).toEqual({ kind: "not-found" });
    expect(await authorizeToken("t", target, auth("bad-token", 7))).toEqual({ kind: "bad-token" });
  });
});

describe("cachedInstallations", () => {
  it("asks GitHub once per repository within the TTL, including when heaven is not installed", async () => {
    let clock = 0;
    const asked: string[] = [];
    const installationOf = cachedInstallations(async (t) => (asked.push(t.repo), t.repo === "app" ? 7 : undefined), 60_000, () => clock);
    expect(await installationOf({ owner: "acme", repo: "app" })).toBe(7);
    expect(await installationOf({ owner: "Acme", repo: "APP" })).toBe(7);
    expect(await installationOf({ owner: "acme", repo: "other" })).toBeUndefined();
    expect(await installationOf({ owner: "acme", repo: "other" })).toBeUndefined();
    expect(asked).toEqual(["app", "other"]);
    clock = 60_000;
    await installationOf({ owner: "acme", repo: "app" });
    expect(asked).toEqual(["app", "other", "app"]);
  });
});

describe("ParkedChecks", () => {
  const job = { key: "acme/app#41" } as DeploymentJob;

  it("remembers the checks a parked deployment waits for until it starts", async () => {
    const parked = new ParkedChecks();
    await parked.publish(job, { type: "waiting-for-ci", sha: "a".repeat(40), waiting: ["ci/test", "lint"], deadline: 0 }, "");
    expect(parked.of(job.key)).toEqual(["ci/test", "lint"]);
    await parked.publish(job, { type: "started", sha: "a".repeat(40), forcedOver: undefined, environmentUrl: undefined }, "");
    expect(parked.of(job.key)).toBeUndefined();
  });

  it("forgets them when the deployment ends without starting (CI timed out)", async () => {
    const parked = new ParkedChecks();
    await parked.publish(job, { type: "waiting-for-ci", sha: "a".repeat(40), waiting: ["ci/test"], deadline: 0 }, "");
    await parked.publish(job, { type: "finished", outcome: { kind: "ci-timed-out", sha: "a".repeat(40), waiting: ["ci/test"], minutes: 30 }, environmentUrl: undefined }, "");
    expect(parked.of(job.key)).toBeUndefined();
  });
});
