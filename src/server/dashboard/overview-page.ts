/**
 * `GET /dashboard`: every repository the person can access × its
 * environments at a glance — what is live (short sha linked to GitHub, how
 * long ago, who), the newest deployment's state as a colour, the lock and how
 * many wait. Pure: the views in, the live region's HTML out.
 */
import type { EnvironmentState } from "../../decisions/derive-release-state.js";
import { age, envKey, h, shaLink, stateBadge } from "./page-shell.js";

export type RepositoryView = { fullName: string; private: boolean } & ({ kind: "read"; environments: EnvironmentState[] } | { kind: "failed"; message: string });

/** What the badge says: what runs now (heaven's queue), else the newest deployment's state on GitHub. */
export function currentState(environment: EnvironmentState): { state: string | null; deploymentId: number | null } {
  if (environment.running !== null) return { state: "in_progress", deploymentId: Number(environment.running.deploymentId) };
  return { state: environment.newest?.state ?? null, deploymentId: environment.newest?.deploymentId ?? null };
}

export function lockCell(environment: EnvironmentState): string {
  const { lock } = environment;
  if (lock === null) return '<span class="muted">free</span>';
  return `<span class="lock">locked by @${h(lock.owner)}${lock.reason === "" ? "" : `: ${h(lock.reason)}`}</span>`;
}

function environmentRow(repository: RepositoryView, environment: EnvironmentState, first: boolean, span: number, githubWebUrl: string, now: number): string {
  const { deployed } = environment;
  const current = currentState(environment);
  const waiting = environment.queued.length + environment.parked.length;
  const repoCell = first ? `<th rowspan="${span}" scope="rowgroup"><a href="/dashboard/${h(repository.fullName)}">${h(repository.fullName)}</a>${repository.private ? ' <span class="muted">private</span>' : ""}</th>` : "";
  return (
    `<tr data-env="${h(envKey(repository.fullName, environment.name))}">${repoCell}<td>${h(environment.name)}</td>` +
    `<td>${deployed === null ? '<span class="muted">nothing live</span>' : `${shaLink(githubWebUrl, repository.fullName, deployed.sha)} <span class="muted">${h(deployed.ref)}</span>`}</td>` +
    `<td>${deployed === null ? "" : age(deployed.at, now)}</td><td>${deployed === null ? "" : `@${h(deployed.by)}`}</td>` +
    `<td>${stateBadge(current.state, current.deploymentId)}</td><td>${lockCell(environment)}</td>` +
    `<td class="queue" title="${environment.queued.length} queued, ${environment.parked.length} waiting for CI">${waiting}</td></tr>`
  );
}

function repositoryRows(repository: RepositoryView, githubWebUrl: string, now: number): string {
  const name = `<th scope="rowgroup"><a href="/dashboard/${h(repository.fullName)}">${h(repository.fullName)}</a></th>`;
  if (repository.kind === "failed") return `<tr>${name}<td colspan="7" class="muted">${h(repository.message)}</td></tr>`;
  if (repository.environments.length === 0) return `<tr>${name}<td colspan="7" class="muted">no environments yet: nothing deployed or configured</td></tr>`;
  return repository.environments.map((environment, i) => environmentRow(repository, environment, i === 0, repository.environments.length, githubWebUrl, now)).join("\n");
}

export function renderOverview(repositories: readonly RepositoryView[], options: { githubWebUrl: string; now: number; leftOut: number }): string {
  const head = "<tr><th>repository</th><th>environment</th><th>live</th><th>since</th><th>by</th><th>state</th><th>lock</th><th>waiting</th></tr>";
  const rows = repositories.map((repository) => repositoryRows(repository, options.githubWebUrl, options.now)).join("\n");
  const more = options.leftOut > 0 ? `<p class="muted">${options.leftOut} more repositories are not shown: open them as /dashboard/owner/name.</p>` : "";
  const none = repositories.length === 0 ? '<p>You can access no repository heaven is installed on.</p>' : `<table id="overview">${head}\n${rows}</table>`;
  return `<h1>Your repositories</h1>${none}${more}`;
}
