/**
 * The deployer over a shared queue (scale-out mode): a process that only
 * accepts work tells no sink `queued` (its outbox is not the one that posts
 * the deployment's later statuses), and a job another worker left running
 * ends with the one error that says the worker stopped.
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { join } from "node:path";
import { providers } from "../../providers/index.js";
import type { DeploymentEvent, EventSink } from "../../src/core/events.js";
import type { DeploymentJob } from "../../src/core/job.js";
import type { DeployQueue, QueueHandlers } from "../../src/core/queue.js";
import { renderStatus } from "../../src/decisions/render-status.js";
import { Workspaces } from "../../src/engine/workspace.js";
import { Deployer, type DeployerOptions } from "../../src/pipeline/deployer.js";
import { tempDir } from "../helpers/git-repo.js";
import { job } from "../helpers/queue-jobs.js";

let tmp: ReturnType<typeof tempDir> | undefined;
afterEach(() => tmp?.remove());

/** A queue that takes every job as waiting behind another, and hands its handlers to the test. */
function sharedQueue() {
  const held: { handlers?: QueueHandlers } = {};
  const queue: DeployQueue = {
    enqueue: async () => ({ kind: "added", position: { kind: "lane", running: { key: "test:0", label: "deployment 0" }, ahead: 0 } }),
    wake: async () => 0,
    process: async (handlers) => {
      held.handlers = handlers;
      return { interrupted: 0, queued: 0, parked: 0, skipped: [] };
    },
    list: async () => [],
    depth: async () => 0,
    runningHere: () => 0,
    drain: async () => undefined,
    close: async () => undefined,
  };
  return { queue, held };
}

function deployerOn(queue: DeployQueue, options: Partial<DeployerOptions>) {
  tmp = tempDir("heaven-deployer-scale-out-");
  const dataDir = join(tmp.path, "data");
  const baseEnv = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
  return new Deployer(queue, {
    dataDir,
    baseUrl: "http://heaven.test",
    logSecret: "deployer-test-secret-0123",
    canPark: true,
    abortReason: "heaven's shutdown",
    pipeline: { providers, workspaces: new Workspaces(dataDir, baseEnv), defaultTimeoutSeconds: 30, baseEnv, secrets: [] },
    ...options,
  });
}

function recorder() {
  const seen: Array<{ event: DeploymentEvent; line: string }> = [];
  const sink: EventSink = {
    publish: async (j: DeploymentJob, event) => {
      const { state, description } = renderStatus(j, event);
      seen.push({ event, line: `${state}: ${description}` });
    },
  };
  return { sink, seen };
}

const io = (sink: EventSink) => ({ sourcesFor: async () => Promise.reject(new Error("not in this test")), sinks: [sink], log: { info: () => undefined, error: () => undefined } });

describe("Deployer over a shared queue", () => {
  it("says queued when the queue is its own, and nothing when it is shared", async () => {
    for (const [announceQueued, lines] of [
      [undefined, ["queued: waiting for deployment 0"]],
      [false, []],
    ] as const) {
      const { queue } = sharedQueue();
      const deployer = deployerOn(queue, { announceQueued });
      const { sink, seen } = recorder();
      deployer.attach(io(sink));
      // Sinks are told before accept resolves.
      expect(await deployer.accept(job(1))).toMatchObject({ kind: "added" });
      expect(seen.map((s) => s.line.replace(/ \(.*$/, ""))).toEqual(lines);
      tmp?.remove();
    }
  });

  it("ends a job a stopped worker left with one error saying the worker stopped", async () => {
    const { queue, held } = sharedQueue();
    const deployer = deployerOn(queue, { interruption: "worker-stopped" });
    const { sink, seen } = recorder();
    await deployer.start(io(sink));
    // A process group on another machine (another boot id) is not this machine's to kill.
    await held.handlers?.interrupted(job(7), [{ pgid: 999_999, startTicks: 1, bootId: "another-machine" }]);
    expect(seen.map((s) => s.line)).toEqual(["error: the worker running this deployment stopped — deploy again"]);
    expect(seen[0]?.event).toMatchObject({ type: "finished", outcome: { kind: "interrupted", workerStopped: true, processStopped: false } });
  });
});
