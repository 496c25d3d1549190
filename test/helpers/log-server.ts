/**
 * The log route alone on a node HTTP server on 127.0.0.1, over a data
 * directory a test writes logs and metadata into (as DeploymentLog and the
 * log-meta sink do), with links signed the way the deployer signs them.
 */
import { mkdirSync, writeFileSync, appendFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { dirname } from "node:path";
import type { LogMeta } from "../../src/core/log-store.js";
import { logFilePath, logMetaPath, logUrl } from "../../src/engine/log-links.js";
import { logRoute, type LogRouteOptions } from "../../src/server/log-route.js";

export const LOG_SECRET = "a-log-secret-for-the-tests";

export interface LogServer {
  base: string;
  /** A signed link to `key`'s log; `expiresAt` in epoch seconds. */
  link(key: string, expiresAt?: number): string;
  writeLog(key: string, text: string): void;
  appendLog(key: string, text: string): void;
  writeMeta(key: string, meta: Partial<LogMeta>): void;
  /** Stops listening, leaving open connections to end by themselves (as Probot's stop does); resolves once they have. */
  stopListening(): Promise<void>;
  close(): Promise<void>;
}

export function metaOf(key: string, overrides: Partial<LogMeta> = {}): LogMeta {
  const [owner = "", repo = "", id = ""] = key.split("/");
  return {
    repository: `${owner}/${repo}`,
    repositoryUrl: `https://github.com/${owner}/${repo}`,
    deploymentId: id,
    environment: "production",
    ref: "main",
    sha: "0123456789abcdef0123456789abcdef01234567",
    task: "deploy",
    who: "octocat",
    state: "in_progress",
    description: "deploying main (0123456) to production",
    finished: false,
    acceptedAt: Date.now() - 5_000,
    startedAt: Date.now() - 4_000,
    updatedAt: Date.now(),
    ...overrides,
  };
}

export async function startLogServer(dataDir: string, options: Partial<LogRouteOptions> = {}): Promise<LogServer> {
  const route = logRoute({ dataDir, logSecret: LOG_SECRET, pollMs: 20, ...options });
  const server: Server = createServer((req, res) => {
    void route(req, res).then((handled) => {
      if (!handled) {
        res.writeHead(404);
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const base = `http://127.0.0.1:${port}`;
  const ensure = (path: string) => mkdirSync(dirname(path), { recursive: true });
  return {
    base,
    link: (key, expiresAt) => logUrl(base, LOG_SECRET, key, expiresAt),
    writeLog: (key, text) => {
      ensure(logFilePath(dataDir, key));
      writeFileSync(logFilePath(dataDir, key), text);
    },
    appendLog: (key, text) => appendFileSync(logFilePath(dataDir, key), text),
    writeMeta: (key, meta) => {
      ensure(logMetaPath(dataDir, key));
      writeFileSync(logMetaPath(dataDir, key), JSON.stringify(metaOf(key, meta)));
    },
    stopListening: () => new Promise<void>((resolve) => server.close(() => resolve())),
    close: () => {
      if (!server.listening) return Promise.resolve();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
