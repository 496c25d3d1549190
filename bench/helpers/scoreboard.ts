/**
 * The scoreboard: benchmarks `record` their figures here, each beside its
 * baseline (measured in the same run, or a constant named as such) and its
 * goal; bench/run.ts prints them as one table at the end and writes them to
 * bench/results.json, to compare runs. A figure's unit is part of its name.
 */
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";

export type Value = number | string;

export interface Comparison {
  baseline?: number;
  /** What the baseline is: "naive clone", "Heaven's, a constant". */
  of?: string;
  /** The goal, as text: "< 100", "≥ 10". */
  goal?: string;
}

export interface ScoreRow {
  benchmark: string;
  figure: string;
  value: Value;
  baseline?: number;
  of?: string;
  /** value / baseline, when both are numbers. */
  ratio?: number;
  goal?: string;
}

const rows: ScoreRow[] = [];

/** Adds `figures` of `benchmark`; `compare` gives some of them a baseline and a goal. */
export function record(benchmark: string, figures: Record<string, Value>, compare: Record<string, Comparison> = {}): void {
  for (const [figure, value] of Object.entries(figures)) {
    const { baseline, of, goal } = compare[figure] ?? {};
    const ratio = typeof value === "number" && baseline !== undefined && baseline !== 0 ? value / baseline : undefined;
    rows.push({ benchmark, figure, value, ...(baseline === undefined ? {} : { baseline }), ...(of === undefined ? {} : { of }), ...(ratio === undefined ? {} : { ratio }), ...(goal === undefined ? {} : { goal }) });
  }
}

export function recorded(): readonly ScoreRow[] {
  return rows;
}

/** 3, 12.3, 0.42: whole numbers as they are, others to three significant digits at most. */
export function formatValue(value: Value): string {
  if (typeof value === "string" || Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/** The table bench/run.ts prints at the end. */
export function scoreboardTable(): string {
  const lines = rows.map((r) => [
    r.benchmark,
    r.figure,
    formatValue(r.value),
    r.baseline === undefined ? "" : `${formatValue(r.baseline)}${r.of === undefined ? "" : ` (${r.of})`}`,
    r.ratio === undefined ? "" : `${formatValue(r.ratio)}×`,
    r.goal ?? "",
  ]);
  const all = [["benchmark", "figure", "value", "baseline", "ratio", "goal"], ...lines];
  const widths = all.reduce<number[]>((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), []);
  // Names and goals read left to right; numbers line up on the right.
  const cell = (text: string, i: number) => (i === 0 || i === 1 || i === 5 ? text.padEnd(widths[i] ?? 0) : text.padStart(widths[i] ?? 0));
  return all.map((row) => `  ${row.map(cell).join("   ")}`.trimEnd()).join("\n");
}

/** Writes the rows, with what they were measured on, as JSON. */
export function writeResults(path: string, benchmarks: readonly string[]): void {
  const machine = { node: process.version, platform: process.platform, cpus: cpus().length, cpu: cpus()[0]?.model ?? "unknown" };
  writeFileSync(path, `${JSON.stringify({ at: new Date().toISOString(), machine, benchmarks, rows }, null, 2)}\n`);
}
