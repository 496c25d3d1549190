/**
 * Why a job entering a lane would not start at once, from what the lane
 * already holds: the deployment it waits behind (the running one, or the
 * first in line when none has started yet) and how many wait between.
 */
import type { QueuePosition } from "../core/events.js";
import { jobLabel } from "../core/job.js";
import type { QueueEntry } from "../core/queue.js";

/** `ahead`: the lane's queued and running jobs, in order (parked ones hold no place). */
export function lanePosition(ahead: readonly QueueEntry[]): QueuePosition | undefined {
  const running = ahead.find((entry) => entry.state === "running");
  const holder = running ?? ahead.find((entry) => entry.state === "queued");
  if (holder === undefined) return undefined;
  const queued = ahead.filter((entry) => entry.state === "queued").length;
  const { job } = holder;
  return {
    kind: "lane",
    running: { key: job.key, label: jobLabel(job), creator: job.request.creator, sha: job.request.sha },
    ahead: queued - (running === undefined ? 1 : 0),
  };
}
