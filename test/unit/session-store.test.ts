import { describe, expect, it } from "@jest/globals";
import { SessionStore } from "../../src/server/session-store.js";

describe("SessionStore", () => {
  it("keeps a person's token under a random session id until it expires", () => {
    let now = 1_000;
    const store = new SessionStore(() => now);
    const session = store.create("alice", "ghu_secret", 5_000);
    expect(session.sessionId).toMatch(/^[\w-]{43}$/);
    expect(store.create("alice", "ghu_secret", 5_000).sessionId).not.toBe(session.sessionId);
    expect(store.get(session.sessionId)).toEqual({ sessionId: session.sessionId, login: "alice", token: "ghu_secret", expiresAt: 5_000 });
    now = 5_000;
    expect(store.get(session.sessionId)).toBeUndefined();
  });

  it("forgets a session at sign-out, and an unknown id finds nothing", () => {
    const store = new SessionStore(() => 0);
    const session = store.create("bob", "ghu_other", 10);
    expect(store.delete(session.sessionId)).toBe(true);
    expect(store.get(session.sessionId)).toBeUndefined();
    expect(store.get("never-issued")).toBeUndefined();
  });

  it("drops expired sessions when a new one is made, so memory does not grow with old sign-ins", () => {
    let now = 0;
    const store = new SessionStore(() => now);
    for (let i = 0; i < 50; i += 1) store.create(`person${i}`, "t", 100);
    now = 100;
    store.create("late", "t", 200);
    expect(store.size).toBe(1);
  });
});
