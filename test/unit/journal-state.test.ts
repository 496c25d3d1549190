import { describe, expect, it } from "@jest/globals";
import { laneOf, type DeploymentJob } from "../../src/core/job.js";
import { compactJournal, foldJournal, parseJournalRecord, type JournalRecord } from "../../src/queue/journal-state.js";

function job(id: number, changes: Partial<DeploymentJob> = {}): DeploymentJob {
  return {
    key: `github:deployment:${id}`,
    lane: laneOf("octo/app", "production"),
    origin: { kind: "github", installationId: 7, owner: "octo", repo: "app", deploymentId: id },
    acceptedAt: 1_700_000_000_000,
    request: {
      id: String(id),
      repository: { fullName: "octo/app", cloneUrl: "https://github.com/octo/app.git" },
      environment: "production",
      ref: "main",
      sha: "b".repeat(40),
      task: "deploy",
      force: false,
      payloadConfig: { provider: "shell" },
      creator: "alice",
      record: { id, sha: "b".repeat(40), ref: "main", task: "deploy", environment: "production", createdAt: "2026-12-01T10:00:00Z", creator: { login: "alice", type: "User" }, payload: {}, description: null },
    },
    ...changes,
  };
}

const states = (records: JournalRecord[]) => [...foldJournal(records).live.values()].map((e) => [e.job.key, e.state]);

describe("the journal's records", () => {
  it("fold into the jobs left to do: queued, running (with its processes) and parked, in acceptance order", () => {
    const state = foldJournal([
      { t: "accepted", job: job(1) },
      { t: "accepted", job: job(2) },
      { t: "accepted", job: job(3) },
      { t: "started", key: job(1).key },
      { t: "process", key: job(1).key, process: { pgid: 99, startTicks: 5, bootId: "b" } },
      { t: "started", key: job(3).key },
      { t: "parked", job: job(3, { ciDeadline: 5 }), until: 5, wakeOn: "ci:octo/app@sha" },
    ]);
    expect([...state.live.values()].map((e) => [e.job.key, e.state, e.processes.length])).toEqual([
      ["github:deployment:1", "running", 1],
      ["github:deployment:2", "queued", 0],
      ["github:deployment:3", "parked", 0],
    ]);
    expect(state.live.get(job(3).key)).toMatchObject({ until: 5, wakeOn: "ci:octo/app@sha", job: { ciDeadline: 5 } });
  });

  it("forget finished jobs but remember their keys, so a second acceptance changes nothing", () => {
    const state = foldJournal([{ t: "accepted", job: job(1) }, { t: "finished", key: job(1).key }, { t: "accepted", job: job(1) }]);
    expect(state.live.size).toBe(0);
    expect([...state.finished]).toEqual([job(1).key]);
  });

  it("are idempotent: a record written twice folds like once", () => {
    const once: JournalRecord[] = [{ t: "accepted", job: job(1) }, { t: "started", key: job(1).key }];
    expect(states([...once, ...once])).toEqual(states(once));
  });

  it("a job that started again after parking is running, not parked", () => {
    expect(
      states([
        { t: "accepted", job: job(1) },
        { t: "parked", job: job(1), until: 1, wakeOn: "w" },
        { t: "started", key: job(1).key },
      ]),
    ).toEqual([["github:deployment:1", "running"]]);
  });

  it("remember only the newest finished keys, up to the limit", () => {
    const records: JournalRecord[] = [1, 2, 3, 4].flatMap((id) => [
      { t: "accepted" as const, job: job(id) },
      { t: "finished" as const, key: job(id).key },
    ]);
    expect([...foldJournal(records, 2).finished]).toEqual([job(3).key, job(4).key]);
  });

  it("compact into records that fold back into the same state", () => {
    const records: JournalRecord[] = [
      { t: "accepted", job: job(1) },
      { t: "accepted", job: job(2) },
      { t: "accepted", job: job(3) },
      { t: "started", key: job(2).key },
      { t: "process", key: job(2).key, process: { pgid: 12 } },
      { t: "parked", job: job(3), until: 9, wakeOn: "w" },
      { t: "accepted", job: job(4) },
      { t: "finished", key: job(4).key },
    ];
    const state = foldJournal(records);
    const again = foldJournal(compactJournal(state));
    expect([...again.live.entries()]).toEqual([...state.live.entries()]);
    expect([...again.finished]).toEqual([...state.finished]);
    expect(compactJournal(state)).toHaveLength(6);
  });

  it("are read back through a schema: a record with an unreadable job or an unknown type is refused with a reason", () => {
    expect(parseJournalRecord(JSON.parse(JSON.stringify({ t: "accepted", job: job(1) })))).toEqual({ ok: true, value: { t: "accepted", job: job(1) } });
    expect(parseJournalRecord({ t: "accepted", job: { ...job(1), origin: { kind: "smoke-signal" } } })).toMatchObject({ ok: false });
    expect(parseJournalRecord({ t: "process", key: "k", process: { pgid: -1 } })).toEqual({ ok: false, error: 'an unreadable "process" record' });
    expect(parseJournalRecord({ t: "launched" })).toEqual({ ok: false, error: 'an unreadable "launched" record' });
    expect(parseJournalRecord([])).toEqual({ ok: false, error: "an unreadable untyped record" });
  });
});
