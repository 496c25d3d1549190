import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gitComplaint, gitEnvironment, type GitResult } from "../../src/engine/git.js";
import { isFullSha } from "../../src/core/sha.js";
import { redactUrl, Workspaces, type Checkout } from "../../src/engine/workspace.js";
import { startGitHttpServer, type GitHttpServer } from "../helpers/git-http-server.js";
import { createRepo, tempDir, type GitRepo } from "../helpers/git-repo.js";

const PATH = process.env.PATH ?? "/usr/bin:/bin";
const REPOSITORY = "octo/app";

let root: { path: string; remove: () => void };
let origin: GitRepo & { sha: string };
let first: string;
let second: string;
let dataDir: string;
let baseEnv: Record<string, string>;
let workspaces: Workspaces;
const pending: Checkout[] = [];

beforeEach(() => {
  root = tempDir("heaven-workspace-");
  origin = createRepo(root.path, "origin", { VERSION: "1\n" });
  first = origin.sha;
  origin.git("tag", "-a", "-m", "first release", "v1");
  second = origin.commit({ VERSION: "2\n" }, "second");
  dataDir = join(root.path, "data");
  const home = join(root.path, "home");
  mkdirSync(home);
  baseEnv = { PATH, HOME: home };
  workspaces = new Workspaces(dataDir, baseEnv);
});

afterEach(async () => {
  for (const checkout of pending.splice(0)) if (checkout.kind === "ready") await checkout.release();
  root.remove();
});

/** Checks out and remembers the checkout so it is released even when an assertion fails. */
async function checkout(sha: string, more: { cloneUrl?: string; token?: string | (() => Promise<string | undefined>); note?: (text: string) => void } = {}) {
  const result = await workspaces.checkout({ repository: REPOSITORY, cloneUrl: more.cloneUrl ?? origin.dir, sha, ...more });
  pending.push(result);
  return result;
}

function ready(result: Checkout): Extract<Checkout, { kind: "ready" }> {
  if (result.kind !== "ready") throw new Error(`expected a checkout, got: ${result.message}`);
  return result;
}

function gitIn(dir: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd: dir, encoding: "utf8", env: { ...baseEnv, GIT_CONFIG_NOSYSTEM: "1" } }).trim();
}

function worktrees(cache: string): string[] {
  return gitIn(cache, "worktree", "list", "--porcelain")
    .split("\n")
    .filter((line) => line.startsWith("worktree "))
    .map((line) => line.slice("worktree ".length));
}

/** Every file under dir whose bytes contain needle. */
function filesContaining(dir: string, needle: string): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    if (readFileSync(file).includes(needle)) found.push(file);
  }
  return found;
}

describe("Workspaces.checkout", () => {
  it("checks out the exact sha with that commit's files, detached and clean", async () => {
    const { dir } = ready(await checkout(first));
    expect(readFileSync(join(dir, "VERSION"), "utf8")).toBe("1\n");
    expect(gitIn(dir, "rev-parse", "HEAD")).toBe(first);
    expect(gitIn(dir, "status", "--porcelain")).toBe("");
    expect(() => gitIn(dir, "symbolic-ref", "-q", "HEAD")).toThrow();
  });

  it("narrates what it does through note, without credentials", async () => {
    const notes: string[] = [];
    ready(await checkout(second, { note: (text) => notes.push(text) }));
    expect(notes).toEqual([`fetching ${second.slice(0, 7)} from ${origin.dir}`, `checked out ${second}`]);
  });

  it("fetches nothing when the commit is already in the cache", async () => {
    await ready(await checkout(second)).release();
    const notes: string[] = [];
    // The origin is gone: only the cache can provide the commit now.
    rmSync(origin.dir, { recursive: true, force: true });
    const { dir } = ready(await checkout(second, { note: (text) => notes.push(text) }));
    expect(readFileSync(join(dir, "VERSION"), "utf8")).toBe("2\n");
    expect(notes[0]).toBe(`${second.slice(0, 7)} is already in the cache; nothing to fetch`);
  });

  it("fetches only the deployed commit, not every branch and tag", async () => {
    origin.git("branch", "other", first);
    ready(await checkout(second));
    const refs = gitIn(workspaces.cacheDir(REPOSITORY, origin.dir), "for-each-ref", "--format=%(refname)");
    expect(refs).toBe("refs/heaven/fetched");
  });

  it("asks for a token only when it has to fetch", async () => {
    let asked = 0;
    const token = async () => void asked++ as unknown as string | undefined;
    ready(await checkout(second, { token }));
    ready(await checkout(second, { token }));
    expect(asked).toBe(1);
  });

  it("fetches new commits into the cache it already has instead of cloning again", async () => {
    const one = ready(await checkout(first));
    await one.release();
    const cache = workspaces.cacheDir(REPOSITORY, origin.dir);
    writeFileSync(join(cache, "heaven-test-marker"), "still here");
    const objects = statSync(join(cache, "objects")).ino;

    const third = origin.commit({ VERSION: "3\n" }, "third");
    const { dir } = ready(await checkout(third));

    expect(readFileSync(join(dir, "VERSION"), "utf8")).toBe("3\n");
    expect(readFileSync(join(cache, "heaven-test-marker"), "utf8")).toBe("still here");
    expect(statSync(join(cache, "objects")).ino).toBe(objects);
    expect(readdirSync(join(dataDir, "repos"))).toHaveLength(1);
  });

  it("keeps two checkouts of one repository at different shas side by side", async () => {
    const [a, b] = await Promise.all([checkout(first), checkout(second)]);
    const one = ready(a as Checkout);
    const two = ready(b as Checkout);
    expect(one.dir).not.toBe(two.dir);
    expect(readFileSync(join(one.dir, "VERSION"), "utf8")).toBe("1\n");
    expect(readFileSync(join(two.dir, "VERSION"), "utf8")).toBe("2\n");
    expect(worktrees(workspaces.cacheDir(REPOSITORY, origin.dir))).toEqual(expect.arrayContaining([one.dir, two.dir]));
  });

  it("gives the same sha a separate checkout each time", async () => {
    const one = ready(await checkout(second));
    const two = ready(await checkout(second));
    expect(one.dir).not.toBe(two.dir);
    writeFileSync(join(one.dir, "VERSION"), "scribbled\n");
    expect(readFileSync(join(two.dir, "VERSION"), "utf8")).toBe("2\n");
  });

  it("fetches a commit that is on no branch or tag by its sha (a pull request head)", async () => {
    origin.git("checkout", "--quiet", "-b", "topic");
    const orphan = origin.commit({ VERSION: "pr\n" }, "pull request head");
    origin.git("update-ref", "refs/pull/1/head", orphan);
    origin.git("checkout", "--quiet", "main");
    origin.git("branch", "-D", "topic");
    const { dir } = ready(await checkout(orphan));
    expect(readFileSync(join(dir, "VERSION"), "utf8")).toBe("pr\n");
  });

  describe("release", () => {
    it("removes the checkout and git forgets the worktree", async () => {
      const keep = ready(await checkout(first));
      const done = ready(await checkout(second));
      await done.release();
      const cache = workspaces.cacheDir(REPOSITORY, origin.dir);
      expect(existsSync(done.dir)).toBe(false);
      expect(worktrees(cache)).not.toContain(done.dir);
      expect(worktrees(cache)).toContain(keep.dir);
      expect(existsSync(join(keep.dir, "VERSION"))).toBe(true);
    });

    it("cleans up even when a script already deleted the checkout", async () => {
      const done = ready(await checkout(second));
      rmSync(done.dir, { recursive: true, force: true });
      await done.release();
      expect(worktrees(workspaces.cacheDir(REPOSITORY, origin.dir))).not.toContain(done.dir);
    });

    it("removes files the deployment created inside the checkout", async () => {
      const done = ready(await checkout(second));
      mkdirSync(join(done.dir, "build"));
      writeFileSync(join(done.dir, "build", "artifact"), "x");
      await done.release();
      expect(existsSync(done.dir)).toBe(false);
    });
  });

  describe("failures", () => {
    it("fails naming the commit when the sha is not in the repository", async () => {
      const missing = "0123456789abcdef0123456789abcdef01234567";
      const result = await checkout(missing);
      expect(result).toEqual({ kind: "failed", message: expect.stringContaining("0123456") });
      expect(result.kind === "failed" && result.message).toContain(REPOSITORY);
    });

    it.each(["main", "HEAD", "abc1234", "--upload-pack=touch pwned", `${"a".repeat(40)} `, "A".repeat(40)])(
      "refuses %j as not a full commit sha without running git",
      async (sha) => {
        const result = await checkout(sha);
        expect(result).toEqual({ kind: "failed", message: `"${sha}" is not a full commit sha` });
        expect(existsSync(dataDir)).toBe(false);
      },
    );

    it("cannot fetch from a path that does not exist", async () => {
      const result = await checkout(second, { cloneUrl: join(root.path, "nowhere") });
      expect(result).toEqual({ kind: "failed", message: expect.stringMatching(/^could not fetch .*nowhere: /) });
    });

    it("cannot fetch from a server that refuses connections", async () => {
      const result = await checkout(second, { cloneUrl: "http://127.0.0.1:1/x.git" });
      expect(result).toEqual({ kind: "failed", message: expect.stringContaining("could not fetch http://127.0.0.1:1/x.git") });
    });

    it("never repeats credentials from the clone URL", async () => {
      const notes: string[] = [];
      const result = await checkout(second, { cloneUrl: "https://user:hunter22@127.0.0.1:1/x", note: (t) => notes.push(t) });
      expect(result.kind).toBe("failed");
      const message = result.kind === "failed" ? result.message : "";
      expect(message).toContain("could not fetch https://***@127.0.0.1:1/x");
      expect(message).not.toContain("hunter22");
      expect(message).not.toContain("user:");
      expect(notes.join("\n")).not.toContain("hunter22");
    });
  });
});

describe("Workspaces queries", () => {
  it("reads the default branch and its sha from the remote", async () => {
    expect(await workspaces.defaultBranch(origin.dir)).toEqual({ name: "main", sha: second });
    origin.git("checkout", "--quiet", "-b", "trunk");
    const trunk = origin.commit({ VERSION: "trunk\n" }, "trunk");
    expect(await workspaces.defaultBranch(origin.dir)).toEqual({ name: "trunk", sha: trunk });
  });

  it("has no default branch for a remote that does not exist", async () => {
    mkdirSync(dataDir, { recursive: true });
    expect(await workspaces.defaultBranch(join(root.path, "nowhere"))).toBeUndefined();
  });

  it("resolves branches, annotated tags and short shas of the cache to full shas", async () => {
    const fetched = await workspaces.fetch(REPOSITORY, origin.dir);
    if (!fetched.ok) throw new Error(fetched.message);
    expect(await workspaces.resolve(fetched.cache, "main")).toBe(second);
    expect(await workspaces.resolve(fetched.cache, "v1")).toBe(first);
    expect(await workspaces.resolve(fetched.cache, first.slice(0, 10))).toBe(first);
    expect(await workspaces.resolve(fetched.cache, "no-such-branch")).toBeUndefined();
    expect(await workspaces.resolve(fetched.cache, "--all")).toBeUndefined();
  });

  it("reads a file at a commit, and nothing for a file that is not there", async () => {
    const fetched = await workspaces.fetch(REPOSITORY, origin.dir);
    if (!fetched.ok) throw new Error(fetched.message);
    expect(await workspaces.readFile(fetched.cache, first, "VERSION")).toBe("1\n");
    expect(await workspaces.readFile(fetched.cache, second, "VERSION")).toBe("2\n");
    expect(await workspaces.readFile(fetched.cache, second, ".github/heaven.yml")).toBeUndefined();
  });

  it("drops branches deleted on the remote from the cache", async () => {
    origin.git("branch", "gone", first);
    const fetched = await workspaces.fetch(REPOSITORY, origin.dir);
    if (!fetched.ok) throw new Error(fetched.message);
    expect(await workspaces.resolve(fetched.cache, "gone")).toBe(first);
    origin.git("branch", "-D", "gone");
    await workspaces.fetch(REPOSITORY, origin.dir);
    expect(await workspaces.resolve(fetched.cache, "gone")).toBeUndefined();
  });
});

describe("helpers", () => {
  it("recognises full 40- and 64-character lowercase shas only", () => {
    expect(isFullSha("a".repeat(40))).toBe(true);
    expect(isFullSha("b".repeat(64))).toBe(true);
    expect(isFullSha("a".repeat(41))).toBe(false);
    expect(isFullSha("g".repeat(40))).toBe(false);
  });

  it("redacts credentials from URLs and leaves others alone", () => {
    expect(redactUrl("https://user:pass@github.com/o/r.git")).toBe("https://***@github.com/o/r.git");
    expect(redactUrl("https://x-access-token:ghs_abc@github.com/o/r")).toBe("https://***@github.com/o/r");
    expect(redactUrl("https://github.com/o/r.git")).toBe("https://github.com/o/r.git");
    expect(redactUrl("/srv/git/app.git")).toBe("/srv/git/app.git");
  });

  it("names git's fatal line when a command fails", () => {
    const outcome: GitResult = {
      ok: false,
      result: { kind: "exited", exitCode: 128, durationMs: 3 },
      stdout: "",
      stderr: "warning: something\nfatal: repository not found\nhint: check the URL\n",
    };
    expect(gitComplaint(outcome)).toBe("fatal: repository not found");
    expect(gitComplaint({ ...outcome, stderr: "", result: { kind: "timed-out", durationMs: 9 } })).toBe("git timed out");
  });
});

describe("gitEnvironment", () => {
  const token = "ghs_s3cr3tInstallationToken";

  it("puts the token in HEAVEN_GIT_TOKEN and nowhere else", () => {
    const env = gitEnvironment({ PATH, HOME: "/home/heaven" }, token, "https://github.example.com/octo/app.git");
    expect(env.HEAVEN_GIT_TOKEN).toBe(token);
    const elsewhere = Object.entries(env).filter(([name, value]) => name !== "HEAVEN_GIT_TOKEN" && value.includes(token));
    expect(elsewhere).toEqual([]);
    expect(env).toMatchObject({ PATH, HOME: "/home/heaven", GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_NOSYSTEM: "1" });
  });

  it("resets any configured credential helper before adding its own", () => {
    const env = gitEnvironment({ PATH }, token, "https://github.example.com/octo/app.git");
    expect(env).toMatchObject({ GIT_CONFIG_COUNT: "3", GIT_CONFIG_KEY_0: "credential.helper", GIT_CONFIG_VALUE_0: "" });
    expect(env.GIT_CONFIG_VALUE_1).toContain("$HEAVEN_GIT_TOKEN");
  });

  it("sends the token as a header to the repository's host only, to spare the 401 round trip", () => {
    const env = gitEnvironment({ PATH }, token, "https://github.example.com:8443/octo/app.git");
    expect(env.GIT_CONFIG_KEY_2).toBe("http.https://github.example.com:8443/.extraHeader");
    expect(env.GIT_CONFIG_VALUE_2).toBe(`Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`);
  });

  it("offers the token only to the repository's own host", () => {
    const env = gitEnvironment({ PATH }, token, "https://github.example.com:8443/octo/app.git");
    expect(env.GIT_CONFIG_KEY_1).toBe("credential.https://github.example.com:8443.helper");
  });

  it("offers no token to a remote that is not http(s)", () => {
    for (const remote of ["/srv/git/app.git", "file:///srv/git/app.git", "git@github.com:octo/app.git"]) {
      const env = gitEnvironment({ PATH }, token, remote);
      expect(env.HEAVEN_GIT_TOKEN).toBeUndefined();
      expect(env.GIT_CONFIG_COUNT).toBeUndefined();
    }
  });

  it("adds no credentials without a token, and never lets git prompt", () => {
    const env = gitEnvironment({ PATH }, undefined);
    expect(env.HEAVEN_GIT_TOKEN).toBeUndefined();
    expect(env.GIT_CONFIG_COUNT).toBeUndefined();
    expect(env).toMatchObject({ GIT_TERMINAL_PROMPT: "0", GIT_ASKPASS: "", SSH_ASKPASS: "" });
  });
});

describe("tokens", () => {
  const token = "ghs_s3cr3tInstallationToken";

  it("never puts the token in git's arguments, and keeps it from a remote that is not http(s)", async () => {
    // A `git` earlier on PATH that records its argv and environment, then runs the real one.
    const realGit = execFileSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).trim();
    const bin = join(root.path, "bin");
    const record = join(root.path, "git-calls");
    mkdirSync(bin);
    writeFileSync(
      join(bin, "git"),
      `#!/bin/sh\nprintf 'argv:' >> "${record}"\nprintf ' %s' "$@" >> "${record}"\nprintf '\\ntoken-in-env:%s\\n' "\${HEAVEN_GIT_TOKEN:+yes}" >> "${record}"\nexec ${realGit} "$@"\n`,
      { mode: 0o755 },
    );
    workspaces = new Workspaces(dataDir, { ...baseEnv, PATH: `${bin}:${PATH}` });

    ready(await checkout(second, { token }));

    const calls = readFileSync(record, "utf8");
    expect(calls).toMatch(/^argv: fetch .*--end-of-options/m);
    // A path remote needs no credentials: the token is not even in git's environment.
    expect(calls).not.toContain("token-in-env:yes");
    expect(calls).not.toContain(token);
  });

  it("leaves no trace of the token in the cache or the checkout", async () => {
    const { dir } = ready(await checkout(second, { token }));
    const cache = workspaces.cacheDir(REPOSITORY, origin.dir);
    expect(readFileSync(join(cache, "config"), "utf8")).not.toContain(token);
    expect(filesContaining(cache, token)).toEqual([]);
    expect(filesContaining(dir, token)).toEqual([]);
  });

  describe("over HTTP against a server that requires the installation token", () => {
    let server: GitHttpServer;
    let serverRoot: { path: string; remove: () => void };
    let served: GitRepo & { sha: string };

    beforeAll(async () => {
      serverRoot = tempDir("heaven-git-http-");
      served = createRepo(serverRoot.path, "app", { VERSION: "served\n" });
      server = await startGitHttpServer({ projectRoot: serverRoot.path, token });
    });

    afterAll(async () => {
      await server.close();
      serverRoot.remove();
    });

    it("checks out with the right token", async () => {
      const { dir } = ready(await checkout(served.sha, { cloneUrl: `${server.url}/app`, token }));
      expect(readFileSync(join(dir, "VERSION"), "utf8")).toBe("served\n");
      const basic = `Basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`;
      expect(server.authorizations).toContain(basic);
    });

    it("sends the token with its very first request: no 401 challenge to wait for", async () => {
      server.authorizations.length = 0;
      const fresh = served.commit({ VERSION: "fresh\n" }, "fresh");
      ready(await checkout(fresh, { cloneUrl: `${server.url}/app`, token }));
      const basic = `Basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`;
      expect(server.authorizations.length).toBeGreaterThan(0);
      expect(server.authorizations.every((header) => header === basic)).toBe(true);
    });

    it("fails cleanly, without waiting for a password, when there is no token", async () => {
      const started = Date.now();
      const result = await checkout(served.sha, { cloneUrl: `${server.url}/app` });
      expect(result).toEqual({ kind: "failed", message: expect.stringContaining(`could not fetch ${server.url}/app`) });
      expect(Date.now() - started).toBeLessThan(10_000);
    });

    it("fails cleanly with a wrong token", async () => {
      const result = await checkout(served.sha, { cloneUrl: `${server.url}/app`, token: "ghs_wrong" });
      expect(result).toEqual({ kind: "failed", message: expect.stringContaining("could not fetch") });
    });

    it("keeps the token out of every file heaven wrote", async () => {
      ready(await checkout(served.sha, { cloneUrl: `${server.url}/app`, token }));
      const cache = workspaces.cacheDir(REPOSITORY, `${server.url}/app`);
      expect(readFileSync(join(cache, "config"), "utf8")).not.toContain(token);
      expect(filesContaining(dataDir, token)).toEqual([]);
      expect(filesContaining(dataDir, Buffer.from(`x-access-token:${token}`).toString("base64"))).toEqual([]);
    });
  });
});
