/**
 * heaven in the benchmark's own process, wired as `npm start` wires it but
 * without the HTTP server: createCore (journal on) and heavenApp on a Probot
 * instance with heaven's Octokit (Probot's throttling and retries on, as in
 * production), talking to a fake GitHub over HTTP (GHE layout, /api/v3).
 * The fake GitHub's webhooks reach it through `probot.receive`. In process,
 * so a benchmark can hand heaven options the server has no setting for
 * (the outbox's coalescing).
 */
import { Probot } from "probot";
import { createCore } from "../../src/create-core.js";
import { HeavenOctokit } from "../../src/github/octokit.js";
import type { DeliveringOutbox } from "../../src/github/postgres-outbox.js";
import { heavenApp, type HeavenAppOptions } from "../../src/index.js";
import { loadSettings } from "../../src/settings.js";
import { appPrivateKey } from "../../test/helpers/app-credentials.js";
import type { FakeGitHub } from "../../test/helpers/fake-github.js";

export interface InProcessHeaven {
  outbox: DeliveringOutbox;
  stop(): Promise<void>;
}

/** Starts heaven and points the fake GitHub's webhook deliveries at it. */
export async function startInProcessHeaven(
  github: FakeGitHub,
  options: { dataDir: string; concurrency: number; outbox?: HeavenAppOptions["outbox"] },
): Promise<InProcessHeaven> {
  const settings = loadSettings({
    HEAVEN_DATA_DIR: options.dataDir,
    HEAVEN_CONCURRENCY: String(options.concurrency),
    HEAVEN_URL: "http://127.0.0.1:3000",
    PATH: process.env.PATH,
    HOME: options.dataDir,
  });
  const core = await createCore(settings, { journal: true, abortReason: "the benchmark's end" });
  const probot = new Probot({ appId: 1, privateKey: appPrivateKey(), Octokit: HeavenOctokit, baseUrl: `http://${github.host}/api/v3`, logLevel: "error" });
  const heaven = heavenApp({ ...core.app, outbox: options.outbox });
  await probot.load(heaven.app, { cwd: process.cwd(), addHandler: () => undefined });
  const { outbox } = await heaven.loaded;
  github.deliver = async (event, payload, guid) => {
    try {
      await probot.receive({ id: guid, name: event, payload } as Parameters<Probot["receive"]>[0]);
      return { status: 200 };
    } catch {
      return { status: 500 };
    }
  };
  return {
    outbox,
    stop: async () => {
      github.deliver = undefined;
      await core.queue.drain(0);
      await core.queue.close();
      await outbox.close();
    },
  };
}
