import { describe, expect, it } from "@jest/globals";
import type { DeploymentRecord } from "../../src/core/record.js";
import type { StatusSeen } from "../../src/decisions/deployment-outcome.js";
import { deriveEnvironmentState, deriveReleaseState, environmentNames, queuedWork, type QueuedWork, type RecordWithStatuses, type ReleaseStateInput } from "../../src/decisions/derive-release-state.js";

const SHA_A = "a".repeat(40);
const SHA_B = "b".repeat(40);
const SHA_C = "c".repeat(40);
const T0 = Date.parse("2026-05-01T12:00:00Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

let nextId = 100;
function record(fields: Partial<DeploymentRecord> & { by?: string; minute?: number }): DeploymentRecord {
  const { by = "alice", minute = 0, ...rest } = fields;
  return { id: nextId++, sha: SHA_A, ref: "main", task: "deploy", environment: "production", createdAt: at(minute), creator: { login: by, type: "User" }, payload: {}, description: null, ...rest };
}
const status = (state: string, minute: number, extra: Partial<StatusSeen> = {}): StatusSeen => ({ state, createdAt: at(minute), description: "", logUrl: undefined, environmentUrl: undefined, ...extra });
const entry = (r: DeploymentRecord, statuses: StatusSeen[] | undefined): RecordWithStatuses => ({ record: r, statuses });
/** A deploy that went live `minute` minutes after T0 (in_progress one minute before). */
const live = (fields: Parameters<typeof record>[0] & { minute: number }) => entry(record(fields), [status("in_progress", fields.minute), status("success", fields.minute + 1)]);

function input(records: RecordWithStatuses[], extra: Partial<ReleaseStateInput> = {}): ReleaseStateInput {
  return { records, queue: [], configured: [{ name: "production", lockTtlSeconds: undefined, autoDeploy: true }], defaultBranch: "main", now: at(120), ...extra };
}

const work = (state: QueuedWork["state"], fields: Partial<QueuedWork> = {}): QueuedWork => ({ deploymentId: String(nextId++), environment: "production", ref: "main", sha: SHA_C, by: "carol", state, acceptedAt: at(100), ...fields });

describe("deriveEnvironmentState", () => {
  it("names the live deployment and the one before it with another commit, with when and by whom", () => {
    const first = live({ sha: SHA_A, minute: 0, by: "alice" });
    const second = live({ sha: SHA_B, minute: 10, by: "bob", ref: "topic" });
    const state = deriveEnvironmentState("production", input([first, second]));
    expect(state.deployed).toEqual({ deploymentId: second.record.id, ref: "topic", sha: SHA_B, at: at(11), by: "bob" });
    expect(state.previous).toEqual({ deploymentId: first.record.id, ref: "main", sha: SHA_A, at: at(1), by: "alice" });
  });

  it("counts a deployment GitHub later marked inactive as having been live", () => {
    const first = entry(record({ sha: SHA_A, minute: 0 }), [status("success", 1), status("inactive", 11)]);
    const second = live({ sha: SHA_B, minute: 10 });
    expect(deriveEnvironmentState("production", input([first, second])).previous?.sha).toBe(SHA_A);
  });

  it("skips a redeploy of the same commit and a superseded deployment when naming what was before", () => {
    const old = live({ sha: SHA_A, minute: 0 });
    const superseded = entry(record({ sha: SHA_C, minute: 5 }), [status("inactive", 6)]);
    const current = live({ sha: SHA_B, minute: 10 });
    const redeploy = live({ sha: SHA_B, minute: 20 });
    const state = deriveEnvironmentState("production", input([old, superseded, current, redeploy]));
    expect(state.deployed?.deploymentId).toBe(redeploy.record.id);
    expect(state.previous?.deploymentId).toBe(old.record.id);
  });

  it("shows the newest deployment's state even when it failed, while the live one stays", () => {
    const ok = live({ sha: SHA_A, minute: 0 });
    const failed = entry(record({ sha: SHA_B, minute: 10, by: "bob" }), [status("in_progress", 10), status("failure", 12)]);
    const state = deriveEnvironmentState("production", input([ok, failed]));
    expect(state.deployed?.sha).toBe(SHA_A);
    expect(state.newest).toMatchObject({ deploymentId: failed.record.id, sha: SHA_B, by: "bob", state: "failure", outcome: "failure" });
  });

  it("names the person a chat client acted for, not its machine user", () => {
    const chat = live({ minute: 0, by: "hubot", payload: { notify: { user_name: "dana" } } });
    expect(deriveEnvironmentState("production", input([chat])).deployed?.by).toBe("dana");
  });

  it("shows nothing deployed when no deployment ever succeeded, and unknown state for statuses not read", () => {
    const unread = entry(record({ minute: 0 }), undefined);
    const state = deriveEnvironmentState("production", input([unread]));
    expect(state.deployed).toBeNull();
    expect(state.previous).toBeNull();
    expect(state.newest).toMatchObject({ state: null, outcome: "unknown" });
  });

  it("replays locks from the records: owner, reason, since and the configured expiry", () => {
    const lock = entry(record({ task: "deploy:lock", by: "alice", minute: 30, description: "db maintenance" }), undefined);
    const state = deriveEnvironmentState("production", input([lock], { now: at(60), configured: [{ name: "production", lockTtlSeconds: 3600, autoDeploy: false }] }));
    expect(state.lock).toEqual({ owner: "alice", reason: "db maintenance", since: at(30), expiresAt: at(90), kind: "explicit", branch: null });
    expect(state.autoDeploy).toBe(false);
  });

  it("shows no lock once it was unlocked or has expired", () => {
    const lock = entry(record({ task: "deploy:lock", minute: 0, payload: { ttl: 60 } }), undefined);
    expect(deriveEnvironmentState("production", input([lock])).lock).toBeNull();
    const held = entry(record({ task: "deploy:lock", minute: 100 }), undefined);
    const unlock = entry(record({ task: "deploy:unlock", minute: 110, by: "bob" }), undefined);
    expect(deriveEnvironmentState("production", input([held, unlock])).lock).toBeNull();
  });

  it("shows what runs, what is queued in order with who, and what is parked with the checks it waits for", () => {
    const running = work("running", { by: "armin", sha: SHA_A });
    const first = work("queued", { by: "cramer", sha: SHA_B });
    const second = work("queued", { by: "armin", sha: SHA_C });
    const parked = work("parked", { by: "dana", waitingFor: ["ci/test"] });
    const elsewhere = work("queued", { environment: "staging" });
    const state = deriveEnvironmentState("production", input([], { queue: [running, first, second, parked, elsewhere] }));
    expect(state.running).toMatchObject({ by: "armin", sha: SHA_A });
    expect(state.queued.map((w) => [w.by, w.sha])).toEqual([["cramer", SHA_B], ["armin", SHA_C]]);
    expect(state.parked).toEqual([expect.objectContaining({ by: "dana", waitingFor: ["ci/test"] })]);
  });

  it("matches environments without regard to case, as lanes do", () => {
    const r = live({ environment: "Production", minute: 0 });
    const state = deriveEnvironmentState("production", input([r], { queue: [work("queued", { environment: "PRODUCTION" })] }));
    expect(state.deployed?.deploymentId).toBe(r.record.id);
    expect(state.queued).toHaveLength(1);
  });

  it("leaves auto-deploy unknown when the configuration could not be read, and off for an environment it does not name", () => {
    expect(deriveEnvironmentState("production", input([], { configured: undefined })).autoDeploy).toBeNull();
    expect(deriveEnvironmentState("staging", input([])).autoDeploy).toBe(false);
  });
});

describe("environmentNames and deriveReleaseState", () => {
  it("lists configured environments first, then those with records or queued work, each once", () => {
    const names = environmentNames({
      configured: [{ name: "production", lockTtlSeconds: undefined, autoDeploy: false }],
      records: [live({ environment: "staging", minute: 0 }), live({ environment: "Production", minute: 1 })],
      queue: [work("queued", { environment: "review-7" })],
    });
    expect(names).toEqual(["production", "staging", "review-7"]);
  });

  it("derives one view per environment", () => {
    const views = deriveReleaseState(input([live({ environment: "staging", minute: 0 })]));
    expect(views.map((v) => [v.name, v.deployed?.sha ?? null])).toEqual([["production", null], ["staging", SHA_A]]);
  });
});

describe("queuedWork", () => {
  const job = (key: string, repository: string) => ({ key, acceptedAt: T0, request: { id: key, repository: { fullName: repository }, environment: "production", ref: "main", sha: SHA_A, creator: "erin" } });

  it("keeps this repository's entries in queue order, and asks what parked ones wait for", () => {
    const entries = [
      { state: "running" as const, job: job("1", "acme/app") },
      { state: "queued" as const, job: job("2", "acme/other") },
      { state: "parked" as const, job: job("3", "Acme/App") },
    ];
    const found = queuedWork(entries, "acme/app", (key) => (key === "3" ? ["lint"] : undefined));
    expect(found).toEqual([
      { deploymentId: "1", environment: "production", ref: "main", sha: SHA_A, by: "erin", state: "running", acceptedAt: at(0) },
      { deploymentId: "3", environment: "production", ref: "main", sha: SHA_A, by: "erin", state: "parked", acceptedAt: at(0), waitingFor: ["lint"] },
    ]);
  });
});
