/**
 * A real, throwaway PostgreSQL cluster for the scale-out tests: Debian's
 * binaries, a fresh data directory in a temp dir, listening on 127.0.0.1 on
 * a free port only, trust authentication for one superuser. PostgreSQL
 * refuses to run as root, so under root (CI) the cluster belongs to
 * `nobody`: initdb and postgres are spawned with its uid and gid.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort } from "./heaven-server.js";

export interface Postgres {
  /** `postgres://heaven@127.0.0.1:port/postgres` */
  connectionString: string;
  /** A new, empty database on this cluster: one per test keeps tests apart. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

const USER = "heaven";

/** The newest Debian PostgreSQL install (`/usr/lib/postgresql/<major>/bin`), if any. */
export function postgresBin(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root).filter((name) => existsSync(join(root, name, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a));
  return majors[0] === undefined ? undefined : join(root, majors[0], "bin");
}

/** Root may not run PostgreSQL: hand it to `nobody`. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync("id", [flag, "nobody"], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

export async function startPostgres(): Promise<Postgres> {
  const bin = postgresBin();
  if (bin === undefined) throw new Error("PostgreSQL is not installed: apt-get install postgresql (the tests need /usr/lib/postgresql/*/bin/initdb)");
  const owner = runAs();
  const dir = mkdtempSync(join(tmpdir(), "heaven-pg-"));
  if (owner !== undefined) chownSync(dir, owner.uid, owner.gid);
  const data = join(dir, "data");
  // cwd: the temp dir, since `nobody` may not be able to enter the checkout (e.g. under /root).
  const asOwner = { cwd: dir, ...(owner === undefined ? {} : { uid: owner.uid, gid: owner.gid }) };
  execFileSync(join(bin, "initdb"), ["-D", data, "-U", USER, "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"], {
    ...asOwner,
    stdio: ["ignore", "ignore", "pipe"],
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C" },
  });
  const port = await freePort();
  // Durability is not what these tests are about: no fsync keeps them fast on shared disks.
  const args = ["-D", data, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-k", dir, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200"];
  const server: ChildProcess = spawn(join(bin, "postgres"), args, { ...asOwner, stdio: ["ignore", "ignore", "pipe"], env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C" } });
  const exited = new Promise<void>((resolve) => server.once("exit", () => resolve()));
  await ready(server);
  const connectionString = `postgres://${USER}@127.0.0.1:${port}/postgres`;
  return {
    connectionString,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString });
      await client.connect();
      try {
        await client.query(`create database ${pg.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
      return `postgres://${USER}@127.0.0.1:${port}/${encodeURIComponent(name)}`;
    },
    async stop() {
      // Immediate shutdown: clients still connected do not hold the test up.
      if (server.exitCode === null && server.signalCode === null) server.kill("SIGQUIT");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves when the server says it accepts connections; rejects with its log if it exits first. */
function ready(server: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = "";
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes("database system is ready to accept connections")) {
        server.stderr?.off("data", onData);
        server.stderr?.resume();
        resolve();
      }
    };
    server.stderr?.on("data", onData);
    server.once("exit", (code, signal) => reject(new Error(`postgres exited (${code ?? signal}) before it was ready:\n${log}`)));
  });
}
