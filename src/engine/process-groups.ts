/**
 * Process groups that may outlive heaven. A provider runs in its own group
 * (run-process); when heaven dies with it running, the group keeps going. The
 * record taken at spawn lets the next heaven kill exactly that group and
 * never an unrelated one that reused the number: on Linux it carries the
 * leader's start time and the boot id.
 */
import { readdirSync, readFileSync } from "node:fs";
import type { ProcessRecord } from "../core/queue.js";

function readStat(pid: number): { pgrp: number; startTicks: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { pgrp: Number(fields[2]), startTicks: Number(fields[19]) };
  } catch {
    return undefined;
  }
}

function bootId(): string | undefined {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return undefined;
  }
}

/** What to remember about a group leader just spawned. */
export function recordProcessGroup(pid: number): ProcessRecord {
  return { pgid: pid, startTicks: readStat(pid)?.startTicks, bootId: bootId() };
}

/** Members of the group still alive (Linux; elsewhere: unknown, so none are claimed). */
function groupMembers(pgid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  return entries.filter((name) => /^\d+$/.test(name)).map(Number).filter((pid) => readStat(pid)?.pgrp === pgid);
}

export type LeftoverResult = "killed" | "gone" | "not-ours";

/**
 * Kills what is left of a recorded group. The group is ours only if the
 * machine has not rebooted and its leader, if alive, is the very process we
 * started (same start time); a pid the kernel has handed to a new leader is
 * left alone. While any member lives the group id cannot be reused.
 */
export function killLeftoverGroup(record: ProcessRecord): LeftoverResult {
  if (record.bootId === undefined || record.bootId !== bootId()) return record.bootId === undefined ? "not-ours" : "gone";
  const leader = readStat(record.pgid);
  if (leader !== undefined && (leader.pgrp !== record.pgid || leader.startTicks !== record.startTicks)) return "not-ours";
  if (groupMembers(record.pgid).length === 0) return "gone";
  try {
    process.kill(-record.pgid, "SIGKILL");
    return "killed";
  } catch {
    return "gone";
  }
}
