/**
 * Webhook answer time with the journal on: signed webhooks sent by a
 * separate process (webhook-sender.ts) to the real server (`node
 * lib/src/main.js`, via startHeaven), whose journal fsyncs each accepted
 * deployment before answering. Baselines that cost the journal nothing — a
 * `status` for a commit no deployment waits on (a payload of the same size,
 * handled after the answer, kept in memory only), and `ping` (no handler) —
 * show the journal's share; a `status` on the default branch is kept in the
 * webhook inbox (one fsync, group commit) before the answer and planned
 * after it; a `/wcid` comment shows an event whose handling reads GitHub
 * (answered before it is handled). A bare HTTP server in its own process
 * that answers at once shows what the sender and loopback HTTP cost by
 * themselves (the method's floor). Beside each burst, heaven's own
 * event-loop delay over the burst (first request sent → last answer in)
 * and the CPU time it used per webhook (running deployments' share
 * included), measured inside heaven by a preload (webhook-loop-delay.ts)
 * passed through NODE_OPTIONS. Goal to compare against: p99 < 50 ms. */
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { open, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { commentEvent } from "../test/helpers/comment-events.js";
import { webhookExample } from "../test/helpers/examples.js";
import { FakeGitHub } from "../test/helpers/fake-github.js";
import { startHeaven, WEBHOOK_SECRET } from "../test/helpers/heaven-server.js";
import { benchRepo, scriptsDone } from "./helpers/bench-repo.js";
import { record } from "./helpers/scoreboard.js";
import { percentile, spread, table } from "./helpers/stats.js";
import type { LoopDelay } from "./webhook-loop-delay.js";
import type { SenderInput, SenderOutput } from "./webhook-sender.js";

const FULL_NAME = "bench/ack";
const BURST = 60;
const ONE_AT_A_TIME = 20;
const ENVIRONMENTS = ["production", "staging", "qa", "canary"];
const here = dirname(fileURLToPath(import.meta.url));
const sender = join(here, "webhook-sender.js");
const loopDelayPreload = join(here, "webhook-loop-delay.js");

type Request = SenderInput["requests"][number];

export async function webhookAckBenchmark(dir: string): Promise<void> {
  const github = new FakeGitHub({ waitTimeoutMs: 60_000 });
  await github.start();
  const doneFile = join(dir, "scripts-done");
  const origin = benchRepo(github, dir, FULL_NAME, { seconds: 0, doneFile });
  const floor = await startFloorServer();
  // Deployments run (a script that does nothing) while the next webhooks arrive, as on a real server.
  const delayFile = join(dir, "loop-delay");
  const env = { HEAVEN_SHUTDOWN_GRACE: "0", NODE_OPTIONS: `--import=${loopDelayPreload}`, HEAVEN_BENCH_LOOP_DELAY_FILE: delayFile };
  const heaven = await startHeaven({ githubHost: github.host, dataDir: join(dir, "data"), env }).catch(async (error: unknown) => {
    floor.stop();
    await github.stop();
    throw error;
  });
  let nextId = 70_000;
  const deployment = (): Request & { id: number } => {
    const event = github.forRepository(webhookExample("deployment", (e) => e.installation !== undefined && e.deployment.environment === "production"), FULL_NAME);
    const id = nextId++;
    Object.assign(event.deployment, { id, sha: origin.sha, ref: "main", environment: ENVIRONMENTS[id % ENVIRONMENTS.length] });
    return { event: "deployment", body: JSON.stringify(event), id };
  };
  const status = (): Request => {
    // Settled CI on a commit nobody deploys, on no branch: wakes nothing, plans nothing.
    const event = github.forRepository(webhookExample("status", (e) => e.installation !== undefined), FULL_NAME);
    Object.assign(event, { sha: randomBytes(20).toString("hex"), state: "success", context: "ci/bench", branches: [] });
    return { event: "status", body: JSON.stringify(event) };
  };
  /** Settled CI on the default branch: kept in the inbox before the answer; its auto-deploy planning after it reads the configuration (no auto_deploy) and stops. */
  const statusOnBranch = (): Request => {
    const event = JSON.parse(status().body) as { branches: unknown[] };
    event.branches = [{ name: "main", commit: {}, protected: false }];
    return { event: "status", body: JSON.stringify(event) };
  };
  const configReads = () => github.requests.filter((r) => r.method === "GET" && r.path === `/repos/${FULL_NAME}/contents/.github/heaven.yml`).length;
  const ping = (): Request => ({ event: "ping", body: JSON.stringify(webhookExample("ping")) });
  /** A `/wcid` on a pull request: answering it reads GitHub (configuration, deployments, their statuses) and writes a reply. */
  const wcid = (): Request => ({ event: "issue_comment", body: JSON.stringify(commentEvent(github, { repo: FULL_NAME, pull: 1, body: "/wcid", user: { login: "alice" } })) });
  const many = <T>(n: number, make: () => T) => Array.from({ length: n }, make);

  let run = 0;
  const send = async (mode: SenderInput["mode"], requests: Request[], url = heaven.url) => {
    const file = join(dir, `sender-${run++}.json`);
    await writeFile(file, JSON.stringify({ url, secret: WEBHOOK_SECRET, mode, requests: requests.map(({ event, body }) => ({ event, body })) } satisfies SenderInput));
    const { stdout } = await promisify(execFile)(process.execPath, [sender, file], { maxBuffer: 10 * 1024 * 1024 });
    return (JSON.parse(stdout) as SenderOutput).answers;
  };
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  /** Until the deployments' scripts have run (their work no longer competes with the next measurement). */
  const settled = async (ids: number[]) => {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !ids.every((id) => scriptsDone(doneFile).has(id))) await pause(100);
    await pause(300);
  };
  let windows = 0;
  /** heaven's event-loop delay since the last call (the preload writes it on SIGUSR2). */
  const loopDelay = async (): Promise<LoopDelay> => {
    const file = `${delayFile}.${windows++}`;
    heaven.kill("SIGUSR2");
    const deadline = Date.now() + 10_000;
    while (!existsSync(file)) {
      if (Date.now() > deadline) throw new Error(`heaven wrote no ${file}: is the preload loaded?\n${heaven.output().slice(-3000)}`);
      await pause(5);
    }
    return JSON.parse(await readFile(file, "utf8")) as LoopDelay;
  };
  /** A burst, with heaven's event-loop delay over it. */
  const burst = async (requests: Request[]) => {
    await loopDelay();
    const answers = await send("burst", requests);
    return { answers, delay: await loopDelay() };
  };

  try {
    const warm = many(2, deployment);
    await send("one-at-a-time", [...many(5, ping), ...many(5, status), ...warm]);
    await settled(warm.map((d) => d.id));

    const rows: string[][] = [];
    const row = (label: string, answers: SenderOutput["answers"], delay?: LoopDelay) => {
      const ms = answers.map((a) => a.ms);
      const ok = answers.filter((a) => a.status >= 200 && a.status < 300).length;
      const loop = delay === undefined ? "" : [delay.p50, delay.p99, delay.max].map((v) => v.toFixed(1)).join(" / ") + " ms";
      const cpu = delay === undefined ? "" : `${(delay.cpuMs / answers.length).toFixed(2)} ms`;
      rows.push([label, ...[50, 99].map((p) => `${percentile(ms, p).toFixed(1)} ms`), `${Math.max(...ms).toFixed(1)} ms`, `${ok}/${answers.length}`, loop, cpu]);
    };
    const burstRow = (label: string, measured: { answers: SenderOutput["answers"]; delay: LoopDelay }) => row(label, measured.answers, measured.delay);

    const floorLabel = "  bare HTTP server, answers at once (floor)";
    rows.push([`one at a time (${ONE_AT_A_TIME} each):`, "", "", "", "", "", ""]);
    row(floorLabel, await send("one-at-a-time", many(ONE_AT_A_TIME, deployment), floor.url));
    row("  ping (no handler)", await send("one-at-a-time", many(ONE_AT_A_TIME, ping)));
    row("  status, nobody waits on it", await send("one-at-a-time", many(ONE_AT_A_TIME, status)));
    row("  pull-request comment /wcid (reads GitHub)", await send("one-at-a-time", many(ONE_AT_A_TIME, wcid)));
    const alone = many(ONE_AT_A_TIME, deployment);
    row("  deployment (journaled)", await send("one-at-a-time", alone));
    await settled(alone.map((d) => d.id));

    rows.push([`a burst of ${BURST} at once:`, "", "", "", "", "", ""]);
    const floorBurst = await send("burst", many(BURST, deployment), floor.url);
    row(floorLabel, floorBurst);
    await pause(300);
    burstRow("  ping (no handler)", await burst(many(BURST, ping)));
    await pause(300);
    burstRow("  status, nobody waits on it", await burst(many(BURST, status)));
    await pause(300);
    const readsBefore = configReads();
    burstRow("  status on the default branch (kept in the inbox)", await burst(many(BURST, statusOnBranch)));
    // Their planning (after the answers) must not compete with the next burst.
    await github.waitFor(() => configReads() >= readsBefore + BURST, "the planning of every status on the default branch");
    await pause(300);
    const deployments = await burst(many(BURST, deployment));
    burstRow("  deployment (journaled)", deployments);

    console.log(
      "webhook answer time, sent from a separate process to the real server (node lib/src/main.js) whose journal fsyncs each acceptance; " +
        "timed from the connect to the last byte of the answer (goal: p99 < 50 ms)",
    );
    console.log(table([["", "p50", "p99", "max", "answered 2xx", "heaven's loop delay p50 / p99 / max", "heaven's CPU per webhook"], ...rows]));
    console.log(`  one fsync of a small append in the same directory, one at a time (the disk's share): ${spread(await fsyncTimes(join(dir, "fsync-probe"), 50))}`);
    const answered = deployments.answers.map((a) => a.ms);
    record(
      "webhook-ack",
      {
        "answer p50, burst of 60 deployments (ms)": percentile(answered, 50),
        "answer p99, burst of 60 deployments (ms)": percentile(answered, 99),
        "heaven's event-loop delay p99 in that burst (ms)": deployments.delay.p99,
        "heaven's event-loop delay max in that burst (ms)": deployments.delay.max,
      },
      { "answer p99, burst of 60 deployments (ms)": { baseline: percentile(floorBurst.map((a) => a.ms), 99), of: "bare HTTP server", goal: "< 50" } },
    );
  } finally {
    floor.stop();
    await heaven.stop();
    await github.stop();
  }
}

/** Answers every request at once; exits when its stdin closes (the benchmark ended, or died). */
const FLOOR_SERVER = `require("node:http").createServer((req, res) => { req.resume(); req.on("end", () => res.end("ok")); })
  .listen(0, "127.0.0.1", function () { console.log(this.address().port); });
process.stdin.on("end", () => process.exit(0)).resume();`;

/** An HTTP server in its own process that answers every request at once. */
async function startFloorServer(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, ["-e", FLOOR_SERVER], { stdio: ["pipe", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once("data", (chunk: Buffer) => resolve(Number(chunk.toString("utf8").trim())));
    child.once("exit", (code) => reject(new Error(`the floor server exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => void child.stdin.end() };
}

/** How long this disk takes to append a line and fsync it. */
async function fsyncTimes(file: string, n: number): Promise<number[]> {
  const handle = await open(file, "a");
  const times: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const started = performance.now();
      await handle.write(`${JSON.stringify({ t: "probe", i, pad: "x".repeat(200) })}\n`);
      await handle.sync();
      times.push(performance.now() - started);
    }
  } finally {
    await handle.close();
  }
  return times;
}
