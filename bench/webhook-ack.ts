/**
 * Webhook answer time with the journal on: signed webhooks sent by a
 * separate process (webhook-sender.ts) to the real server (`node
 * lib/src/main.js`, via startHeaven), whose journal fsyncs each accepted
 * deployment before answering. Baselines that cost the journal nothing — a
 * `status` for a commit no deployment waits on (a payload of the same size,
 * through a handler), and `ping` (no handler) — show the journal's share;
 * a bare HTTP server in its own process that answers at once shows what the
 * sender and loopback HTTP cost by themselves (the method's floor).
 * Goal to compare against: p99 < 50 ms.
 */
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { open, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { webhookExample } from "../test/helpers/examples.js";
import { FakeGitHub } from "../test/helpers/fake-github.js";
import { startHeaven, WEBHOOK_SECRET } from "../test/helpers/heaven-server.js";
import { benchRepo, scriptsDone } from "./helpers/bench-repo.js";
import { percentile, spread, table } from "./helpers/stats.js";
import type { SenderInput, SenderOutput } from "./webhook-sender.js";

const FULL_NAME = "bench/ack";
const BURST = 60;
const ONE_AT_A_TIME = 20;
const ENVIRONMENTS = ["production", "staging", "qa", "canary"];
const sender = join(dirname(fileURLToPath(import.meta.url)), "webhook-sender.js");

type Request = SenderInput["requests"][number];

export async function webhookAckBenchmark(dir: string): Promise<void> {
  const github = new FakeGitHub();
  await github.start();
  const doneFile = join(dir, "scripts-done");
  const origin = benchRepo(github, dir, FULL_NAME, { seconds: 0, doneFile });
  const floor = await startFloorServer();
  // Deployments run (a script that does nothing) while the next webhooks arrive, as on a real server.
  const heaven = await startHeaven({ githubHost: github.host, dataDir: join(dir, "data"), env: { HEAVEN_SHUTDOWN_GRACE: "0" } }).catch(async (error: unknown) => {
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
  const ping = (): Request => ({ event: "ping", body: JSON.stringify(webhookExample("ping")) });
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

  try {
    const warm = many(2, deployment);
    await send("one-at-a-time", [...many(5, ping), ...many(5, status), ...warm]);
    await settled(warm.map((d) => d.id));

    const rows: string[][] = [];
    const row = (label: string, answers: SenderOutput["answers"]) => {
      const ms = answers.map((a) => a.ms);
      const ok = answers.filter((a) => a.status >= 200 && a.status < 300).length;
      rows.push([label, ...[50, 99].map((p) => `${percentile(ms, p).toFixed(1)} ms`), `${Math.max(...ms).toFixed(1)} ms`, `${ok}/${answers.length}`]);
    };

    const floorLabel = "  bare HTTP server, answers at once (floor)";
    rows.push([`one at a time (${ONE_AT_A_TIME} each):`, "", "", "", ""]);
    row(floorLabel, await send("one-at-a-time", many(ONE_AT_A_TIME, deployment), floor.url));
    row("  ping (no handler)", await send("one-at-a-time", many(ONE_AT_A_TIME, ping)));
    row("  status, nobody waits on it", await send("one-at-a-time", many(ONE_AT_A_TIME, status)));
    const alone = many(ONE_AT_A_TIME, deployment);
    row("  deployment (journaled)", await send("one-at-a-time", alone));
    await settled(alone.map((d) => d.id));

    rows.push([`a burst of ${BURST} at once:`, "", "", "", ""]);
    row(floorLabel, await send("burst", many(BURST, deployment), floor.url));
    await pause(300);
    row("  ping (no handler)", await send("burst", many(BURST, ping)));
    await pause(300);
    row("  status, nobody waits on it", await send("burst", many(BURST, status)));
    await pause(300);
    row("  deployment (journaled)", await send("burst", many(BURST, deployment)));

    console.log(
      "webhook answer time, sent from a separate process to the real server (node lib/src/main.js) whose journal fsyncs each acceptance; " +
        "timed from the connect to the last byte of the answer (goal: p99 < 50 ms)",
    );
    console.log(table([["", "p50", "p99", "max", "answered 2xx"], ...rows]));
    console.log(`  one fsync of a small append in the same directory, one at a time (the disk's share): ${spread(await fsyncTimes(join(dir, "fsync-probe"), 50))}`);
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
