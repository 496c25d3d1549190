/**
 * End to end, scale-out mode: heaven's real server process (HEAVEN_ROLE=server)
 * and three real worker processes (HEAVEN_ROLE=worker) sharing one real
 * PostgreSQL, against the fake GitHub. GitHub's webhooks reach the server
 * only; the workers run the deployments. What a team checks: every
 * deployment ends in success, each environment's deployments ran one at a
 * time and in the order they were made, more than one worker did the work,
 * and a worker SIGKILLed mid-deploy costs exactly one `error` status (posted
 * by a surviving worker) while its environment's next deployment runs
 * elsewhere. Each deploy script notes which worker ran it (WORKER_NAME).
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { createRepo, script, tempDir } from "../helpers/git-repo.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { startHeaven, type HeavenProcess } from "../helpers/heaven-server.js";
import { startPostgres, type Postgres } from "../helpers/postgres.js";
import { isDead, readPid } from "../helpers/process-state.js";

const OWNER = "heaven-scale-out";
const REPOS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliett"];
const ENVIRONMENTS = ["production", "staging"];
const PER_LANE = 3;

let tmp: ReturnType<typeof tempDir>;
let postgres: Postgres;
let databaseUrl: string;
let db: pg.Pool;
let github: FakeGitHub;
let server: HeavenProcess;
const workers = new Map<string, HeavenProcess>();
const started: HeavenProcess[] = [];

/**
 * The deploy script: takes its environment's lock (a directory holding its
 * pid) and fails if a live deployment holds it, notes "<id> <worker>" in the
 * environment's runs file, holds when the test asked it to, and lets go.
 */
const DEPLOY = (dir: string) =>
  script(`DIR='${dir}'
LOCK="$DIR/$DEPLOY_ENV.lock"
if ! mkdir "$LOCK" 2>/dev/null; then
  holder=$(cat "$LOCK/pid" 2>/dev/null)
  state=$(sed 's/.*) //' "/proc/$holder/stat" 2>/dev/null | cut -c1)
  if [ -z "$holder" ] || { [ -n "$state" ] && [ "$state" != Z ]; }; then echo "two deployments at once in $DEPLOY_ENV: $holder holds it"; exit 1; fi
fi
echo $$ > "$LOCK/pid"
echo "$DEPLOYMENT_ID $WORKER_NAME" >> "$DIR/$DEPLOY_ENV.runs"
echo "deploying $DEPLOYMENT_ID on $WORKER_NAME"
if [ -e "$DIR/hold-$DEPLOY_ENV" ]; then rm "$DIR/hold-$DEPLOY_ENV"; echo $$ > "$DIR/held.pid"; sleep 600; fi
rm -rf "$LOCK"`);

const filesOf = (repo: string) => join(tmp.path, `${repo}-files`);
/** "<id> <worker>" per run of an environment's script, in the order they ran. */
function runs(repo: string, environment: string): Array<{ id: number; worker: string }> {
  const file = join(filesOf(repo), `${environment}.runs`);
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").trim().split("\n").map((line) => ({ id: Number(line.split(" ")[0]), worker: line.split(" ")[1] ?? "" }));
}

beforeAll(async () => {
  tmp = tempDir("heaven-e2e-scale-out-");
  postgres = await startPostgres();
  databaseUrl = await postgres.createDatabase("scale_out");
  db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  github = new FakeGitHub({ waitTimeoutMs: 60_000 });
  await github.start();
  github.deliver = (event, payload, guid) => server.webhook(event, payload, { delivery: guid });
  REPOS.forEach((name, index) => {
    mkdirSync(filesOf(name), { recursive: true });
    const origin = createRepo(tmp.path, name, { "script/deploy": DEPLOY(filesOf(name)) });
    github.addRepo(`${OWNER}/${name}`, { dir: origin.dir, defaultBranch: "main", installationId: 7100 + index });
  });
  // One log secret for all: a link a worker signs opens on the server.
  const common = { DATABASE_URL: databaseUrl, DEPLOYMENT_TIMEOUT: "120", HEAVEN_SHUTDOWN_GRACE: "5", HEAVEN_LOG_SECRET: "scale-out-test-log-secret" };
  // The server first: it migrates the schema the workers find.
  server = await startHeaven({ githubHost: github.host, dataDir: join(tmp.path, "server"), env: { ...common, HEAVEN_ROLE: "server" } });
  started.push(server);
  const names = ["w1", "w2", "w3"];
  const up = await Promise.all(
    names.map((name) =>
      // Their log links name the server, which reads every log from PostgreSQL.
      startHeaven({ githubHost: github.host, dataDir: join(tmp.path, name), env: { ...common, HEAVEN_ROLE: "worker", HEAVEN_URL: server.url, WORKER_NAME: name, HEAVEN_PASS_ENV: "WORKER_NAME" } }),
    ),
  );
  up.forEach((worker, index) => workers.set(names[index] as string, worker));
  started.push(...up);
}, 90_000);

afterAll(async () => {
  for (const heaven of started) heaven.kill("SIGKILL");
  await Promise.all(started.map((heaven) => heaven.exited));
  const held = join(filesOf(REPOS[0] as string), "held.pid");
  if (existsSync(held) && !isDead(readPid(held))) process.kill(readPid(held), "SIGKILL");
  await db?.end();
  await github?.stop();
  await postgres?.stop();
  tmp?.remove();
});

/** Polls what only the database can say (the worker that runs a job), as bad-day polls files. */
async function until(test: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const deploy = (repo: string, environment: string) => github.createDeployment({ fullName: `${OWNER}/${repo}`, ref: "main", environment, creator: { login: "alice" } });

describe("heaven in scale-out mode", () => {
  it("runs every deployment once, one at a time and in order per environment, spread over the workers", async () => {
    expect(server.output()).toContain("HEAVEN_ROLE=server: this process accepts deployments and runs none");
    // A worker answers its process manager and Prometheus on its own port.
    for (const worker of workers.values()) expect((await fetch(`${worker.url}/health`)).status).toBe(200);
    const made = new Map<string, number[]>();
    for (let round = 0; round < PER_LANE; round += 1) {
      for (const repo of REPOS) {
        for (const environment of ENVIRONMENTS) {
          const id = await deploy(repo, environment);
          made.set(`${repo} ${environment}`, [...(made.get(`${repo} ${environment}`) ?? []), id]);
        }
      }
    }
    const ids = [...made.values()].flat();
    const finals = await Promise.all(ids.map((id) => github.waitForFinalStatus(id)));
    expect(finals.filter((status) => status.state !== "success")).toEqual([]);
    expect(ids.filter((id) => github.finalStatusesOf(id).length !== 1)).toEqual([]);

    const workersUsed = new Set<string>();
    for (const [lane, laneIds] of made) {
      const [repo, environment] = lane.split(" ") as [string, string];
      const ran = runs(repo, environment);
      // In the order GitHub created them, each once (a second run at once would have failed on the lock).
      expect({ lane, ran: ran.map((run) => run.id) }).toEqual({ lane, ran: laneIds });
      for (const run of ran) workersUsed.add(run.worker);
    }
    // Workers ran them all (the server has no WORKER_NAME), and more than one did.
    expect([...workersUsed].filter((name) => !workers.has(name))).toEqual([]);
    expect(workersUsed.size).toBeGreaterThanOrEqual(2);

    // Every status went through the shared outbox, delivered by one process: the server, which started first.
    const { rows } = await db.query<{ delivered: number }>("select count(*)::int as delivered from heaven.outbox where done = 'delivered'");
    expect(rows[0]?.delivered).toBeGreaterThanOrEqual(ids.length);
    expect(server.output()).toContain("outbox: this process now delivers the GitHub writes of every heaven process");
    for (const worker of workers.values()) expect(worker.output()).not.toContain("this process now delivers");

    // A log link opens on the server, whichever worker ran the deployment: the log is in PostgreSQL.
    const last = ids[ids.length - 1] as number;
    const final = github.finalStatusesOf(last)[0];
    const ranOn = runs(REPOS.at(-1) as string, "staging").at(-1)?.worker ?? "";
    expect(final?.log_url?.startsWith(server.url)).toBe(true);
    const page = await (await fetch(final?.log_url as string)).text();
    expect(page).toContain(`deploying ${last} on ${ranOn}`);
    expect(page).toMatch(/heaven: success: script\/deploy succeeded/);
  }, 90_000);

  it("shows on the server's release API the checks a worker's parked deployment waits for: the worker's events reach the server", async () => {
    const fullName = `${OWNER}/${REPOS[1] as string}`;
    const token = "ghp_alice0scale0out00000000000000000000000";
    github.userTokens.set(token, "alice");
    github.repo(fullName).config = "required_contexts: [ci/test]\n";
    const id = await deploy(REPOS[1] as string, "staging");
    type Parked = { deploymentId: string; by: string; waitingFor: string[] | null };
    let parked: Parked[] = [];
    // The checks are known only from the worker's `waiting-for-ci` event; without it the server says null.
    await until(async () => {
      const body = (await (await fetch(`${server.url}/api/repos/${fullName}/environments`, { headers: { authorization: `Bearer ${token}` } })).json()) as { environments: Array<{ name: string; parked: Parked[] }> };
      parked = body.environments.find((environment) => environment.name === "staging")?.parked ?? [];
      return parked.some((entry) => entry.deploymentId === String(id) && entry.waitingFor !== null);
    }, `deployment ${id}'s checks on the server's release API`);
    expect(parked).toEqual([expect.objectContaining({ deploymentId: String(id), by: "alice", waitingFor: ["ci/test"] })]);
    // It stays parked (no CI will come) in a lane the next test does not use.
    github.repo(fullName).config = undefined;
  }, 30_000);

  it("ends a SIGKILLed worker's deployment with exactly one error within 15 s, and runs the environment's next deployment on another worker", async () => {
    const repo = REPOS[0] as string;
    writeFileSync(join(filesOf(repo), "hold-production"), "");
    const held = await deploy(repo, "production");
    const next = await deploy(repo, "production");
    // Its script is running and its process group is on record: what a survivor kills.
    const key = `github:deployment:${held}`;
    let workerId = "";
    await github.waitFor(() => existsSync(join(filesOf(repo), "held.pid")), `deployment ${held}'s script holding`);
    await until(async () => {
      const { rows } = await db.query<{ worker_id: string; groups: number }>("select worker_id, jsonb_array_length(processes) as groups from heaven.deploy_jobs where key = $1", [key]);
      workerId = rows[0]?.worker_id ?? "";
      return (rows[0]?.groups ?? 0) > 0;
    }, `deployment ${held}'s process group on record`);
    const [victimName, victim] = [...workers].find(([, worker]) => workerId.split(":")[1] === String(worker.pid)) ?? [];
    expect(victim).toBeDefined();
    const script = readPid(join(filesOf(repo), "held.pid"));
    // The victim's lines are in PostgreSQL before it dies: the server's log page shows them.
    await github.waitFor(() => github.statusesOf(held).some((status) => status.state === "in_progress"), `deployment ${held} in progress`);
    const logUrl = github.statusesOf(held).find((status) => status.state === "in_progress")?.log_url as string;
    await until(async () => (await (await fetch(logUrl)).text()).includes(`deploying ${held} on ${victimName}`), `deployment ${held}'s lines on the server's log page`);

    victim?.kill("SIGKILL");
    expect((await victim?.exited)?.signal).toBe("SIGKILL");
    const killedAt = Date.now();
    const final = await github.waitForFinalStatus(held, 15_000);
    expect(Date.now() - killedAt).toBeLessThan(15_000);
    expect(final).toMatchObject({ state: "error", description: "the worker running this deployment stopped; its script was stopped — deploy again" });
    expect(isDead(script)).toBe(true);
    // One log, on the server: what the victim's script printed, then the survivor's note.
    expect(await (await fetch(final.log_url as string)).text()).toMatch(new RegExp(`deploying ${held} on ${victimName}\\n(.*\\n)*.*heaven: the worker running this deployment stopped`));

    expect(await github.waitForFinalStatus(next)).toMatchObject({ state: "success" });
    const ranNext = runs(repo, "production").at(-1);
    expect(ranNext?.id).toBe(next);
    expect(ranNext?.worker).not.toBe(victimName);

    // The survivors stop cleanly (their outboxes flushed): still one error, and nothing ran twice.
    for (const [name, worker] of workers) if (name !== victimName) expect(await worker.stop()).toBe(0);
    expect(await server.stop()).toBe(0);
    expect(github.finalStatusesOf(held)).toHaveLength(1);
    expect(runs(repo, "production").filter((run) => run.id === held)).toHaveLength(1);
  }, 60_000);
});
