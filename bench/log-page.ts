/**
 * The log page of a 100 MB log, served by heaven's real server process
 * (`startHeaven`): time to first byte and total time of the HTML page and of
 * the raw text, and how much the server's RSS grows while it serves them
 * (its peak, reset before each request through /proc/<pid>/clear_refs).
 * Beside them, the floor: a bare node server piping the same file with
 * createReadStream (what the raw route did before the log store).
 */
import { createReadStream, createWriteStream, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { once } from "node:events";
import { createServer, get } from "node:http";
import { dirname, join } from "node:path";
import type { LogMeta } from "../src/core/log-store.js";
import { logFilePath, logMetaPath, logUrl } from "../src/engine/log-links.js";
import { FakeGitHub } from "../test/helpers/fake-github.js";
import { startHeaven } from "../test/helpers/heaven-server.js";
import { record } from "./helpers/scoreboard.js";
import { nowMs, table } from "./helpers/stats.js";

const BYTES = 100_000_000;
const RUNS = 3;
const MIB = 1024 * 1024;
const KEY = "Codertocat/Hello-World/1";
const SECRET = "a-log-secret-for-the-benchmark";

interface Served {
  ttfbMs: number;
  totalMs: number;
  bytes: number;
  rssGrowthMiB: number;
}

/** A log as a build prints it: stamped lines, some coloured, some of heaven's notes, some from a host's track. */
async function writeLog(file: string): Promise<number> {
  mkdirSync(dirname(file), { recursive: true });
  const out = createWriteStream(file);
  let written = 0;
  for (let line = 0; written < BYTES; ) {
    const block: string[] = [];
    for (let i = 0; i < 10_000; i++, line++) {
      const stamp = new Date(Date.UTC(2026, 10, 22, 14, 0, 0, line)).toISOString();
      if (line % 10 === 0) block.push(`${stamp} \u001b[32m✓\u001b[0m compiled src/module-${line}.ts in \u001b[1m${line % 97} ms\u001b[0m`);
      else if (line % 10 === 5) block.push(`${stamp} web-${line % 3} | GET /assets/app-${line}.js 200 <cached> & gzip`);
      else if (line % 1000 === 1) block.push(`${stamp} heaven: still deploying, ${line} lines so far`);
      else block.push(`${stamp} building module ${line} of many: node_modules/some-package/lib/file-${line}.js`);
    }
    const text = `${block.join("\n")}\n`;
    written += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, "drain");
  }
  out.end();
  await once(out, "close");
  return written;
}

function meta(): LogMeta {
  return {
    repository: "Codertocat/Hello-World",
    repositoryUrl: "https://github.com/Codertocat/Hello-World",
    deploymentId: "1",
    environment: "production",
    ref: "main",
    sha: "0123456789abcdef0123456789abcdef01234567",
    task: "deploy",
    who: "octocat",
    state: "success",
    description: "script/deploy succeeded in 1 h",
    finished: true,
    acceptedAt: 0,
    startedAt: 1,
    finishedAt: 3_600_001,
    updatedAt: Date.now(),
  };
}

function statusKiB(pid: number, field: "VmRSS" | "VmHWM"): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith(`${field}:`));
  return Number(/(\d+)/.exec(line ?? "")?.[1] ?? NaN);
}

/** One request read to its end; `pid`: whose peak RSS to watch while it is served. */
async function serve(url: string, accept: string, pid: number): Promise<Served> {
  // "5" resets the peak (VmHWM) to the current RSS: what follows is this request's.
  writeFileSync(`/proc/${pid}/clear_refs`, "5");
  const before = statusKiB(pid, "VmRSS");
  const start = nowMs();
  let first = NaN;
  let bytes = 0;
  await new Promise<void>((resolve, reject) => {
    get(url, { headers: { accept } }, (res) => {
      res.on("data", (chunk: Buffer) => {
        if (Number.isNaN(first)) first = nowMs();
        bytes += chunk.length;
      });
      res.on("end", resolve);
      res.on("error", reject);
    }).on("error", reject);
  });
  const totalMs = nowMs() - start;
  return { ttfbMs: first - start, totalMs, bytes, rssGrowthMiB: ((statusKiB(pid, "VmHWM") - before) * 1024) / MIB };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
function summary(runs: Served[]): Served {
  return { ttfbMs: median(runs.map((r) => r.ttfbMs)), totalMs: median(runs.map((r) => r.totalMs)), bytes: runs[0]?.bytes ?? 0, rssGrowthMiB: Math.max(...runs.map((r) => r.rssGrowthMiB)) };
}

export async function logPageBenchmark(dir: string): Promise<void> {
  const dataDir = join(dir, "data");
  const size = await writeLog(logFilePath(dataDir, KEY));
  writeFileSync(logMetaPath(dataDir, KEY), JSON.stringify(meta()));
  const floor = createServer((_req, res) => createReadStream(logFilePath(dataDir, KEY)).pipe(res));
  await new Promise<void>((resolve) => floor.listen(0, "127.0.0.1", resolve));
  const github = new FakeGitHub();
  await github.start();
  const heaven = await startHeaven({ githubHost: github.host, dataDir, env: { HEAVEN_LOG_SECRET: SECRET } });
  const runs: Record<"floor" | "raw" | "html", Served[]> = { floor: [], raw: [], html: [] };
  try {
    const link = logUrl(heaven.url, SECRET, KEY);
    const floorUrl = `http://127.0.0.1:${(floor.address() as { port: number }).port}/`;
    // Interleaved, so a slow moment of the machine touches every variant alike.
    for (let run = 0; run < RUNS; run++) {
      runs.floor.push(await serve(floorUrl, "*/*", process.pid));
      runs.raw.push(await serve(link, "*/*", heaven.pid));
      runs.html.push(await serve(link, "text/html", heaven.pid));
    }
  } finally {
    await heaven.stop();
    await github.stop();
    floor.close();
  }
  const [bare, raw, html] = [summary(runs.floor), summary(runs.raw), summary(runs.html)];
  const row = (name: string, s: Served, baseline: Served) => [
    name,
    s.ttfbMs.toFixed(1),
    (s.totalMs / 1000).toFixed(2),
    ((s.bytes / 1e6) / (s.totalMs / 1000)).toFixed(0),
    (s.totalMs / baseline.totalMs).toFixed(2),
    name.startsWith("floor") ? "" : `${s.rssGrowthMiB.toFixed(1)} MiB`,
  ];
  console.log(`log page: a ${(size / 1e6).toFixed(0)} MB log (${(html.bytes / 1e6).toFixed(0)} MB as HTML), median of ${RUNS}; RSS growth: the server's peak while serving, the highest of the runs`);
  console.log(
    table([
      ["", "TTFB ms", "total s", "MB/s", "× floor", "RSS growth"],
      row("floor: createReadStream → res", bare, bare),
      row("raw (?raw, curl)", raw, bare),
      row("HTML page", html, bare),
    ]),
  );
  console.log("  goals: TTFB < 100 ms for both; RSS growth < 50 MiB for both (the log is 100 MB: it is never held whole)");
  const results = { logMB: size / 1e6, htmlMB: html.bytes / 1e6, floor: bare, raw, html };
  console.log(`RESULT log-page ${JSON.stringify(results)}`);
  record(
    "log-page",
    {
      "raw: time to first byte (ms)": raw.ttfbMs,
      "raw: total (s)": raw.totalMs / 1000,
      "raw: server RSS growth (MiB)": raw.rssGrowthMiB,
      "HTML page: time to first byte (ms)": html.ttfbMs,
      "HTML page: total (s)": html.totalMs / 1000,
      "HTML page: server RSS growth (MiB)": html.rssGrowthMiB,
    },
    {
      "raw: time to first byte (ms)": { goal: "< 100" },
      "raw: total (s)": { baseline: bare.totalMs / 1000, of: "createReadStream floor" },
      "raw: server RSS growth (MiB)": { goal: "< 50" },
      "HTML page: time to first byte (ms)": { goal: "< 100" },
      "HTML page: total (s)": { baseline: raw.totalMs / 1000, of: "raw, same run" },
      "HTML page: server RSS growth (MiB)": { goal: "< 50" },
    },
  );
}
