/**
 * An environment's deployments over time as a small inline SVG: one bar per
 * deploy at the time it was created, as tall as it took, coloured by how it
 * went; hovering a bar names it. Presentation attributes only (no style
 * attributes: the page's CSP allows none). Pure.
 */
import type { HistoryItem } from "../../decisions/derive-deployment-history.js";
import { formatDuration } from "../../decisions/text.js";
import { escapeHtml } from "../log-html.js";

export const OUTCOME_COLOURS: Readonly<Record<string, string>> = {
  success: "#2da44e",
  failure: "#cf222e",
  error: "#bc4c00",
  superseded: "#8c959f",
  running: "#bf8700",
  waiting: "#0969da",
  unknown: "#8c959f",
};

export interface ChartSpan {
  /** ISO 8601: the left and right edges. */
  from: string;
  to: string;
  width?: number;
  height?: number;
}

const BAR = 4;
/** A deploy without a duration (still running, never started) still shows, this tall. */
const MIN_BAR = 3;

export function deploymentChart(environment: string, items: readonly HistoryItem[], span: ChartSpan): string {
  const width = span.width ?? 360;
  const height = span.height ?? 72;
  const from = Date.parse(span.from);
  const to = Date.parse(span.to);
  const shown = items.filter((item) => {
    const at = Date.parse(item.createdAt);
    return at >= from && at <= to;
  });
  const longest = Math.max(1, ...shown.map((item) => item.durationMs ?? 0));
  const label = `${environment}: ${shown.length} deployment${shown.length === 1 ? "" : "s"} from ${span.from.slice(0, 10)} to ${span.to.slice(0, 10)}; bar height is duration (longest ${formatDuration(longest)})`;
  const bars = shown.map((item) => {
    const x = to === from ? 0 : ((Date.parse(item.createdAt) - from) / (to - from)) * (width - BAR);
    const h = item.durationMs === null ? MIN_BAR : Math.max(MIN_BAR, (item.durationMs / longest) * (height - 14));
    const title = `#${item.deploymentId} ${item.sha.slice(0, 7)} by @${item.by}: ${item.outcome}${item.durationMs === null ? "" : ` in ${formatDuration(item.durationMs)}`} (${item.createdAt.slice(0, 16).replace("T", " ")} UTC)`;
    const fill = OUTCOME_COLOURS[item.outcome] ?? "#8c959f";
    return `<rect class="bar" data-outcome="${escapeHtml(item.outcome)}" x="${x.toFixed(1)}" y="${(height - 12 - h).toFixed(1)}" width="${BAR}" height="${h.toFixed(1)}" fill="${fill}"><title>${escapeHtml(title)}</title></rect>`;
  });
  const axis = `<line x1="0" y1="${height - 12}" x2="${width}" y2="${height - 12}" stroke="#d0d7de"/>`;
  const dates = `<text x="0" y="${height - 1}" font-size="10" fill="#57606a">${escapeHtml(span.from.slice(0, 10))}</text><text x="${width}" y="${height - 1}" font-size="10" fill="#57606a" text-anchor="end">${escapeHtml(span.to.slice(0, 10))}</text>`;
  return `<svg class="chart" role="img" aria-label="${escapeHtml(label)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg"><title>${escapeHtml(label)}</title>${axis}${bars.join("")}${dates}</svg>`;
}
