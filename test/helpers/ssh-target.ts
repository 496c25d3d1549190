/**
 * The far side of an ssh deployment, on this machine: a "server" directory
 * that is a clone of the origin (the remote `git fetch` updates it), heaven's
 * settings for a test sshd in the form an operator writes them, a PATH
 * that lacks a deploy tool but still has what heaven itself needs, and
 * deployments of such a server's origin through heaven.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { webhookExample } from "./examples.js";
import type { FakeGitHub } from "./fake-github.js";
import { createRepo, type Files, type GitRepo } from "./git-repo.js";
import type { HeavenProcess } from "./heaven-server.js";
import type { Sshd } from "./sshd.js";

export interface ServerDir {
  path: string;
  /** The sha checked out there now. */
  head(): string;
  /** `git status --porcelain`: empty when the tree is exactly the checked-out commit. */
  status(): string;
}

const git = (dir: string, ...args: string[]) =>
  execFileSync("git", args, { cwd: dir, encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: dir, GIT_CONFIG_NOSYSTEM: "1" } }).trim();

/** A clone of `origin` at `path`, as an app's checkout on a host is. */
export function cloneServerDir(origin: GitRepo, path: string): ServerDir {
  execFileSync("git", ["clone", "--quiet", origin.dir, path], { env: { PATH: process.env.PATH ?? "", HOME: path, GIT_CONFIG_NOSYSTEM: "1" } });
  return { path, head: () => git(path, "rev-parse", "HEAD"), status: () => git(path, "status", "--porcelain") };
}

/** The sshd's host key for each name it is reached by (`127.0.0.1`, `localhost`), as HEAVEN_KNOWN_HOSTS lines. */
export function knownHostsFor(sshd: Sshd, names: readonly string[], lines = sshd.knownHosts): string {
  return names.map((name) => lines.trim().replace(`[${sshd.host}]`, `[${name}]`)).join("\n");
}

/** DEPLOYMENT_PRIVATE_KEY as Heaven took it: the key on one line with `\n` escapes. */
export function oneLineKey(sshd: Sshd): string {
  return sshd.clientKey.trim().replaceAll("\n", "\\n");
}

/** A directory to be PATH holding only `tools`, linked to where this machine has them. */
export function pathWith(dir: string, tools: readonly string[]): string {
  mkdirSync(dir, { recursive: true });
  for (const tool of tools) {
    const found = execFileSync("sh", ["-c", 'command -v "$1"', "sh", tool], { encoding: "utf8" }).trim();
    symlinkSync(found, join(dir, tool));
  }
  return dir;
}

export interface ScenarioPaths {
  origin: string;
  server: string;
  /** A file outside every checkout, for what the deployment leaves behind. */
  out: (file: string) => string;
}

/** Repositories on the fake GitHub whose server directories heaven deploys to, in `dir`. */
export function serverDeployments(github: FakeGitHub, dir: string, owner: string, firstId: number) {
  let nextId = firstId;
  /** An origin whose default branch holds `.github/heaven.yml` (and `files`), one commit ahead of its server directory. */
  const scenario = (name: string, config: (paths: ScenarioPaths) => Record<string, unknown>, files: (paths: ScenarioPaths) => Files = () => ({})) => {
    const fullName = `${owner}/${name}`;
    const origin = createRepo(dir, name, { "README.md": "v1\n" });
    const server = cloneServerDir(origin, join(dir, `${name}-server`));
    const paths: ScenarioPaths = { origin: origin.dir, server: server.path, out: (file) => join(dir, `${name}-${file}`) };
    const sha = origin.commit({ "README.md": "v2\n", ".github/heaven.yml": JSON.stringify({ merge_default_branch: false, ...config(paths) }), ...files(paths) });
    github.addRepo(fullName, { dir: origin.dir });
    return { fullName, sha, server, out: paths.out };
  };
  /** The real deployment webhook for the scenario's sha (forced past CI), sent to `heaven`; resolves with the final status and the log. */
  const deploy = async (heaven: HeavenProcess, target: { fullName: string; sha: string }, options: { ref?: string; payload?: Record<string, unknown> } = {}) => {
    const id = nextId++;
    const event = github.forRepository(
      webhookExample("deployment", (e) => e.installation !== undefined && e.deployment.environment === "production"),
      target.fullName,
    );
    Object.assign(event.deployment, { id, sha: target.sha, ref: options.ref ?? "main", environment: "production", task: "deploy", payload: { force: true, ...options.payload } });
    const answer = await heaven.webhook("deployment", event);
    if (answer.status >= 300) throw new Error(`heaven answered the deployment webhook with ${answer.status}`);
    const final = await github.waitForFinalStatus(id);
    const log = await (await fetch(final.log_url as string)).text();
    return { final, log };
  };
  return { scenario, deploy };
}
