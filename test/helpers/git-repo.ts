/** Real git repositories on disk for tests: an "origin" heaven clones from. */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export type Files = Record<string, string | { content: string; executable: boolean }>;

export interface GitRepo {
  dir: string;
  /** Commits the files on the current branch; returns the new sha. */
  commit(files: Files, message?: string): string;
  git(...args: string[]): string;
}

export function tempDir(prefix = "heaven-test-"): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export function createRepo(parent: string, name = "origin", files: Files = {}): GitRepo & { sha: string } {
  const dir = join(parent, name);
  mkdirSync(dir, { recursive: true });
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.com", ...args], {
      cwd: dir,
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", HOME: parent, GIT_CONFIG_NOSYSTEM: "1" },
    }).trim();
  git("init", "--quiet", "--initial-branch=main");
  const commit = (more: Files, message = "change") => {
    for (const [path, spec] of Object.entries(more)) {
      const file = join(dir, path);
      mkdirSync(dirname(file), { recursive: true });
      const { content, executable } = typeof spec === "string" ? { content: spec, executable: false } : spec;
      writeFileSync(file, content);
      chmodSync(file, executable ? 0o755 : 0o644);
    }
    git("add", "--all");
    git("commit", "--quiet", "--allow-empty", "-m", message);
    return git("rev-parse", "HEAD");
  };
  const sha = commit(files, "initial");
  return { dir, sha, commit, git };
}

/** A deploy script fixture. */
export const script = (body: string) => ({ content: `#!/bin/sh\n${body}\n`, executable: true });
