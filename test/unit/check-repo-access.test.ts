/** Whether a person's token can read a repository, asked of the fake GitHub (its `readers` play GitHub's permissions). */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { RepoAccessCheck } from "../../src/github/check-repo-access.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { createRepo, tempDir } from "../helpers/git-repo.js";

const ALICE = "ghp_alice000000000000000000000000000000000";
const BOB = "ghp_bob00000000000000000000000000000000000";
let tmp: ReturnType<typeof tempDir>;
let github: FakeGitHub;
let clock = 0;

beforeAll(async () => {
  tmp = tempDir("heaven-access-");
  github = new FakeGitHub();
  await github.start();
  github.addRepo("acme/secret", { dir: createRepo(tmp.path, "secret").dir, defaultBranch: "trunk" });
  github.readers.set("acme/secret", new Set(["alice"]));
  github.userTokens.set(ALICE, "alice");
  github.userTokens.set(BOB, "bob");
});

afterAll(async () => {
  await github.stop();
  tmp.remove();
});

const check = () => new RepoAccessCheck({ apiBaseUrl: async () => `http://${github.host}/api/v3`, ttlMs: 60_000, now: () => clock });
const target = { owner: "acme", repo: "secret" };

describe("RepoAccessCheck", () => {
  it("says a reader can read, with the default branch, and one who cannot read is not told the repository exists", async () => {
    const access = check();
    expect(await access.check(ALICE, target)).toEqual({ kind: "readable", defaultBranch: "trunk" });
    expect(await access.check(BOB, target)).toEqual({ kind: "hidden" });
    expect(await access.check(ALICE, { owner: "acme", repo: "nothing-here" })).toEqual({ kind: "hidden" });
  });

  it("tells a token GitHub does not know from one without access", async () => {
    expect(await check().check("ghp_unknown0000000000000000000000000000000", target)).toEqual({ kind: "bad-token" });
  });

  it("keeps an answer for its TTL per token and repository, then asks again", async () => {
    const access = check();
    await access.check(ALICE, target);
    await access.check(ALICE, target);
    await access.check(BOB, target);
    expect(access.requests).toBe(2);
    clock += 60_000;
    await access.check(ALICE, target);
    expect(access.requests).toBe(3);
  });
});
