/** The repositories a person sees, against the fake GitHub's user endpoints (paging as GitHub pages). */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createUserOctokit, getUserLogin, listUserRepositories } from "../../src/github/user-repositories.js";
import { FakeGitHub } from "../helpers/fake-github.js";

let github: FakeGitHub;
const ALICE = "ghu_alicetoken000000000000000000000000";
const BOB = "ghu_bobtoken00000000000000000000000000";

beforeAll(async () => {
  github = new FakeGitHub();
  await github.start();
  // More than one page of 100 in one installation.
  for (let i = 0; i < 105; i += 1) github.addRepo(`big/repo-${String(i).padStart(3, "0")}`, { dir: "/nonexistent", installationId: 7 });
  github.addRepo("small/open", { dir: "/nonexistent", installationId: 8 });
  github.addRepo("small/closed", { dir: "/nonexistent", installationId: 8 });
  github.readers.set("small/closed", new Set(["alice"]));
  github.userTokens.set(ALICE, "alice");
  github.userTokens.set(BOB, "bob");
});

afterAll(async () => {
  await github?.stop();
});

const asPerson = (token: string) => createUserOctokit(`http://${github.host}/api/v3`, token);

describe("listUserRepositories", () => {
  it("lists every repository of every installation the person can access, across pages, sorted by name", async () => {
    const repositories = await listUserRepositories(asPerson(ALICE), 1);
    expect(repositories).toHaveLength(107);
    expect(repositories.at(0)).toEqual({ fullName: "big/repo-000", owner: "big", name: "repo-000", private: false, installationId: 7 });
    expect(repositories.filter((r) => r.installationId === 8).map((r) => r.fullName)).toEqual(["small/closed", "small/open"]);
    expect(github.requests.filter((r) => r.path === "/user/installations/7/repositories").map((r) => r.query.page ?? "1")).toEqual(["1", "2"]);
  });

  it("leaves out what the person cannot see", async () => {
    const names = (await listUserRepositories(asPerson(BOB), 1)).map((r) => r.fullName);
    expect(names).toContain("small/open");
    expect(names).not.toContain("small/closed");
  });

  it("leaves out installations of another app", async () => {
    expect(await listUserRepositories(asPerson(ALICE), 2)).toEqual([]);
  });

  it("fails with GitHub's 401 for a token GitHub does not know", async () => {
    await expect(listUserRepositories(asPerson("ghu_unknown000000000000000000000000000"), 1)).rejects.toMatchObject({ status: 401 });
  });
});

describe("getUserLogin", () => {
  it("names the token's person", async () => {
    expect(await getUserLogin(asPerson(BOB))).toBe("bob");
  });
});
