/**
 * How a deployment stands, in the words the log page shows and the live tail
 * sends as it changes: the state, what the status said, how long it took or
 * has been going. Pure.
 */
import type { LogMeta } from "../core/log-store.js";
import { formatDuration } from "../decisions/text.js";

export interface StateView {
  state: string;
  label: string;
  description: string;
  duration: string;
  /** What the page's end says once the deployment has finished. */
  marker: string;
}

const LABELS: Readonly<Record<string, string>> = {
  queued: "queued",
  pending: "waiting for CI",
  in_progress: "running",
  success: "succeeded",
  failure: "failed",
  error: "error",
  inactive: "inactive",
};

export function stateView(meta: LogMeta | undefined, now: number): StateView {
  // A heaven that kept no metadata wrote this log, or its first event is still to come.
  if (meta === undefined) return { state: "unknown", label: "not recorded", description: "", duration: "", marker: "End of log." };
  const since = meta.startedAt ?? meta.acceptedAt;
  const duration =
    meta.finishedAt !== undefined
      ? formatDuration(Math.max(0, meta.finishedAt - since))
      : meta.startedAt !== undefined
        ? `${formatDuration(Math.max(0, now - since))} so far`
        : `waiting ${formatDuration(Math.max(0, now - since))}`;
  const label = LABELS[meta.state] ?? meta.state;
  const marker = `Finished: ${label}${meta.description === "" ? "" : ` (${meta.description})`}. End of log.`;
  return { state: meta.state, label, description: meta.description, duration, marker };
}
