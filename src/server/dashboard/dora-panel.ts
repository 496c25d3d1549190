/**
 * The four DORA figures (decisions/compute-dora.ts) as the repository page
 * shows them, saying which records they come from and what each means.
 * Pure.
 */
import type { DoraFigures } from "../../decisions/compute-dora.js";
import type { DoraSpan } from "../../decisions/dora-facts.js";
import { formatDuration } from "../../decisions/text.js";
import { h } from "./page-shell.js";

const median = (m: { medianMs: number | null; samples: number }) => (m.medianMs === null ? "—" : formatDuration(m.medianMs));

export interface DoraSource {
  /** Deploy records read (the newest of the repository, every environment). */
  records: number;
  limit: number;
  /** Shas whose commit time was known (lead time needs it). */
  commitsKnown: number;
}

export function renderDora(figures: DoraFigures, span: DoraSpan, source: DoraSource): string {
  const days = figures.windowDays >= 1 ? `${Math.round(figures.windowDays * 10) / 10} days` : `${Math.round(figures.windowDays * 24 * 10) / 10} hours`;
  const rate = figures.changeFailureRate.rate === null ? "—" : `${Math.round(figures.changeFailureRate.rate * 100)} %`;
  const tiles = [
    ["deployment frequency", `${Math.round(figures.deploymentsPerDay * 100) / 100} / day`, `${figures.deployments} went live`],
    ["lead time for changes", median(figures.leadTime), `median commit → live, ${figures.leadTime.samples} deploys`],
    ["change failure rate", rate, `${figures.changeFailureRate.failed} failed + ${figures.changeFailureRate.rolledBack} rolled back of ${figures.changeFailureRate.finished} finished`],
    ["time to restore", median(figures.timeToRestore), `median failure → next good deploy, ${figures.timeToRestore.samples} restores`],
  ];
  const shown = tiles.map(([name = "", value = "", detail = ""]) => `<div data-figure="${h(name)}"><span class="muted">${h(name)}</span><b>${h(value)}</b><span class="muted">${h(detail)}</span></div>`).join("");
  const from = span.from.slice(0, 16).replace("T", " ");
  const records = span.shortened
    ? `the newest ${source.records} deploy records of this repository (all environments), which reach back only to ${h(from)} UTC — the window is shortened to them`
    : `the ${source.records} deploy records of this repository (all environments) created since ${h(from)} UTC`;
  return (
    `<h2>DORA figures, last ${h(days)}</h2><div class="dora" id="dora">${shown}</div>` +
    `<p class="muted" id="dora-source">Computed from ${records}: GitHub's deployment records and their statuses, as the history below lists them (at most ${source.limit}). ` +
    `Locks and unlocks are not deployments; a rollback counts against the deployment it undid and is left out of lead time; lead time uses the commit times of ${source.commitsKnown} deployed commits.</p>`
  );
}
