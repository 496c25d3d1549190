/**
 * Outbox.adopt: writes another process stored (scale-out mode) arrive in the
 * order their rows became visible, which is not always the order they were
 * numbered in. A late arrival never overtakes or follows what is newer.
 */
import { describe, expect, it } from "@jest/globals";
import { Outbox, type OutboxOctokit, type OutboxStore, type OutboxWrite } from "../../src/github/outbox.js";
import { applyOutboxRecord, emptyOutboxState, type StoredWrite } from "../../src/github/outbox-state.js";

/** A store that only keeps the fold: its writes are adopted, as the PostgreSQL one's are. */
function memoryStore(): OutboxStore {
  const state = emptyOutboxState();
  return { state, done: async (record) => void applyOutboxRecord(state, record), busy: () => false, onSettled: () => undefined, close: async () => undefined };
}

function stored(seq: number, state: string, key = `d#1:${state}`): StoredWrite {
  const write: OutboxWrite = {
    key,
    group: "d#1",
    installationId: 1,
    supersedable: ["queued", "pending", "in_progress"].includes(state),
    route: "POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses",
    params: { owner: "octo", repo: "app", deployment_id: 1, state },
  };
  return { seq, createdAt: Date.now(), write };
}

function github() {
  const sent: string[] = [];
  const gates: Array<() => void> = [];
  const octokitFor = async (): Promise<OutboxOctokit> => ({
    request: async (_route, params) => {
      sent.push(String(params.state));
      if (params.state === "success") await new Promise<void>((resolve) => gates.push(resolve));
      return { status: 201, data: {} };
    },
    auth: async () => ({}),
  });
  return { sent, gates, octokitFor };
}

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const unpaced = { minSpacingMs: 0, perMinute: 1_000_000, perHour: 1_000_000 };

describe("Outbox.adopt", () => {
  it("does not send an intermediate status that arrives after a newer one of its deployment was sent", async () => {
    const gh = github();
    const outbox = Outbox.over(memoryStore(), { octokitFor: gh.octokitFor, log: quiet, pacing: unpaced });
    outbox.adopt(stored(11, "success"));
    outbox.adopt(stored(10, "in_progress")); // numbered first, visible second
    while (gh.gates.length === 0) await new Promise((resolve) => setImmediate(resolve));
    gh.gates[0]!();
    await outbox.idle();
    expect(gh.sent).toEqual(["success"]);
    expect(outbox.counts()).toMatchObject({ delivered: 1, coalesced: 1, pending: 0 });
    await outbox.close();
  });

  it("keeps one write of a deployment in flight at a time when an older final status arrives late", async () => {
    const gh = github();
    const outbox = Outbox.over(memoryStore(), { octokitFor: gh.octokitFor, log: quiet, pacing: unpaced });
    outbox.adopt(stored(11, "success"));
    while (gh.gates.length === 0) await new Promise((resolve) => setImmediate(resolve));
    outbox.adopt(stored(10, "failure"));
    await new Promise((resolve) => setImmediate(resolve));
    expect(gh.sent).toEqual(["success"]); // the late one waits behind the one in flight
    gh.gates[0]!();
    await outbox.idle();
    expect(gh.sent).toEqual(["success", "failure"]);
    await outbox.close();
  });

  it("remembers the newest write sent, even after a late older one was sent", async () => {
    const gh = github();
    const outbox = Outbox.over(memoryStore(), { octokitFor: gh.octokitFor, log: quiet, pacing: unpaced });
    outbox.adopt(stored(12, "success"));
    while (gh.gates.length === 0) await new Promise((resolve) => setImmediate(resolve));
    outbox.adopt(stored(10, "failure")); // late, final: still sent, after the one in flight
    gh.gates[0]!();
    await outbox.idle();
    outbox.adopt(stored(11, "in_progress")); // older than the success already sent
    await outbox.idle();
    expect(gh.sent).toEqual(["success", "failure"]);
    await outbox.close();
  });
});
