import { describe, expect, it } from "@jest/globals";
import { checkCsrf, csrfToken, describeCsrfRefusal } from "../../src/decisions/check-csrf.js";

const SECRET = "dashboard-session-key-0123456789";
const SESSION = "s3ss10n-1d-0123456789abcdef";
const HEAVEN = "https://heaven.example.com";
const request = (overrides: Partial<Parameters<typeof checkCsrf>[1]> = {}) => ({
  sessionId: SESSION,
  submittedToken: csrfToken(SECRET, SESSION),
  origin: HEAVEN,
  expectedOrigin: HEAVEN,
  ...overrides,
});

describe("csrfToken", () => {
  it("is the same for a session every time and different for another session or key", () => {
    expect(csrfToken(SECRET, SESSION)).toBe(csrfToken(SECRET, SESSION));
    expect(csrfToken(SECRET, SESSION)).not.toBe(csrfToken(SECRET, `${SESSION}x`));
    expect(csrfToken(SECRET, SESSION)).not.toBe(csrfToken(`${SECRET}x`, SESSION));
    expect(csrfToken(SECRET, SESSION)).not.toContain(SESSION);
  });
});

describe("checkCsrf", () => {
  it("accepts the session's own token sent from heaven's origin", () => {
    expect(checkCsrf(SECRET, request())).toEqual({ ok: true });
  });

  it("accepts the token from a client that sends no Origin (curl, an old browser)", () => {
    expect(checkCsrf(SECRET, request({ origin: undefined }))).toEqual({ ok: true });
  });

  it("treats an origin with its default port or other letter case as heaven's own", () => {
    expect(checkCsrf(SECRET, request({ origin: "https://Heaven.Example.com:443" }))).toEqual({ ok: true });
  });

  it("refuses a request from another site even when it carries the right token", () => {
    expect(checkCsrf(SECRET, request({ origin: "https://evil.example" }))).toEqual({ ok: false, reason: "cross-origin" });
    expect(checkCsrf(SECRET, request({ origin: "http://heaven.example.com" }))).toEqual({ ok: false, reason: "cross-origin" });
    expect(checkCsrf(SECRET, request({ origin: "https://heaven.example.com:8443" }))).toEqual({ ok: false, reason: "cross-origin" });
  });

  it("refuses the opaque origin null and an origin that is not a URL", () => {
    expect(checkCsrf(SECRET, request({ origin: "null" }))).toEqual({ ok: false, reason: "cross-origin" });
    expect(checkCsrf(SECRET, request({ origin: "heaven.example.com" }))).toEqual({ ok: false, reason: "cross-origin" });
  });

  it("refuses a request without a token, or with an empty one", () => {
    expect(checkCsrf(SECRET, request({ submittedToken: undefined }))).toEqual({ ok: false, reason: "missing-token" });
    expect(checkCsrf(SECRET, request({ submittedToken: "" }))).toEqual({ ok: false, reason: "missing-token" });
  });

  it("refuses another session's token and a made-up one", () => {
    expect(checkCsrf(SECRET, request({ submittedToken: csrfToken(SECRET, "another-session-0123456789") }))).toEqual({ ok: false, reason: "wrong-token" });
    expect(checkCsrf(SECRET, request({ submittedToken: "x" }))).toEqual({ ok: false, reason: "wrong-token" });
  });

  it("refuses any request without a session, whatever it carries", () => {
    expect(checkCsrf(SECRET, request({ sessionId: undefined }))).toEqual({ ok: false, reason: "no-session" });
  });

  it("says in words why each refusal happened", () => {
    expect(describeCsrfRefusal("cross-origin")).toMatch(/another site/);
    expect(describeCsrfRefusal("wrong-token")).toMatch(/reload/);
  });
});
