/**
 * `wcid` and `deploys` as text tables for a terminal: one row per
 * environment (or deployment), columns padded to line up. Pure: the same
 * views the pull-request replies render, no colour, no clock.
 */
import type { Lock } from "../../core/lock.js";
import type { DeploymentView, EnvironmentView } from "../../decisions/render-command-reply.js";
import { formatTime } from "../../decisions/text.js";

/** Columns separated by two spaces, each as wide as its widest cell; no trailing blanks. */
export function renderColumns(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

export function describeLockCell(lock: Lock | undefined): string {
  if (lock === undefined) return "free";
  const what = lock.kind === "branch" ? `(deployed ${lock.branch ?? "a branch"})` : `: ${lock.reason}`;
  const until = lock.expiresAt === undefined ? "" : `, until ${formatTime(lock.expiresAt)}`;
  return `locked by @${lock.owner}${lock.kind === "branch" ? " " : ""}${what}${until}`;
}

export function renderWcidTable(environments: readonly EnvironmentView[]): string {
  if (environments.length === 0) return "No environments yet: nothing was deployed here, and .github/heaven.yml lists none.";
  const rows = environments.map((env) => [
    env.name,
    env.deployed === undefined ? "—" : `${env.deployed.ref} ${env.deployed.sha.slice(0, 7)}`,
    env.deployed === undefined ? "—" : formatTime(env.deployed.at),
    env.deployed === undefined ? "—" : `@${env.deployed.by}`,
    describeLockCell(env.lock),
    env.queue.length === 0 ? "—" : env.queue.map((entry) => `${entry.state}: ${entry.label}`).join("; "),
  ]);
  return renderColumns(["ENVIRONMENT", "DEPLOYED", "WHEN", "BY", "LOCK", "QUEUED/PARKED"], rows);
}

export function renderDeploysTable(environment: string | undefined, deployments: readonly DeploymentView[]): string {
  if (deployments.length === 0) return `No deployments${environment === undefined ? "" : ` to ${environment}`} yet.`;
  const rows = deployments.map((d) => [String(d.id), d.environment, `${d.ref} ${d.sha.slice(0, 7)}`, `@${d.by}`, formatTime(d.at), d.state ?? "—"]);
  return renderColumns(["ID", "ENVIRONMENT", "REF", "BY", "WHEN", "STATE"], rows);
}
