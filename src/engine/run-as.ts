/**
 * HEAVEN_RUN_AS: providers run as a system user of their own, so a deploy
 * script cannot read what heaven can (its environment with the App's key,
 * `.env`, the key file, the journal, other repositories' caches). heaven
 * keeps its data private, gives that user its checkouts and per-deployment
 * key files, and nothing else.
 */
import { chmod, chown, lchown, mkdir, readdir, stat } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface RunAs {
  user: string;
  uid: number;
  gid: number;
  home: string;
}

/** A local user from /etc/passwd (`useradd --system --create-home deploy`). */
export function findUser(name: string, passwd = readFileSync("/etc/passwd", "utf8")): RunAs | undefined {
  for (const line of passwd.split("\n")) {
    const [user, , uid, gid, , home] = line.split(":");
    if (user === name && uid !== undefined && gid !== undefined && home !== undefined) return { user, uid: Number(uid), gid: Number(gid), home };
  }
  return undefined;
}

/** The variables that say who a process is: the run-as user's, not heaven's. */
export function identityEnv(runAs: RunAs): Record<string, string> {
  return { HOME: runAs.home, USER: runAs.user, LOGNAME: runAs.user };
}

/** Hands a checkout to the run-as user (symlinks themselves, never what they point at). */
export async function giveTree(dir: string, runAs: RunAs): Promise<void> {
  await lchown(dir, runAs.uid, runAs.gid);
  for (const entry of await readdir(dir, { recursive: true })) await lchown(join(dir, entry), runAs.uid, runAs.gid);
}

/**
 * Makes heaven's own files readable by heaven alone: the data directory
 * (0700) and the given files (`.env`, the App's key) when others could read
 * them. Returns the files it had to tighten, for a log line.
 */
export async function keepPrivate(dataDir: string, files: readonly string[]): Promise<string[]> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await chmod(dataDir, 0o700);
  const tightened: string[] = [];
  for (const file of files) {
    const mode = await stat(file).then((s) => s.mode, () => undefined);
    if (mode === undefined || (mode & 0o077) === 0) continue;
    await chmod(file, mode & 0o700);
    tightened.push(file);
  }
  return tightened;
}

/** Where the run-as user's checkouts live: its own home, which it can reach (heaven's data directory it cannot). */
export async function checkoutsFor(runAs: RunAs): Promise<string> {
  const dir = join(runAs.home, "heaven-checkouts");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chown(dir, runAs.uid, runAs.gid);
  return dir;
}
