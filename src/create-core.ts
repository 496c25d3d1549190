/** Builds the core from settings: shared by the server (journaled) and the command line (in memory). */
import { join } from "node:path";
import { providers } from "../providers/index.js";
import { ensureLogSecret } from "./engine/log-secret.js";
import { Workspaces } from "./engine/workspace.js";
import type { HeavenAppOptions } from "./index.js";
import { Deployer } from "./pipeline/deployer.js";
import { EmbeddedQueue } from "./queue/embedded-queue.js";
import { importParked } from "./queue/import-parked.js";
import type { Settings } from "./settings.js";

export interface CoreOptions {
  /** The server journals accepted work; the command line keeps nothing past its own run. */
  journal: boolean;
  abortReason: string;
  killGraceMs?: number;
}

export interface Core {
  /** What heavenApp needs of the core, as the server and every harness wire it. */
  app: Omit<HeavenAppOptions, "outbox">;
  deployer: Deployer;
  logSecret: string;
  queue: EmbeddedQueue;
  /** What start-up found that could not be read (journal lines, parked files of an older heaven). */
  skipped: string[];
  /** Deployments an older heaven left waiting for CI, now jobs of the queue. */
  imported: number;
}

export async function createCore(settings: Settings, options: CoreOptions): Promise<Core> {
  const logSecret = await ensureLogSecret(settings.dataDir, settings.logSecret);
  const queue = await EmbeddedQueue.open({
    journalFile: options.journal ? join(settings.dataDir, "journal.jsonl") : undefined,
    concurrency: settings.concurrency,
  });
  const deployer = new Deployer(queue, {
    dataDir: settings.dataDir,
    baseUrl: settings.baseUrl,
    logSecret,
    canPark: options.journal,
    abortReason: options.abortReason,
    pipeline: {
      providers,
      workspaces: new Workspaces(settings.dataDir, settings.baseEnv),
      defaultTimeoutSeconds: settings.defaultTimeoutSeconds,
      baseEnv: settings.baseEnv,
      ssh: settings.ssh,
      hostEnv: settings.hostEnv,
      offeredSecrets: settings.offeredSecrets,
      secrets: [...settings.secrets, logSecret],
      killGraceMs: options.killGraceMs,
    },
  });
  const parked = options.journal ? await importParked(settings.dataDir, queue) : { imported: 0, skipped: [] };
  const app = { deployer, dataDir: settings.dataDir, logSecret, providers, defaultTimeoutSeconds: settings.defaultTimeoutSeconds };
  return { app, deployer, logSecret, queue, skipped: parked.skipped, imported: parked.imported };
}
