/** What tests need to know about processes they did not start directly (grandchildren). */
import { readFileSync } from "node:fs";

/** include/linux/sched.h: the task is in do_exit() and will never run user code again. */
const PF_EXITING = 0x00000004;

/**
 * True when the process can no longer run. Counted as dead:
 * - no such process (ESRCH);
 * - a zombie (`Z`) or dead (`X`) task: on these machines PID 1 does not reap
 *   orphans, so a killed grandchild may linger as a zombie;
 * - a task already inside do_exit() (PF_EXITING): it has closed its files
 *   (which is how its parent saw the pipe end) but the kernel has not yet
 *   flipped its state letter. Checked without waiting.
 */
export function isDead(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return true;
    throw error;
  }
  const stat = processStat(pid);
  if (stat === undefined) return true;
  return stat.state === "Z" || stat.state === "X" || (stat.flags & PF_EXITING) !== 0;
}

/** State letter (R, S, D, Z, …) and flags of /proc/<pid>/stat, or undefined when there is no such process. */
export function processStat(pid: number): { state: string; flags: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid pgrp session tty_nr tpgid flags …": comm may hold
  // spaces and parentheses, so read after the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { state: fields[0] ?? "?", flags: Number(fields[6] ?? 0) };
}

/** Reads a pid a fixture script wrote with `echo $! > file`. */
export function readPid(path: string): number {
  const pid = Number(readFileSync(path, "utf8").trim());
  if (!Number.isInteger(pid) || pid <= 1) throw new Error(`${path} does not hold a pid`);
  return pid;
}
