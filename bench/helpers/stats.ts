/** Small numeric helpers the benchmarks print with. */

/** Milliseconds on a monotonic clock (for durations inside one process). */
export const nowMs = () => performance.now();

/** The nearest-rank percentile of `values` (NaN when there are none). */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** "p50 3.1 ms, p99 12.0 ms, max 14.2 ms" */
export function spread(values: readonly number[]): string {
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  return `p50 ${ms(percentile(values, 50))}, p99 ${ms(percentile(values, 99))}, max ${ms(Math.max(...values))}`;
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Lays rows out in columns: the first column left-aligned, the others right-aligned. */
export function table(rows: readonly (readonly string[])[], indent = "  "): string {
  const widths = rows.reduce<number[]>((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), []);
  return rows
    .map((row) => indent + row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("   "))
    .join("\n");
}
