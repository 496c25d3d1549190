/**
 * Log throughput: 100 MB of output through heaven's process runner into a
 * DeploymentLog (every line stamped, two secrets masked), beside
 * - the bare command writing to a file;
 * - the floor for any Node supervisor: a Node process that only spawns the
 *   command and pipes its stdout to a file;
 * - the disk alone writing as many bytes as heaven's stamped log holds (on
 *   `yes` a 25-byte timestamp per 2-byte line makes the log 13.5× the output).
 * Both Node variants run in a child Node process of their own (this file, run
 * directly), so the RSS growth measured is theirs alone.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { record } from "./helpers/scoreboard.js";
import { DeploymentLog } from "../src/engine/deployment-log.js";
import { runProcess } from "../src/engine/run-process.js";
import { nowMs, table } from "./helpers/stats.js";

const BYTES = 100_000_000;
const RUNS = 3;
const MIB = 1024 * 1024;
const SECRETS = ["ghs_bench0123456789abcdefghijklmnopqrstuv", "a-password-to-mask"];
const WORKLOADS = [
  { name: "yes", command: `yes | head -c ${BYTES}` },
  { name: "100-char lines", command: `yes ${"x".repeat(99)} | head -c ${BYTES}` },
  // A slower producer of 100-byte lines, like the chatty-provider benchmark's script (the figures).
  { name: "fold -w 99", command: `i=0; while [ $i -lt 100 ]; do head -c 1000000 /dev/zero | tr '\\0' x | fold -w 99; i=$((i+1)); done` },
];

type Supervisor = "floor" | "heaven";
interface Measured {
  seconds: number;
  rssGrowthMiB: number;
}

/** A shell command writing straight to the file (the command's own cost, or the disk's). */
async function shell(command: string, file: string): Promise<Measured> {
  const t0 = nowMs();
  const child = spawn("sh", ["-c", `${command} > "$OUT"`], { stdio: "ignore", env: { ...process.env, OUT: file } });
  await once(child, "close");
  return { seconds: (nowMs() - t0) / 1000, rssGrowthMiB: 0 };
}

/** Runs this file as a child Node process that supervises `command` and reports what it measured. */
async function supervised(supervisor: Supervisor, command: string, file: string): Promise<Measured> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), supervisor, command, file], { stdio: ["ignore", "pipe", "inherit"] });
  let report = "";
  child.stdout.setEncoding("utf8").on("data", (text: string) => (report += text));
  const [code] = (await once(child, "close")) as [number | null];
  if (code !== 0) throw new Error(`log-throughput child (${supervisor}) exited ${code}`);
  return JSON.parse(report) as Measured;
}

async function pipeToFile(command: string, file: string): Promise<void> {
  const child = spawn("sh", ["-c", command], { stdio: ["ignore", "pipe", "inherit"] });
  await Promise.all([once(child, "close"), pipeline(child.stdout, createWriteStream(file))]);
}

async function throughHeaven(command: string, file: string): Promise<void> {
  const log = await DeploymentLog.open(file, { secrets: SECRETS });
  const result = await runProcess(
    { file: "sh", args: ["-c", command], env: { PATH: process.env.PATH ?? "" }, cwd: dirname(file) },
    { timeoutMs: 600_000, onOutput: (chunk, stream) => log.output(chunk, stream) },
  );
  await log.close();
  if (result.kind !== "exited" || result.exitCode !== 0) throw new Error(`the command ended ${JSON.stringify(result)}`);
}

/** In the child: time the supervisor and sample RSS every 20 ms. */
async function measureHere(supervisor: Supervisor, command: string, file: string): Promise<void> {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const t0 = nowMs();
  await (supervisor === "floor" ? pipeToFile(command, file) : throughHeaven(command, file));
  const seconds = (nowMs() - t0) / 1000;
  clearInterval(sampler);
  const measured: Measured = { seconds, rssGrowthMiB: (peak - baseline) / MIB };
  process.stdout.write(JSON.stringify(measured));
}

const best = (runs: Measured[]): Measured => ({
  seconds: Math.min(...runs.map((run) => run.seconds)),
  rssGrowthMiB: Math.max(...runs.map((run) => run.rssGrowthMiB)),
});

type Variant = "bare" | Supervisor | "disk";
const VARIANTS: Array<[Variant, string]> = [
  ["bare", "bare command > file"],
  ["floor", "node: spawn, pipe to file"],
  ["heaven", "heaven: runProcess → DeploymentLog"],
  ["disk", "disk: head -c <log's size> /dev/zero > file"],
];

export async function logThroughputBenchmark(dir: string): Promise<void> {
  const results: Record<string, { outputMB: number; logMB: number } & Record<Variant, Measured>> = {};
  for (const workload of WORKLOADS) {
    const runs: Record<Variant, Measured[]> = { bare: [], floor: [], heaven: [], disk: [] };
    const sizes = { output: 0, log: 0 };
    // Interleaved, so a slow moment of the machine touches every variant alike.
    for (let run = 0; run < RUNS; run++) {
      for (const [variant] of VARIANTS) {
        const file = join(dir, `${variant}.out`);
        if (variant === "bare" || variant === "disk") {
          runs[variant].push(await shell(variant === "bare" ? workload.command : `head -c ${sizes.log} /dev/zero`, file));
        } else {
          runs[variant].push(await supervised(variant, workload.command, file));
        }
        if (variant === "bare") sizes.output = statSync(file).size;
        if (variant === "heaven") sizes.log = statSync(file).size;
        rmSync(file, { force: true });
      }
    }
    results[workload.name] = {
      outputMB: sizes.output / 1e6,
      logMB: sizes.log / 1e6,
      bare: best(runs.bare),
      floor: best(runs.floor),
      heaven: best(runs.heaven),
      disk: best(runs.disk),
    };
  }

  const rows = [[`log throughput (best of ${RUNS})`, "s", "MB/s", "× bare", "× floor", "RSS growth"]];
  for (const [name, result] of Object.entries(results)) {
    rows.push([`${name}: ${result.outputMB.toFixed(0)} MB of output, ${result.logMB.toFixed(0)} MB of log`, "", "", "", "", ""]);
    for (const [variant, label] of VARIANTS) {
      const measured = result[variant];
      rows.push([
        `  ${label}`,
        measured.seconds.toFixed(2),
        (result.outputMB / measured.seconds).toFixed(0),
        (measured.seconds / result.bare.seconds).toFixed(2),
        (measured.seconds / result.floor.seconds).toFixed(2),
        variant === "floor" || variant === "heaven" ? `${measured.rssGrowthMiB.toFixed(1)} MiB` : "",
      ]);
    }
  }
  console.log(table(rows));
  console.log("  goals: heaven ≤ 1.5× bare on 100-char lines, ≤ 1.3× floor on yes, RSS growth < 50 MB (MB/s: of the command's output)");
  for (const [name, result] of Object.entries(results)) {
    // Short lines are compared with what Node itself can do; longer ones with the bare command.
    const against = name === "yes" ? { baseline: result.floor.seconds, of: "Node pipe-to-file floor", goal: "≤ 1.3×" } : { baseline: result.bare.seconds, of: "bare command", goal: "≤ 1.5×" };
    record(
      "log-throughput",
      { [`${name}: heaven s`]: result.heaven.seconds, [`${name}: heaven RSS growth MiB`]: result.heaven.rssGrowthMiB },
      { [`${name}: heaven s`]: against, [`${name}: heaven RSS growth MiB`]: { goal: "< 48" } },
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [supervisor, command, file] = process.argv.slice(2);
  if ((supervisor !== "floor" && supervisor !== "heaven") || command === undefined || file === undefined) {
    throw new Error("usage: log-throughput.js floor|heaven <command> <file>");
  }
  await measureHere(supervisor, command, file);
}
