/**
 * Checkouts. One cached bare clone per repository under the data directory,
 * fetched (never cloned again) for each deployment, and a git worktree of the
 * exact sha per deployment, so two environments of one repository can deploy
 * at once. Operations on one cache are serialised; worktrees are independent.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { isFullSha } from "../core/sha.js";
import { git, gitComplaint } from "./git.js";
import { KeyedLock } from "./keyed-lock.js";
import { giveTree, type RunAs } from "./run-as.js";

export type Checkout = { kind: "ready"; dir: string; release: () => Promise<void> } | { kind: "failed"; message: string };

export interface CheckoutRequest {
  /** Stable name of the repository, e.g. `octo/app`; names the cache. */
  repository: string;
  cloneUrl: string;
  sha: string;
  /** Asked for only when the commit has to be fetched. */
  token?: string | (() => Promise<string | undefined>) | undefined;
  note?: (text: string) => void;
  /** Told how long the fetch (when there was one) and the worktree took. */
  timed?: (step: "fetch" | "checkout", ms: number) => void;
  /**
   * Once aborted, no worktree is made. A fetch under way finishes first: a
   * fetch killed half-way can leave a commit without its tree, which the
   * next deployment of that sha would take for present.
   */
  signal?: AbortSignal | undefined;
}

/** Where the last commit fetched by sha is kept: a ref, so it is not garbage and the next fetch can build on it. */
const FETCHED_REF = "refs/heaven/fetched";

export class Workspaces {
  private readonly caches = new KeyedLock();

  /** Where checkouts go (the data directory's, or HEAVEN_RUN_AS's). */
  readonly checkoutsDir: string;

  /** Checkouts a deployment holds now: retention leaves them alone. */
  readonly inUse = new Set<string>();

  /** `runAs`: checkouts go to `checkoutsDir` and belong to that user (HEAVEN_RUN_AS). */
  constructor(
    private readonly dataDir: string,
    private readonly baseEnv: Readonly<Record<string, string>>,
    private readonly runAs?: { user: RunAs; checkoutsDir: string },
  ) {
    this.checkoutsDir = runAs?.checkoutsDir ?? join(dataDir, "checkouts");
  }

  cacheDir(repository: string, cloneUrl: string): string {
    const readable = repository.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^\.+/, "_");
    const hash = createHash("sha256").update(cloneUrl).digest("hex").slice(0, 10);
    return join(this.dataDir, "repos", `${readable}-${hash}.git`);
  }

  /** Brings the cache up to date with the remote's branches and tags (the command line resolves refs in it). */
  async fetch(repository: string, cloneUrl: string, token?: string): Promise<{ ok: true; cache: string } | { ok: false; message: string }> {
    const cache = this.cacheDir(repository, cloneUrl);
    return this.caches.run(cache, async () => {
      const created = await this.createCache(cache, repository);
      if (!created.ok) return created;
      const fetched = await this.fetchRefs(cache, cloneUrl, token);
      if (!fetched.ok) {
        await this.dropIfFresh(cache, created.fresh);
        return { ok: false, message: `could not fetch ${redactUrl(cloneUrl)}: ${gitComplaint(fetched)}` };
      }
      return { ok: true, cache };
    });
  }

  /**
   * Fetches a pushed commit into a cache that exists already, before anyone
   * asks to deploy it: the deployment that follows finds it and skips the
   * fetch. Never creates a cache (a push does not make a repository ours).
   */
  async prefetch(request: Pick<CheckoutRequest, "repository" | "cloneUrl" | "sha" | "token">): Promise<"fetched" | "present" | "no cache" | string> {
    if (!isFullSha(request.sha)) return `"${request.sha}" is not a full commit sha`;
    const cache = this.cacheDir(request.repository, request.cloneUrl);
    return this.caches.run(cache, async () => {
      if (!existsSync(join(cache, "HEAD"))) return "no cache";
      const fetched = await this.fetchCommit(cache, request);
      return fetched.ok ? (fetched.fetched ? "fetched" : "present") : fetched.message;
    });
  }

  async checkout(request: CheckoutRequest): Promise<Checkout> {
    const { repository, cloneUrl, sha } = request;
    if (!isFullSha(sha)) return { kind: "failed", message: `"${sha}" is not a full commit sha` };
    const cache = this.cacheDir(repository, cloneUrl);
    const dir = join(this.checkoutsDir, `${sha.slice(0, 12)}-${randomBytes(4).toString("hex")}`);

    return this.caches.run(cache, async (): Promise<Checkout> => {
      const created = await this.createCache(cache, repository);
      if (!created.ok) return { kind: "failed", message: created.message };
      const fetchStarted = performance.now();
      const fetched = await this.fetchCommit(cache, request);
      if (!fetched.ok) {
        await this.dropIfFresh(cache, created.fresh);
        return { kind: "failed", message: fetched.message };
      }
      if (fetched.fetched) request.timed?.("fetch", performance.now() - fetchStarted);
      if (request.signal?.aborted) return { kind: "failed", message: "the checkout was no longer needed" };
      const addStarted = performance.now();
      await mkdir(this.checkoutsDir, { recursive: true });
      this.inUse.add(dir);
      const added = await this.git(["worktree", "add", "--detach", "--quiet", dir, sha], cache);
      request.timed?.("checkout", performance.now() - addStarted);
      if (!added.ok) {
        this.inUse.delete(dir);
        return { kind: "failed", message: `could not check out ${sha.slice(0, 7)}: ${gitComplaint(added)}` };
      }
      if (this.runAs !== undefined) await giveTree(dir, this.runAs.user);
      // Not where: a log's readers need not learn heaven's paths (the provider gets the directory).
      request.note?.(`checked out ${sha}`);
      return { kind: "ready", dir, release: () => this.remove(cache, dir).finally(() => this.inUse.delete(dir)) };
    });
  }

  /**
   * Makes sure the cache has the commit: nothing to do when it is there
   * already (a redeploy, a rollback, the CLI after its own fetch); otherwise
   * only that commit is asked for, not every branch and tag. A server that
   * will not hand out a commit by sha gets the full fetch.
   */
  private async fetchCommit(cache: string, request: Pick<CheckoutRequest, "repository" | "cloneUrl" | "sha" | "token" | "note">): Promise<{ ok: true; fetched: boolean } | { ok: false; message: string }> {
    const { repository, cloneUrl, sha } = request;
    if (await this.hasCommit(cache, sha)) {
      request.note?.(`${sha.slice(0, 7)} is already in the cache; nothing to fetch`);
      return { ok: true, fetched: false };
    }
    request.note?.(`fetching ${sha.slice(0, 7)} from ${redactUrl(cloneUrl)}`);
    let token: string | undefined;
    try {
      token = typeof request.token === "function" ? await request.token() : request.token;
    } catch (error) {
      return { ok: false, message: `could not fetch ${redactUrl(cloneUrl)}: ${error instanceof Error ? error.message : String(error)}` };
    }
    const credentials = { token, remoteUrl: cloneUrl };
    // One ref keeps the last fetched commit, so the next fetch negotiates from it.
    const bySha = await this.git(["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--end-of-options", cloneUrl, `+${sha}:${FETCHED_REF}`], cache, credentials);
    if (!bySha.ok || !(await this.hasCommit(cache, sha))) {
      const everything = await this.fetchRefs(cache, cloneUrl, token);
      if (!everything.ok) return { ok: false, message: `could not fetch ${redactUrl(cloneUrl)}: ${gitComplaint(everything)}` };
      if (!(await this.hasCommit(cache, sha))) return { ok: false, message: `commit ${sha.slice(0, 7)} is not in ${repository}; was it force-pushed away?` };
    }
    return { ok: true, fetched: true };
  }

  /** The default branch's name and sha, as the remote advertises it. */
  async defaultBranch(cloneUrl: string): Promise<{ name: string; sha: string } | undefined> {
    await mkdir(this.dataDir, { recursive: true }); // git's working directory: without it git cannot even start
    const listed = await this.git(["ls-remote", "--symref", "--end-of-options", cloneUrl, "HEAD"], this.dataDir);
    if (!listed.ok) return undefined;
    const name = /^ref: refs\/heads\/(\S+)\tHEAD$/m.exec(listed.stdout)?.[1];
    const sha = /^([0-9a-f]{40,64})\tHEAD$/m.exec(listed.stdout)?.[1];
    return name !== undefined && sha !== undefined ? { name, sha } : undefined;
  }

  /** A branch, tag or sha of the cache, as a full sha. */
  async resolve(cache: string, ref: string): Promise<string | undefined> {
    const parsed = await this.git(["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`], cache);
    const sha = parsed.stdout.trim();
    return parsed.ok && isFullSha(sha) ? sha : undefined;
  }

  /** A file's content at a commit of the cache, or undefined when it does not exist. */
  async readFile(cache: string, sha: string, path: string): Promise<string | undefined> {
    const shown = await this.git(["show", `${sha}:${path}`], cache);
    return shown.ok ? shown.stdout : undefined;
  }

  /** `fresh`: made now, so nothing was ever fetched into it. */
  private async createCache(cache: string, repository: string): Promise<{ ok: true; fresh: boolean } | { ok: false; message: string }> {
    if (existsSync(join(cache, "HEAD"))) return { ok: true, fresh: false };
    await mkdir(cache, { recursive: true });
    const init = await this.git(["init", "--bare", "--quiet", cache], this.dataDir);
    return init.ok ? { ok: true, fresh: true } : { ok: false, message: `could not create a cache for ${repository}: ${gitComplaint(init)}` };
  }

  /** A cache whose first fetch failed holds nothing: left, it would look like a clone (a wrong URL, say) that worked. */
  private async dropIfFresh(cache: string, fresh: boolean): Promise<void> {
    if (fresh) await rm(cache, { recursive: true, force: true });
  }

  /**
   * Removes a checkout no deployment holds (one a crash left, say) through
   * git, so its cache forgets the worktree; one whose cache is gone is
   * deleted outright.
   */
  async removeLeftover(dir: string): Promise<void> {
    const cache = await cacheOfWorktree(dir);
    if (cache !== undefined && existsSync(join(cache, "HEAD"))) await this.remove(cache, dir);
    else await rm(dir, { recursive: true, force: true });
  }

  private fetchRefs(cache: string, cloneUrl: string, token: string | undefined) {
    const refspecs = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"];
    return this.git(["fetch", "--quiet", "--prune", "--no-tags", "--end-of-options", cloneUrl, ...refspecs], cache, { token, remoteUrl: cloneUrl });
  }

  private async hasCommit(cache: string, sha: string): Promise<boolean> {
    return (await this.git(["cat-file", "-e", `${sha}^{commit}`], cache)).ok;
  }

  private async remove(cache: string, dir: string): Promise<void> {
    await this.caches.run(cache, async () => {
      const removed = await this.git(["worktree", "remove", "--force", dir], cache);
      if (!removed.ok) {
        await rm(dir, { recursive: true, force: true });
        await this.git(["worktree", "prune"], cache);
      }
    });
  }

  private git(args: string[], cwd: string, credentials?: { token: string | undefined; remoteUrl: string }) {
    return git(args, { cwd, baseEnv: this.baseEnv, ...credentials });
  }
}

/** A worktree's `.git` file says `gitdir: <cache>/worktrees/<name>`; its cache is two levels up. */
async function cacheOfWorktree(dir: string): Promise<string | undefined> {
  const text = await readFile(join(dir, ".git"), "utf8").catch(() => undefined);
  const gitdir = text === undefined ? undefined : /^gitdir: (.+)$/m.exec(text)?.[1]?.trim();
  return gitdir === undefined ? undefined : dirname(dirname(resolve(dir, gitdir)));
}

/** Clone URLs may carry credentials (https://user:pass@host); never repeat them. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^/@\s]+@/, "//***@");
}
