/** Is the current directory a checkout whose `origin` is on GitHub (or GH_HOST)? */
import { execFile } from "node:child_process";

/** `https://github.com/o/r.git`, `git@github.com:o/r`, `ssh://git@github.com/o/r` → the host, when it is GitHub's. */
export function isGitHubRemote(url: string, ghHost: string | undefined): boolean {
  const host = /^[a-z+]+:\/\/(?:[^@/]+@)?([^/:]+)/i.exec(url)?.[1] ?? /^[^@/]+@([^:/]+):/.exec(url)?.[1];
  if (host === undefined) return false;
  const known = ["github.com", ghHost?.replace(/^https?:\/\//, "").replace(/\/.*$/, "")].filter((name) => name !== undefined && name !== "");
  return known.includes(host.toLowerCase());
}

export function githubOrigin(cwd: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  return new Promise((resolve) => {
    execFile("git", ["remote", "get-url", "origin"], { cwd, timeout: 10_000 }, (error, stdout) => {
      resolve(error === null && isGitHubRemote(stdout.trim(), env.GH_HOST));
    });
  });
}
