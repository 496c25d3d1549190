/** A cache clone whose first fetch failed is removed, not left behind empty. */
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { existsSync, renameSync } from "node:fs";
import { join } from "node:path";
import { Workspaces } from "../../src/engine/workspace.js";
import { createRepo, tempDir, type GitRepo } from "../helpers/git-repo.js";

let root: ReturnType<typeof tempDir>;
let origin: GitRepo & { sha: string };
let workspaces: Workspaces;

beforeEach(() => {
  root = tempDir("heaven-first-fetch-");
  origin = createRepo(root.path, "origin", { VERSION: "1\n" });
  workspaces = new Workspaces(join(root.path, "data"), { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: root.path });
});

afterEach(() => root.remove());

describe("a cache whose first fetch fails", () => {
  it("is removed after a failed checkout, and the next checkout of the repository from a good URL works", async () => {
    const badUrl = join(root.path, "no-such-repository");
    const failed = await workspaces.checkout({ repository: "octo/app", cloneUrl: badUrl, sha: origin.sha });
    expect(failed).toMatchObject({ kind: "failed", message: expect.stringContaining("could not fetch") });
    expect(existsSync(workspaces.cacheDir("octo/app", badUrl))).toBe(false);

    const good = await workspaces.checkout({ repository: "octo/app", cloneUrl: origin.dir, sha: origin.sha });
    if (good.kind !== "ready") throw new Error(good.message);
    expect(existsSync(join(good.dir, "VERSION"))).toBe(true);
    await good.release();
  });

  it("is removed after a failed fetch of branches and tags (the command line's)", async () => {
    const badUrl = join(root.path, "no-such-repository");
    expect(await workspaces.fetch("octo/app", badUrl)).toMatchObject({ ok: false });
    expect(existsSync(workspaces.cacheDir("octo/app", badUrl))).toBe(false);
  });

  it("keeps a cache that fetched before when a later fetch fails", async () => {
    expect(await workspaces.fetch("octo/app", origin.dir)).toMatchObject({ ok: true });
    const moved = join(root.path, "moved");
    renameSync(origin.dir, moved);
    const unknown = "0123456789abcdef0123456789abcdef01234567";
    expect(await workspaces.checkout({ repository: "octo/app", cloneUrl: origin.dir, sha: unknown })).toMatchObject({ kind: "failed" });
    expect(existsSync(join(workspaces.cacheDir("octo/app", origin.dir), "HEAD"))).toBe(true);
    // What it fetched before still checks out.
    const again = await workspaces.checkout({ repository: "octo/app", cloneUrl: origin.dir, sha: origin.sha });
    if (again.kind !== "ready") throw new Error(again.message);
    await again.release();
  });
});
