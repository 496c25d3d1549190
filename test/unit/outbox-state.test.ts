import { describe, expect, it } from "@jest/globals";
import { readPayload } from "../../src/decisions/read-deployment.js";
import {
  applyOutboxRecord,
  compactedLines,
  compactOutbox,
  foldOutbox,
  isKnown,
  parseOutboxRecord,
  pendingInOrder,
  withHeavenKey,
  type OutboxRecord,
  type OutboxWrite,
} from "../../src/github/outbox-state.js";

function statusWrite(key: string, overrides: Partial<OutboxWrite> = {}): OutboxWrite {
  return {
    key,
    group: "octo/app#41",
    installationId: 7,
    supersedable: false,
    route: "POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses",
    params: { owner: "octo", repo: "app", deployment_id: 41, state: "success", description: "Deployed main" },
    ...overrides,
  };
}

const add = (seq: number, write: OutboxWrite): OutboxRecord => ({ t: "add", seq, createdAt: 1_000 + seq, write });

describe("foldOutbox", () => {
  it("keeps added writes pending until they are done, in the order they were added", () => {
    const state = foldOutbox([add(0, statusWrite("a")), add(1, statusWrite("b")), add(2, statusWrite("c")), { t: "done", key: "b", how: "delivered" }]);
    expect(pendingInOrder(state).map((stored) => stored.write.key)).toEqual(["a", "c"]);
    expect([...state.remembered]).toEqual(["b"]);
    expect(state.nextSeq).toBe(3);
  });

  it("is idempotent: an add of a pending or done key, or a second done, changes nothing", () => {
    const records: OutboxRecord[] = [
      add(0, statusWrite("a")),
      add(1, statusWrite("a", { params: { changed: true } })),
      { t: "done", key: "a", how: "delivered" },
      { t: "done", key: "a", how: "dropped" },
      add(2, statusWrite("a")),
    ];
    const state = foldOutbox(records);
    expect(state.pending.size).toBe(0);
    expect(isKnown(state, "a")).toBe(true);
    expect(state.nextSeq).toBe(3);
  });

  it("remembers at most `limit` done keys, forgetting the oldest", () => {
    const records: OutboxRecord[] = ["a", "b", "c", "d"].map((key) => ({ t: "done", key, how: "delivered" }));
    const state = foldOutbox(records, 3);
    expect([...state.remembered]).toEqual(["b", "c", "d"]);
    expect(isKnown(state, "a")).toBe(false);
  });

  it("reads done-keys (compaction's record) as done", () => {
    const state = foldOutbox([add(0, statusWrite("a")), { t: "done-keys", keys: ["a", "z"] }]);
    expect(state.pending.size).toBe(0);
    expect([...state.remembered]).toEqual(["a", "z"]);
  });

  it("applies records to a live state one by one", () => {
    const state = foldOutbox([]);
    applyOutboxRecord(state, add(5, statusWrite("a")));
    expect(state.nextSeq).toBe(6);
    expect(state.pending.get("a")?.createdAt).toBe(1_005);
  });
});

describe("compactOutbox", () => {
  it("folds back into the same pending writes and remembered keys", () => {
    const records: OutboxRecord[] = [];
    for (let i = 0; i < 2_500; i++) records.push(add(i, statusWrite(`k${i}`)), { t: "done", key: `k${i}`, how: "delivered" });
    records.push(add(2_500, statusWrite("late", { group: "other" })), add(2_501, statusWrite("later")));
    const state = foldOutbox(records);
    const compacted = compactOutbox(state);
    expect(compacted).toHaveLength(compactedLines(state));
    expect(compacted.filter((record) => record.t === "done-keys")).toHaveLength(3);
    const again = foldOutbox(compacted);
    expect(pendingInOrder(again)).toEqual(pendingInOrder(state));
    expect([...again.remembered]).toEqual([...state.remembered]);
    expect(again.nextSeq).toBe(2_502);
  });
});

describe("parseOutboxRecord", () => {
  it("reads every record it writes", () => {
    for (const record of compactOutbox(foldOutbox([add(0, statusWrite("a")), add(1, statusWrite("b")), { t: "done", key: "b", how: "coalesced" }]))) {
      expect(parseOutboxRecord(JSON.parse(JSON.stringify(record)))).toEqual({ ok: true, value: record });
    }
    expect(parseOutboxRecord({ t: "done", key: "x", how: "dropped" })).toEqual({ ok: true, value: { t: "done", key: "x", how: "dropped" } });
  });

  it("says what is wrong with a record it cannot read", () => {
    expect(parseOutboxRecord({ t: "add", seq: 0, createdAt: 1, write: { ...statusWrite("a"), route: "DELETE /repos/{owner}/{repo}" } })).toEqual({
      ok: false,
      error: expect.stringMatching(/^an unreadable "add" outbox record/),
    });
    expect(parseOutboxRecord([1, 2])).toEqual({ ok: false, error: expect.stringMatching(/^an unreadable untyped outbox record/) });
    expect(parseOutboxRecord({ t: "finished", key: "a" })).toMatchObject({ ok: false });
  });
});

describe("withHeavenKey", () => {
  const create: OutboxWrite = {
    key: "auto-deploy:octo/app:abc:production",
    group: "octo/app#production",
    installationId: 7,
    supersedable: false,
    route: "POST /repos/{owner}/{repo}/deployments",
    params: { owner: "octo", repo: "app", ref: "main", environment: "production", payload: { heaven: { autoDeploy: true }, other: 1 } },
  };

  it("puts the key in payload.heaven.key of a create-deployment, keeping the other fields", () => {
    expect(withHeavenKey(create).params.payload).toEqual({ heaven: { autoDeploy: true, key: create.key }, other: 1 });
    expect(create.params.payload).toEqual({ heaven: { autoDeploy: true }, other: 1 });
  });

  it("adds a payload when there is none, and reads a JSON-string payload", () => {
    expect(withHeavenKey({ ...create, params: { owner: "octo", repo: "app", ref: "main" } }).params.payload).toEqual({ heaven: { key: create.key } });
    expect(withHeavenKey({ ...create, params: { ...create.params, payload: '{"a":1}' } }).params.payload).toEqual({ a: 1, heaven: { key: create.key } });
  });

  it("refuses a payload that cannot carry the key", () => {
    expect(() => withHeavenKey({ ...create, params: { ...create.params, payload: "not json" } })).toThrow(/must be a JSON object/);
    expect(() => withHeavenKey({ ...create, params: { ...create.params, payload: [1] } })).toThrow(/must be a JSON object/);
  });

  it("leaves other writes as they are", () => {
    const status = statusWrite("a");
    expect(withHeavenKey(status)).toBe(status);
  });

  it("reads payloads as GitHub answers them", () => {
    expect(readPayload(null)).toEqual({});
    expect(readPayload('{"heaven":{"key":"k"}}')).toEqual({ heaven: { key: "k" } });
    expect(readPayload(3)).toBeUndefined();
  });
});
