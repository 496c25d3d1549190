/**
 * The replies a command gets from heaven itself (not from a deployment's
 * life): help, a refusal, where things are (`/wcid`), recent deployments.
 * Pure: Markdown from plain data.
 */
import type { Lock } from "../core/lock.js";
import { COMMAND_FORMS } from "./parse-command.js";
import { describeLock } from "./lock-state.js";
import { formatTime } from "./text.js";

export function renderHelp(prefixes: readonly string[]): string {
  const prefix = prefixes[0] ?? "/";
  const forms = COMMAND_FORMS.map((form) => `- \`${form.startsWith("/") ? `${prefix}${form.slice(1)}` : form}\``);
  return [`heaven's commands (the first line of a comment; prefixes: ${prefixes.map((p) => `\`${p}\``).join(" ")}):`, "", ...forms].join("\n");
}

export function renderRefusal(command: string, why: string): string {
  return `🚫 \`${command.replaceAll("`", "'")}\`: ${why}`;
}

export interface EnvironmentView {
  name: string;
  deployed: { ref: string; sha: string; by: string; at: string } | undefined;
  lock: Lock | undefined;
  /** Deployments waiting or running in heaven's queue for it. */
  queue: Array<{ label: string; state: "queued" | "running" | "parked" }>;
}

export function renderWhereCanIDeploy(environments: readonly EnvironmentView[]): string {
  if (environments.length === 0) return "No environments yet: nothing was deployed here, and .github/heaven.yml lists none.";
  const rows = environments.map((env) => {
    const deployed = env.deployed === undefined ? "—" : `${env.deployed.ref} \`${env.deployed.sha.slice(0, 7)}\` by @${env.deployed.by}, ${formatTime(env.deployed.at)}`;
    const lock = env.lock === undefined ? "free" : `🔒 ${describeLock(env.lock)}`;
    const queue = env.queue.length === 0 ? "—" : env.queue.map((entry) => `${entry.state}: ${entry.label}`).join("; ");
    return `| ${env.name} | ${deployed} | ${lock} | ${queue} |`;
  });
  return ["| environment | deployed | lock | queue |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

export interface DeploymentView {
  id: number;
  environment: string;
  ref: string;
  sha: string;
  by: string;
  at: string;
  state: string | undefined;
}

export function renderRecentDeploys(environment: string | undefined, deployments: readonly DeploymentView[]): string {
  const where = environment === undefined ? "" : ` to ${environment}`;
  if (deployments.length === 0) return `No deployments${where} yet.`;
  const rows = deployments.map((d) => `| ${d.id} | ${d.environment} | ${d.ref} \`${d.sha.slice(0, 7)}\` | @${d.by} | ${formatTime(d.at)} | ${d.state ?? "—"} |`);
  return [`Recent deployments${where}:`, "", "| id | environment | ref | by | when | state |", "| --- | --- | --- | --- | --- | --- |", ...rows].join("\n");
}
