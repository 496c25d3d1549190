/**
 * `GET /dashboard/{owner}/{repo}`: each environment (what is live and was
 * before, the lock, what runs, waits and is parked, a chart of its
 * deployments), the DORA figures, and the history with each deployment's
 * log page. Pure: the API's views in, the live region's HTML out.
 */
import type { HistoryItem } from "../../decisions/derive-deployment-history.js";
import type { EnvironmentState, ParkedView, Release, WorkView } from "../../decisions/derive-release-state.js";
import { formatDuration } from "../../decisions/text.js";
import { currentState, lockCell } from "./overview-page.js";
import { age, envKey, h, shaLink, stateBadge } from "./page-shell.js";
import { deploymentChart, type ChartSpan } from "./svg-chart.js";

export interface RepositoryPage {
  fullName: string;
  environments: EnvironmentState[];
  history: HistoryItem[];
  /** The DORA panel (dora-panel.ts). */
  dora: string;
  chartSpan: ChartSpan;
  githubWebUrl: string;
  now: number;
}

function release(page: RepositoryPage, what: string, r: Release | null): string {
  if (r === null) return `<p class="muted">${h(what)}: none</p>`;
  return `<p>${h(what)}: ${shaLink(page.githubWebUrl, page.fullName, r.sha)} <span class="muted">${h(r.ref)}</span> by @${h(r.by)}, ${age(r.at, page.now)} <span class="muted">(deployment ${r.deploymentId})</span></p>`;
}

function work(page: RepositoryPage, items: ReadonlyArray<WorkView | ParkedView>, what: string): string {
  if (items.length === 0) return "";
  const rows = items.map((w) => {
    const waiting = "waitingFor" in w ? ` — waiting for ${w.waitingFor === null ? "CI" : h(w.waitingFor.join(", "))}` : "";
    return `<li>@${h(w.by)}: ${shaLink(page.githubWebUrl, page.fullName, w.sha)} <span class="muted">${h(w.ref)}</span> (deployment ${h(w.deploymentId)}, ${age(w.acceptedAt, page.now)})${waiting}</li>`;
  });
  return `<p>${h(what)} (${items.length}):</p><ol class="${h(what.split(" ")[0] ?? "")}">${rows.join("")}</ol>`;
}

function environmentCard(page: RepositoryPage, environment: EnvironmentState): string {
  const current = currentState(environment);
  const auto = environment.autoDeploy === null ? "unknown (no readable .github/heaven.yml)" : environment.autoDeploy ? "on" : "off";
  const mine = page.history.filter((item) => item.environment.toLowerCase() === environment.name.toLowerCase());
  const running = environment.running === null ? "" : work(page, [environment.running], "running now");
  return (
    `<section class="env" data-env="${h(envKey(page.fullName, environment.name))}"><h2>${h(environment.name)} ${stateBadge(current.state, current.deploymentId)}</h2>` +
    release(page, "live", environment.deployed) +
    release(page, "before", environment.previous) +
    `<p>lock: ${lockCell(environment)}${environment.lock?.expiresAt ? ` <span class="muted">until ${h(environment.lock.expiresAt)}</span>` : ""} · auto-deploy: ${h(auto)}</p>` +
    running +
    work(page, environment.queued, "queued") +
    work(page, environment.parked, "parked") +
    deploymentChart(environment.name, mine, page.chartSpan) +
    `</section>`
  );
}

function historyRow(item: HistoryItem, page: RepositoryPage): string {
  const log = item.logUrl === null ? '<span class="muted">no log</span>' : `<a href="${h(item.logUrl)}">log</a>`;
  return (
    `<tr data-deployment="${item.deploymentId}"><td>${item.deploymentId}</td><td>${h(item.environment)}</td><td>${h(item.task)}</td>` +
    `<td>${shaLink(page.githubWebUrl, page.fullName, item.sha)} <span class="muted">${h(item.ref)}</span></td><td>@${h(item.by)}</td><td>${age(item.createdAt, page.now)}</td>` +
    `<td>${stateBadge(item.state, null)}</td><td>${item.durationMs === null ? "" : h(formatDuration(item.durationMs))}</td><td>${h(item.description ?? "")}</td><td>${log}</td></tr>`
  );
}

export function renderRepository(page: RepositoryPage): string {
  const environments = page.environments.length === 0 ? '<p class="muted">No environments yet: nothing deployed or configured.</p>' : page.environments.map((e) => environmentCard(page, e)).join("\n");
  const head = "<tr><th>#</th><th>environment</th><th>task</th><th>commit</th><th>by</th><th>created</th><th>state</th><th>took</th><th>said</th><th>log</th></tr>";
  const history = page.history.length === 0 ? '<p class="muted">No deployments yet.</p>' : `<table id="history">${head}\n${page.history.map((item) => historyRow(item, page)).join("\n")}</table>`;
  return (
    `<h1><a href="${h(`${page.githubWebUrl}/${page.fullName}`)}">${h(page.fullName)}</a></h1>${environments}` +
    `${page.dora}<h2>History, newest first</h2>${history}`
  );
}
