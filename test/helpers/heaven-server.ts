/**
 * heaven's real server (`node lib/src/main.js`, what `npm start` runs) as a
 * child process, pointed at a fake GitHub through GHE_HOST, plus a client
 * that sends signed webhooks to it. A test can send it any signal (a crash
 * is SIGKILL), start the next one on the same port and data directory, run
 * it in a directory holding a `.env`, wait for its log lines, and read its
 * journal and outbox the way the next heaven will.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { appPrivateKey } from "./app-credentials.js";
import { foldOutbox, parseOutboxRecord, type OutboxFileState } from "../../src/github/outbox-state.js";
import { foldJournal, parseJournalRecord, type JournalState } from "../../src/queue/journal-state.js";

export const WEBHOOK_SECRET = "e2e-webhook-secret";

/** The project's build, wherever the child runs (`cwd`). */
/** The project's root, found from this file whether it runs from test/helpers (jest) or lib/test/helpers (the benchmark). */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("heaven-server: no package.json above this file");
    dir = parent;
  }
  return dir;
}

const MAIN = join(projectRoot(), "lib", "src", "main.js");

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** How the process ended: an exit code, or the signal that killed it. */
export interface HeavenExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** heaven ended before it listened (bad settings, say): how, and what it said. */
export class HeavenExitedError extends Error {
  constructor(
    readonly exit: HeavenExit,
    readonly output: string,
  ) {
    super(`heaven exited with ${exit.code ?? exit.signal} before listening:\n${output}`);
  }
}

export interface HeavenProcess {
  url: string;
  /** The port it listens on: start the next heaven on it, and GitHub's webhooks (the fake's `deliver`) reach whichever runs. */
  port: number;
  pid: number;
  output: () => string;
  /** Resolves with the output so far once it matches (stdout and stderr, JSON log lines); rejects when heaven exits first or after `timeoutMs` (default 40 s). */
  waitForOutput: (match: string | RegExp, timeoutMs?: number) => Promise<string>;
  /** A signed webhook; `delivery` is its `X-GitHub-Delivery` GUID (a fresh one by default). */
  webhook: (event: string, payload: unknown, options?: { secret?: string; delivery?: string }) => Promise<Response>;
  /** Sends `signal` and returns at once; `exited` says how it ended. */
  kill: (signal: NodeJS.Signals) => void;
  exited: Promise<HeavenExit>;
  /** SIGTERM, and its exit code once it has exited. */
  stop: () => Promise<number | null>;
}

export interface StartOptions {
  githubHost: string;
  dataDir: string;
  env?: Record<string, string>;
  /** The child's working directory (where Probot and heaven read `.env`); default: this process's. */
  cwd?: string;
  /** Default: a free one. */
  port?: number;
}

export async function startHeaven(options: StartOptions): Promise<HeavenProcess> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    cwd: options.cwd,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: options.dataDir,
      NODE_ENV: "production",
      APP_ID: "1",
      PRIVATE_KEY: appPrivateKey(),
      WEBHOOK_SECRET,
      GHE_HOST: options.githubHost,
      GHE_PROTOCOL: "http",
      HOST: "127.0.0.1",
      PORT: String(port),
      HEAVEN_URL: url,
      HEAVEN_DATA_DIR: options.dataDir,
      LOG_LEVEL: "info",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const watchers = new Set<() => void>();
  // "close", not "exit": by then everything it wrote has been read.
  const exited = new Promise<HeavenExit>((resolve) => child.once("close", (code, signal) => resolve({ code, signal })));
  let ended = false;
  void exited.then(() => {
    ended = true;
    for (const watcher of [...watchers]) watcher();
  });
  const onData = (chunk: Buffer) => {
    output += chunk.toString("utf8");
    for (const watcher of [...watchers]) watcher();
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);

  const waitForOutput = (match: string | RegExp, timeoutMs = 40_000) =>
    new Promise<string>((resolve, reject) => {
      const found = () => (typeof match === "string" ? output.includes(match) : match.test(output));
      const timer = setTimeout(() => finish(new Error(`heaven did not log ${String(match)} within ${timeoutMs / 1000} s:\n${output}`)), timeoutMs);
      const finish = (error?: Error) => {
        clearTimeout(timer);
        watchers.delete(check);
        if (error === undefined) resolve(output);
        else reject(error);
      };
      const check = () => {
        if (found()) finish();
        else if (ended) finish(new Error(`heaven exited before it logged ${String(match)}:\n${output}`));
      };
      watchers.add(check);
      check();
    });

  try {
    await waitForOutput("Listening on", 60_000);
  } catch (error) {
    if (ended) throw new HeavenExitedError(await exited, output);
    child.kill("SIGKILL");
    throw error;
  }

  const webhook = async (event: string, payload: unknown, { secret = WEBHOOK_SECRET, delivery = randomUUID(), path = "/api/github/webhooks" }: { secret?: string; delivery?: string; path?: string } = {}) => {
    const body = JSON.stringify(payload);
    return fetch(`${url}${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": event,
        "x-github-delivery": delivery,
        "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
      },
      body,
    });
  };

  return {
    url,
    port,
    pid: child.pid as number,
    output: () => output,
    waitForOutput,
    webhook,
    kill: (signal) => void child.kill(signal),
    exited,
    stop: async () => {
      child.kill("SIGTERM");
      return (await exited).code;
    },
  };
}

/** Lines of a JSON-lines file heaven keeps, read while it may be writing (a line being written is skipped). */
function readJsonLines(path: string): unknown[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .flatMap((line) => {
      try {
        return line.trim() === "" ? [] : [JSON.parse(line) as unknown];
      } catch {
        return [];
      }
    });
}

/** `$HEAVEN_DATA_DIR/journal.jsonl` folded the way the next heaven reads it: the jobs not finished, and what they started. */
export function readJournal(dataDir: string): JournalState {
  return foldJournal(readJsonLines(join(dataDir, "journal.jsonl")).flatMap((value) => {
    const record = parseJournalRecord(value);
    return record.ok ? [record.value] : [];
  }));
}

/** `$HEAVEN_DATA_DIR/outbox.jsonl` folded the way the next heaven reads it: the GitHub writes still to deliver. */
export function readOutbox(dataDir: string): OutboxFileState {
  return foldOutbox(readJsonLines(join(dataDir, "outbox.jsonl")).flatMap((value) => {
    const record = parseOutboxRecord(value);
    return record.ok ? [record.value] : [];
  }));
}
