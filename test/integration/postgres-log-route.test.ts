/**
 * The log page of a deployment another worker ran: the real log route,
 * reading from PostgreSQL, served over HTTP on 127.0.0.1, while a second
 * PostgresLogs (worker B's, its own connections) writes the lines and the
 * metadata. The page, the raw text and the live tail all show B's lines;
 * the tail is woken by B's NOTIFY, not by polling (its poll is an hour).
 */
import { afterAll, beforeAll, expect, it } from "@jest/globals";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DeploymentLog } from "../../src/engine/deployment-log.js";
import { logUrl } from "../../src/engine/log-links.js";
import { updateLogMeta } from "../../src/engine/postgres-log-meta-sink.js";
import { PostgresLogs } from "../../src/engine/postgres-logs.js";
import { logRoute } from "../../src/server/log-route.js";
import pg from "pg";
import { logMeta } from "../contract/log-store.contract.js";
import { eventLines, openEventStream } from "../helpers/event-stream.js";
import { tempDir } from "../helpers/git-repo.js";
import { startPostgres, type Postgres } from "../helpers/postgres.js";

const KEY = "Codertocat/Hello-World/42";
const SECRET = "log-link-secret";
let postgres: Postgres;
let serverLogs: PostgresLogs;
let workerLogs: PostgresLogs;
let pool: pg.Pool;
let server: Server;
let base = "";
const tmp = tempDir("heaven-pg-log-route-");

beforeAll(async () => {
  postgres = await startPostgres();
  const url = await postgres.createDatabase("log_route");
  const fail = (error: unknown) => {
    throw error;
  };
  [serverLogs, workerLogs] = await Promise.all([PostgresLogs.open({ connectionString: url, onError: fail }), PostgresLogs.open({ connectionString: url, onError: fail })]);
  pool = new pg.Pool({ connectionString: url, max: 1 });
  // The server process's data directory has no logs at all: everything comes from PostgreSQL.
  const route = logRoute({ dataDir: tmp.path, logSecret: SECRET, store: serverLogs.store, pollMs: 3_600_000 });
  server = createServer((req, res) => {
    void route(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await serverLogs?.close();
  await workerLogs?.close();
  await pool?.end();
  await postgres?.stop();
  tmp.remove();
});

/** Worker B writes lines the way a deployment does: through its DeploymentLog's tee. */
async function workerWrites(name: string, text: string): Promise<void> {
  const log = await DeploymentLog.open(`${tmp.path}/worker-b-${name}.log`, { secrets: ["b-token-123"], tee: workerLogs.tee(KEY) });
  await log.output(Buffer.from(text), "stdout");
  await log.close();
}

it("serves the page, the raw text and the live tail of a log worker B writes", async () => {
  await updateLogMeta(pool, KEY, () => logMeta(false));
  await workerWrites("1", "building on worker B\nusing b-token-123\n");
  const link = logUrl(base, SECRET, KEY);

  const raw = await (await fetch(`${link}&raw`)).text();
  expect(raw).toMatch(/^\S+ building on worker B\n\S+ using \*{8}\n$/);

  const page = await fetch(link, { headers: { accept: "text/html" } });
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain("building on worker B");
  expect(html).not.toContain("b-token-123");

  const stream = await openEventStream(link.replace("?", "/stream?"));
  expect(stream.status).toBe(200);
  expect((await stream.lines(2)).flatMap(eventLines).map((line) => line.replace(/^\S+ /, ""))).toEqual(["building on worker B", "using ********"]);
  const written = Date.now();
  await workerWrites("2", "deployed by worker B\n");
  expect((await stream.lines(1)).flatMap(eventLines).map((line) => line.replace(/^\S+ /, ""))).toEqual(["deployed by worker B"]);
  // Well before the tail's fallback look (5 s): the NOTIFY woke it.
  expect(Date.now() - written).toBeLessThan(4_000);
  await updateLogMeta(pool, KEY, () => logMeta(true));
  const end = await stream.until((event) => event.event === "finished");
  expect(JSON.parse(end[end.length - 1]?.data ?? "{}")).toMatchObject({ state: "success" });
  expect(await stream.next()).toBeUndefined();
});

it("answers 404 for a log nobody wrote, as for a missing file", async () => {
  const response = await fetch(logUrl(base, SECRET, "Codertocat/Hello-World/999"));
  expect(response.status).toBe(404);
});
