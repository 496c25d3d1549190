import { describe, expect, it } from "@jest/globals";
import type { DeploymentRecord } from "../../src/core/record.js";
import { currentLockState, applyRecord, describeLock, expire, lockStateBefore, ownerOf, type LockRules } from "../../src/decisions/lock-state.js";
import type { Lock, LockState } from "../../src/core/lock.js";

const SHA = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e";
const OTHER_SHA = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const T0 = "2024-05-01T12:00:00Z";
const rules: LockRules = { defaultBranch: "main", ttlSeconds: undefined };

/** Minutes after T0, as GitHub writes createdAt. */
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString().replace(".000Z", "Z");

let nextId = 100;
function record(fields: Partial<DeploymentRecord> & { by?: string }): DeploymentRecord {
  const { by = "alice", ...rest } = fields;
  return {
    id: nextId++,
    sha: SHA,
    ref: "main",
    task: "deploy",
    environment: "production",
    createdAt: T0,
    creator: { login: by, type: "User" },
    payload: {},
    description: null,
    ...rest,
  };
}
const lockBy = (by: string, fields: Partial<DeploymentRecord> = {}) => record({ task: "deploy:lock", by, ...fields });
const unlockBy = (by: string, fields: Partial<DeploymentRecord> = {}) => record({ task: "deploy:unlock", by, ...fields });
const deployBy = (by: string, ref: string, fields: Partial<DeploymentRecord> = {}) => record({ by, ref, ...fields });

const unlocked: LockState = { kind: "unlocked" };
const lockOf = (state: LockState): Lock => {
  if (state.kind !== "locked") throw new Error("expected the environment to be locked");
  return state.lock;
};

/** Apply records in the given order from an unlocked environment; every effect, and the last state. */
function replay(records: readonly DeploymentRecord[], with_: LockRules = rules) {
  let state = unlocked;
  const effects = records.map((each) => {
    const applied = applyRecord(state, each, with_);
    state = applied.state;
    return applied.effect;
  });
  return { state, effects };
}

describe("ownerOf", () => {
  it("is the creator's login for a person who names nobody else", () => {
    expect(ownerOf(record({ by: "alice", payload: {} }))).toBe("alice");
  });

  it("is hubot-deploy's chat user, whose machine user token is a plain User, user_name first", () => {
    const machine = { login: "acme-hubot", type: "User" };
    expect(ownerOf(record({ creator: machine, payload: { notify: { user: "U024BE7LH", user_name: "atmos", room: "ops" } } }))).toBe("atmos");
    expect(ownerOf(record({ creator: machine, payload: { notify: { user: "atmos" } } }))).toBe("atmos");
  });

  it("is the chat user hubot notifies for a bot-created record", () => {
    const byHubot = record({ creator: { login: "hubot[bot]", type: "Bot" }, payload: { notify: { user: "bob" }, actor: "eve" } });
    expect(ownerOf(byHubot)).toBe("bob");
  });

  it("falls back to payload.actor, then the bot's own login", () => {
    const bot = { login: "heaven[bot]", type: "Bot" };
    expect(ownerOf(record({ creator: bot, payload: { actor: "carol" } }))).toBe("carol");
    expect(ownerOf(record({ creator: bot, payload: { notify: { room: "ops" }, actor: "carol" } }))).toBe("carol");
    expect(ownerOf(record({ creator: bot, payload: {} }))).toBe("heaven[bot]");
  });

  it("ignores notify.user and actor that are not non-empty strings", () => {
    const bot = { login: "heaven[bot]", type: "Bot" };
    expect(ownerOf(record({ creator: bot, payload: { notify: { user: 42 }, actor: "  " } }))).toBe("heaven[bot]");
    expect(ownerOf(record({ creator: bot, payload: { notify: "bob", actor: ["carol"] } }))).toBe("heaven[bot]");
  });
});

describe("applyRecord", () => {
  describe("deploy:lock", () => {
    it("locks an unlocked environment with the description as the reason", () => {
      const request = lockBy("alice", { description: "db maintenance", createdAt: at(5) });
      const { state, effect } = applyRecord(unlocked, request, rules);
      const lock: Lock = {
        owner: "alice",
        reason: "db maintenance",
        since: at(5),
        expiresAt: undefined,
        kind: "explicit",
        branch: undefined,
        recordId: request.id,
      };
      expect(effect).toEqual({ kind: "locked", lock });
      expect(state).toEqual({ kind: "locked", lock });
    });

    it("prefers the description to payload.reason", () => {
      const request = lockBy("alice", { description: "db maintenance", payload: { reason: "load test" } });
      expect(lockOf(replay([request]).state).reason).toBe("db maintenance");
    });

    it("takes the reason from payload.reason when the description is empty, else says none was given", () => {
      expect(lockOf(replay([lockBy("alice", { description: "", payload: { reason: "load test" } })]).state).reason).toBe("load test");
      expect(lockOf(replay([lockBy("alice", { description: "  ", payload: { reason: "" } })]).state).reason).toBe("no reason given");
      expect(lockOf(replay([lockBy("alice", { payload: { reason: 7 } })]).state).reason).toBe("no reason given");
    });

    it("lets only the lower id win when two people ask for the lock at once", () => {
      const first = lockBy("alice", { id: 1 });
      const second = lockBy("bob", { id: 2 });
      const { state, effects } = replay([first, second]);
      expect(effects.map((effect) => effect.kind)).toEqual(["locked", "lock-refused"]);
      expect(effects[1]).toEqual({ kind: "lock-refused", holder: lockOf(state) });
      expect(lockOf(state)).toMatchObject({ owner: "alice", recordId: 1 });
      for (const order of [[first, second], [second, first]]) {
        expect(lockStateBefore(order, { ...rules, beforeId: 3, now: T0 })).toEqual(state);
      }
    });

    it("relocks for the owner with the new reason, time and expiry", () => {
      const again = lockBy("alice", { createdAt: at(10), description: "still migrating", payload: { ttl: 600 } });
      const { state, effects } = replay([lockBy("alice", { description: "migrating" }), again]);
      const lock = lockOf(state);
      expect(effects[1]).toEqual({ kind: "relocked", lock });
      expect(lock).toEqual({
        owner: "alice",
        reason: "still migrating",
        since: at(10),
        expiresAt: new Date(Date.parse(at(20))).toISOString(),
        kind: "explicit",
        branch: undefined,
        recordId: again.id,
      });
    });

    it("treats the owner's login case-insensitively", () => {
      const { effects } = replay([lockBy("Alice"), lockBy("alice")]);
      expect(effects.map((effect) => effect.kind)).toEqual(["locked", "relocked"]);
    });

    it("turns the owner's own branch lock into an explicit lock", () => {
      const { state, effects } = replay([deployBy("alice", "topic"), lockBy("alice", { description: "hold" })]);
      expect(effects[1]?.kind).toBe("relocked");
      expect(lockOf(state)).toMatchObject({ kind: "explicit", reason: "hold", branch: undefined });
    });

    it("refuses someone else's lock request over a branch lock", () => {
      const { state, effects } = replay([deployBy("alice", "topic"), lockBy("bob")]);
      expect(effects[1]).toEqual({ kind: "lock-refused", holder: lockOf(state) });
      expect(lockOf(state)).toMatchObject({ owner: "alice", kind: "branch" });
    });

    it("uses the bot's human as the owner of a bot-created lock", () => {
      const hubot = { login: "hubot[bot]", type: "Bot" };
      const { state, effects } = replay([
        lockBy("x", { creator: hubot, payload: { notify: { user: "bob" } } }),
        lockBy("x", { creator: hubot, payload: { actor: "carol" } }),
        lockBy("bob"),
      ]);
      expect(effects.map((effect) => effect.kind)).toEqual(["locked", "lock-refused", "relocked"]);
      expect(lockOf(state).owner).toBe("bob");
    });
  });

  describe("expiry", () => {
    it("expires a lock at createdAt + payload.ttl, so a later lock by someone else succeeds", () => {
      const { state, effects } = replay([
        lockBy("alice", { createdAt: at(0), payload: { ttl: 1800 } }),
        lockBy("bob", { createdAt: at(29) }),
        lockBy("bob", { createdAt: at(30), description: "mine now" }),
      ]);
      expect(effects.map((effect) => effect.kind)).toEqual(["locked", "lock-refused", "locked"]);
      expect(lockOf(state)).toMatchObject({ owner: "bob", reason: "mine now", expiresAt: undefined });
    });

    it("uses the environment's ttlSeconds when the payload names no ttl", () => {
      const withTtl: LockRules = { defaultBranch: "main", ttlSeconds: 3600 };
      const { state, effects } = replay([lockBy("alice"), lockBy("bob", { createdAt: at(60) })], withTtl);
      expect(effects.map((effect) => effect.kind)).toEqual(["locked", "locked"]);
      expect(lockOf(state)).toMatchObject({ owner: "bob", expiresAt: new Date(Date.parse(at(120))).toISOString() });
    });

    it("prefers payload.ttl over the environment's ttlSeconds, and ignores a ttl that is not a positive number", () => {
      const withTtl: LockRules = { defaultBranch: "main", ttlSeconds: 3600 };
      const expiry = (payload: Record<string, unknown>) => lockOf(replay([lockBy("alice", { payload })], withTtl).state).expiresAt;
      expect(expiry({ ttl: 60 })).toBe("2024-05-01T12:01:00.000Z");
      for (const ttl of [0, -5, "60", Number.NaN, Number.POSITIVE_INFINITY, null]) {
        expect(expiry({ ttl })).toBe("2024-05-01T13:00:00.000Z");
      }
      expect(lockOf(replay([lockBy("alice", { payload: { ttl: "60" } })]).state).expiresAt).toBeUndefined();
    });

    it("never expires a branch lock from the environment's ttlSeconds, only from payload.ttl", () => {
      const withTtl: LockRules = { defaultBranch: "main", ttlSeconds: 60 };
      expect(lockOf(replay([deployBy("alice", "topic")], withTtl).state).expiresAt).toBeUndefined();
      expect(lockOf(replay([deployBy("alice", "topic", { payload: { ttl: 120 } })], withTtl).state).expiresAt).toBe(
        "2024-05-01T12:02:00.000Z",
      );
    });

    it("lets a deploy by someone else through once a branch lock has expired", () => {
      const { state, effects } = replay([
        deployBy("alice", "topic", { payload: { ttl: 60 } }),
        deployBy("bob", "main", { createdAt: at(1) }),
      ]);
      expect(effects[1]).toEqual({ kind: "deploy-allowed", lockedForDeployer: undefined, released: undefined });
      expect(state).toEqual(unlocked);
    });

    it("says was-unlocked to an unlock after the lock expired", () => {
      const { effects } = replay([lockBy("alice", { payload: { ttl: 60 } }), unlockBy("alice", { createdAt: at(2) })]);
      expect(effects[1]).toEqual({ kind: "was-unlocked" });
    });

    it("expire drops a lock at or after expiresAt and keeps it before, whatever the time zone", () => {
      const state = replay([lockBy("alice", { payload: { ttl: 60 } })]).state;
      expect(expire(state, "2024-05-01T12:00:59Z")).toEqual(state);
      expect(expire(state, "2024-05-01T12:01:00Z")).toEqual(unlocked);
      expect(expire(state, "2024-05-01T13:00:59+01:00")).toEqual(state);
      expect(expire(state, "2024-05-01T13:01:00+01:00")).toEqual(unlocked);
      const forever = replay([lockBy("alice")]).state;
      expect(expire(forever, "2099-01-01T00:00:00Z")).toEqual(forever);
      expect(expire(unlocked, T0)).toEqual(unlocked);
    });
  });

  describe("deploy:unlock", () => {
    it("lets anyone release someone else's lock", () => {
      const { state, effects } = replay([lockBy("alice", { description: "mine" }), unlockBy("bob")]);
      expect(effects[1]).toEqual({ kind: "unlocked", previous: expect.objectContaining({ owner: "alice", reason: "mine" }) });
      expect(state).toEqual(unlocked);
    });

    it("releases a branch lock too", () => {
      const { state, effects } = replay([deployBy("alice", "topic"), unlockBy("alice")]);
      expect(effects[1]).toMatchObject({ kind: "unlocked", previous: { kind: "branch", branch: "topic" } });
      expect(state).toEqual(unlocked);
    });

    it("says was-unlocked when nothing was held", () => {
      expect(applyRecord(unlocked, unlockBy("bob"), rules)).toEqual({ state: unlocked, effect: { kind: "was-unlocked" } });
    });
  });

  describe("deploys", () => {
    it("gives the deployer a branch lock when they deploy a branch other than the default", () => {
      const topic = deployBy("alice", "topic", { createdAt: at(3) });
      const { state, effect } = applyRecord(unlocked, topic, rules);
      const lock: Lock = {
        owner: "alice",
        reason: "deployed topic",
        since: at(3),
        expiresAt: undefined,
        kind: "branch",
        branch: "topic",
        recordId: topic.id,
      };
      expect(effect).toEqual({ kind: "deploy-allowed", lockedForDeployer: lock, released: undefined });
      expect(state).toEqual({ kind: "locked", lock });
    });

    it("moves the deployer's branch lock to the next branch they deploy", () => {
      const { state, effects } = replay([deployBy("alice", "topic"), deployBy("alice", "other-topic")]);
      expect(effects[1]).toMatchObject({ kind: "deploy-allowed", lockedForDeployer: { branch: "other-topic" } });
      expect(lockOf(state)).toMatchObject({ kind: "branch", branch: "other-topic", reason: "deployed other-topic" });
    });

    it("reads refs/heads/ refs as branch names", () => {
      expect(lockOf(replay([deployBy("alice", "refs/heads/topic")]).state).branch).toBe("topic");
      const { state, effects } = replay([deployBy("alice", "topic"), deployBy("bob", "refs/heads/main"), deployBy("alice", "refs/heads/main")]);
      expect(effects.map((effect) => effect.kind)).toEqual(["deploy-allowed", "deploy-refused", "deploy-allowed"]);
      expect(state).toEqual(unlocked);
    });

    it("releases the deployer's branch lock when they deploy the default branch", () => {
      const { state, effects } = replay([deployBy("alice", "topic"), deployBy("alice", "main")]);
      expect(effects[1]).toEqual({
        kind: "deploy-allowed",
        lockedForDeployer: undefined,
        released: expect.objectContaining({ kind: "branch", branch: "topic" }),
      });
      expect(state).toEqual(unlocked);
    });

    it("keeps the deployer's explicit lock when they deploy the default branch", () => {
      const { state, effects } = replay([lockBy("alice", { description: "release day" }), deployBy("alice", "main")]);
      expect(effects[1]).toEqual({ kind: "deploy-allowed", lockedForDeployer: lockOf(state), released: undefined });
      expect(lockOf(state)).toMatchObject({ kind: "explicit", reason: "release day" });
    });

    it("keeps the deployer's explicit lock when they deploy another branch", () => {
      const { state, effects } = replay([lockBy("alice", { description: "release day" }), deployBy("alice", "topic")]);
      expect(effects[1]).toEqual({ kind: "deploy-allowed", lockedForDeployer: lockOf(state), released: undefined });
      expect(lockOf(state)).toMatchObject({ kind: "explicit", reason: "release day", branch: undefined });
    });

    it("leaves the lock state alone when the ref is a full sha", () => {
      expect(applyRecord(unlocked, deployBy("alice", OTHER_SHA), rules)).toEqual({
        state: unlocked,
        effect: { kind: "deploy-allowed", lockedForDeployer: undefined, released: undefined },
      });
      const branchLocked = replay([deployBy("alice", "topic")]).state;
      expect(applyRecord(branchLocked, deployBy("alice", OTHER_SHA), rules)).toEqual({
        state: branchLocked,
        effect: { kind: "deploy-allowed", lockedForDeployer: lockOf(branchLocked), released: undefined },
      });
    });

    it("treats a short sha or a 40-character name with capitals as a branch", () => {
      expect(lockOf(replay([deployBy("alice", "f95f852")]).state).branch).toBe("f95f852");
      expect(lockOf(replay([deployBy("alice", OTHER_SHA.toUpperCase())]).state).kind).toBe("branch");
    });

    it("refuses a deploy by someone else while the environment is locked, without taking the lock", () => {
      for (const held of [lockBy("alice", { description: "hold" }), deployBy("alice", "topic")]) {
        const before = replay([held]).state;
        for (const ref of ["main", "other", OTHER_SHA]) {
          expect(applyRecord(before, deployBy("bob", ref), rules)).toEqual({
            state: before,
            effect: { kind: "deploy-refused", holder: lockOf(before) },
          });
        }
      }
    });

    it("lets a forced deploy by someone else through without changing the lock", () => {
      for (const held of [lockBy("alice", { description: "hold" }), deployBy("alice", "topic")]) {
        const before = replay([held]).state;
        for (const ref of ["main", "other", OTHER_SHA]) {
          expect(applyRecord(before, deployBy("bob", ref, { payload: { force: true } }), rules)).toEqual({
            state: before,
            effect: { kind: "deploy-forced", over: lockOf(before) },
          });
        }
      }
    });

    it("counts only force: true as forced", () => {
      const before = replay([lockBy("alice")]).state;
      for (const force of ["true", 1, "yes"]) {
        expect(applyRecord(before, deployBy("bob", "main", { payload: { force } }), rules).effect.kind).toBe("deploy-refused");
      }
    });

    it("applies the deploy rule to deploy:<task> records and GitHub's empty default task", () => {
      for (const task of ["deploy:migrations", ""]) {
        expect(lockOf(replay([deployBy("alice", "topic", { task })]).state)).toMatchObject({ kind: "branch", branch: "topic" });
        const held = replay([lockBy("alice")]).state;
        expect(applyRecord(held, deployBy("bob", "main", { task }), rules).effect.kind).toBe("deploy-refused");
      }
    });

    it("refuses a bot-made deploy for someone other than the holder and allows it for the holder", () => {
      const hubot = { login: "hubot[bot]", type: "Bot" };
      const held = replay([lockBy("alice")]).state;
      const forBob = deployBy("x", "main", { creator: hubot, payload: { notify: { user: "bob" } } });
      const forAlice = deployBy("x", "main", { creator: hubot, payload: { notify: { user: "alice" } } });
      expect(applyRecord(held, forBob, rules).effect.kind).toBe("deploy-refused");
      expect(applyRecord(held, forAlice, rules).effect.kind).toBe("deploy-allowed");
    });
  });

  describe("other tasks", () => {
    it("has no effect for rollbacks and unknown tasks, locked or not", () => {
      const held = replay([lockBy("alice")]).state;
      for (const task of ["deploy:rollback", "migrate", "deployx", "Deploy", "predeploy:lock"]) {
        for (const state of [unlocked, held]) {
          expect(applyRecord(state, deployBy("bob", "topic", { task }), rules)).toEqual({ state, effect: { kind: "no-effect" } });
        }
      }
    });

    it("still expires the lock at the record's time", () => {
      const held = replay([lockBy("alice", { payload: { ttl: 60 } })]).state;
      const rollback = record({ task: "deploy:rollback", createdAt: at(5) });
      expect(applyRecord(held, rollback, rules)).toEqual({ state: unlocked, effect: { kind: "no-effect" } });
    });
  });
});

describe("lockStateBefore", () => {
  const history = (): DeploymentRecord[] => [
    lockBy("alice", { id: 1, createdAt: at(0), description: "migrating" }),
    deployBy("bob", "main", { id: 2, createdAt: at(1) }),
    lockBy("bob", { id: 3, createdAt: at(2) }),
    unlockBy("alice", { id: 4, createdAt: at(3) }),
    deployBy("bob", "topic", { id: 5, createdAt: at(4) }),
    deployBy("alice", "main", { id: 6, createdAt: at(5), payload: { force: true } }),
    deployBy("bob", OTHER_SHA, { id: 7, createdAt: at(6) }),
    record({ id: 8, task: "deploy:rollback", by: "carol", createdAt: at(7) }),
    lockBy("bob", { id: 9, createdAt: at(8), description: "hold", payload: { ttl: 600 } }),
    deployBy("bob", "main", { id: 10, createdAt: at(9) }),
  ];
  const options = { ...rules, now: at(10) };

  it("is unlocked with no records", () => {
    expect(lockStateBefore([], { ...options, beforeId: 1 })).toEqual(unlocked);
  });

  it("replays every earlier record, oldest first", () => {
    expect(lockStateBefore(history(), { ...options, beforeId: 11 })).toEqual({
      kind: "locked",
      lock: {
        owner: "bob",
        reason: "hold",
        since: at(8),
        expiresAt: "2024-05-01T12:18:00.000Z",
        kind: "explicit",
        branch: undefined,
        recordId: 9,
      },
    });
  });

  it("excludes the current record and every later one", () => {
    expect(lockStateBefore(history(), { ...options, beforeId: 2 })).toMatchObject({ lock: { owner: "alice", recordId: 1 } });
    expect(lockStateBefore(history(), { ...options, beforeId: 4 })).toMatchObject({ lock: { owner: "alice", recordId: 1 } });
    expect(lockStateBefore(history(), { ...options, beforeId: 5 })).toEqual(unlocked);
    expect(lockStateBefore(history(), { ...options, beforeId: 6 })).toMatchObject({ lock: { owner: "bob", kind: "branch", recordId: 5 } });
    expect(lockStateBefore(history(), { ...options, beforeId: 9 })).toMatchObject({ lock: { owner: "bob", kind: "branch", recordId: 5 } });
    expect(lockStateBefore(history(), { ...options, beforeId: 1 })).toEqual(unlocked);
  });

  it("gives the same state whatever order the records come in", () => {
    const expected = lockStateBefore(history(), { ...options, beforeId: 11 });
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 25; round++) {
      const shuffled = history()
        .map((each) => ({ each, key: random() }))
        .sort((a, b) => a.key - b.key)
        .map(({ each }) => each);
      expect(lockStateBefore(shuffled, { ...options, beforeId: 11 })).toEqual(expected);
      for (const beforeId of [3, 6, 9]) {
        expect(lockStateBefore(shuffled, { ...options, beforeId })).toEqual(lockStateBefore(history(), { ...options, beforeId }));
      }
    }
    expect(lockStateBefore([...history()].reverse(), { ...options, beforeId: 11 })).toEqual(expected);
  });

  it("gives the same state when pages overlap and a record is listed twice", () => {
    const twice = [...history(), ...history().slice(3, 8)];
    for (const beforeId of [4, 6, 9, 11]) {
      expect(lockStateBefore(twice, { ...options, beforeId })).toEqual(lockStateBefore(history(), { ...options, beforeId }));
    }
  });

  it("expires the result at now", () => {
    expect(lockStateBefore(history(), { ...options, beforeId: 11, now: "2024-05-01T12:17:59Z" }).kind).toBe("locked");
    expect(lockStateBefore(history(), { ...options, beforeId: 11, now: "2024-05-01T12:18:00Z" })).toEqual(unlocked);
  });

  it("uses the given ttlSeconds and default branch while replaying", () => {
    const records = [lockBy("alice", { id: 1, createdAt: at(0) }), deployBy("bob", "trunk", { id: 2, createdAt: at(2) })];
    expect(lockStateBefore(records, { defaultBranch: "main", ttlSeconds: 60, beforeId: 3, now: at(3) })).toMatchObject({
      lock: { owner: "bob", kind: "branch", branch: "trunk" },
    });
    expect(lockStateBefore(records, { defaultBranch: "trunk", ttlSeconds: 60, beforeId: 3, now: at(3) })).toEqual(unlocked);
    expect(lockStateBefore(records, { defaultBranch: "main", ttlSeconds: undefined, beforeId: 3, now: at(3) })).toMatchObject({
      lock: { owner: "alice", kind: "explicit" },
    });
  });
});

describe("describeLock", () => {
  const explicit: Lock = {
    owner: "alice",
    reason: "db maintenance",
    since: T0,
    expiresAt: undefined,
    kind: "explicit",
    branch: undefined,
    recordId: 1,
  };
  const branch: Lock = { ...explicit, reason: "deployed topic", kind: "branch", branch: "topic" };

  it("names the owner and the reason of an explicit lock", () => {
    expect(describeLock(explicit)).toBe("locked by @alice: db maintenance");
  });

  it("names the owner and the branch of a branch lock", () => {
    expect(describeLock(branch)).toBe("locked by @alice (deployed topic)");
  });

  it("adds the minute the lock expires", () => {
    expect(describeLock({ ...explicit, expiresAt: "2024-05-01T12:30:45.000Z" })).toBe(
      "locked by @alice: db maintenance until 2024-05-01T12:30Z",
    );
    expect(describeLock({ ...branch, expiresAt: "2024-05-01T14:30:00+02:00" })).toBe(
      "locked by @alice (deployed topic) until 2024-05-01T12:30Z",
    );
  });

  it("leaves out an expiry it cannot read", () => {
    expect(describeLock({ ...explicit, expiresAt: "soon" })).toBe("locked by @alice: db maintenance");
  });

  it("fits 140 characters, shortening the reason or branch and keeping the expiry", () => {
    const until = "2024-05-01T12:30:00.000Z";
    const long = describeLock({ ...explicit, reason: "x".repeat(500), expiresAt: until });
    expect(long.length).toBeLessThanOrEqual(140);
    expect(long).toMatch(/^locked by @alice: x+… until 2024-05-01T12:30Z$/);
    const longBranch = describeLock({ ...branch, branch: "b".repeat(300), expiresAt: until });
    expect(longBranch.length).toBeLessThanOrEqual(140);
    expect(longBranch).toMatch(/^locked by @alice \(deployed b+…\) until 2024-05-01T12:30Z$/);
    const everythingLong = describeLock({ ...explicit, owner: "o".repeat(200), reason: "r".repeat(200), expiresAt: until });
    expect(everythingLong.length).toBeLessThanOrEqual(140);
    expect(everythingLong).toMatch(/ until 2024-05-01T12:30Z$/);
  });

  it("puts a multi-line reason on one line", () => {
    expect(describeLock({ ...explicit, reason: "db\nmaintenance\t now" })).toBe("locked by @alice: db maintenance now");
  });

  it("describes every lock applyRecord can produce", () => {
    const { state } = replay([lockBy("alice", { description: "db maintenance", payload: { ttl: 1800 } })]);
    expect(describeLock(lockOf(state))).toBe("locked by @alice: db maintenance until 2024-05-01T12:30Z");
  });
});

describe("currentLockState", () => {
  it("counts every record, the newest included, as a new request would meet them", () => {
    const records = [lockBy("alice", { id: 1, createdAt: at(0) }), unlockBy("bob", { id: 2, createdAt: at(1) }), lockBy("carol", { id: 3, createdAt: at(2), description: "release freeze" })];
    expect(lockOf(currentLockState(records, rules, at(5)))).toMatchObject({ owner: "carol", reason: "release freeze" });
    expect(currentLockState(records.slice(0, 2), rules, at(5))).toEqual(unlocked);
  });
});
