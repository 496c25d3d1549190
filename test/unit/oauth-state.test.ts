import { describe, expect, it } from "@jest/globals";
import { checkOAuthState, createOAuthState, describeStateRefusal, safeReturnPath, STATE_TTL_MS } from "../../src/decisions/oauth-state.js";

const SECRET = "dashboard-session-key-0123456789";
const NONCE = "pre-login-nonce-abcdefghijklmnop";
const NOW = Date.UTC(2026, 11, 3, 8, 0, 0);
const state = createOAuthState(SECRET, NONCE, { expiresAt: NOW + STATE_TTL_MS, returnTo: "/dashboard/repos/acme/web" });

describe("createOAuthState and checkOAuthState", () => {
  it("accepts the state back in the browser that holds the pre-login cookie, with where to go next", () => {
    expect(checkOAuthState(SECRET, state, NONCE, NOW + 1000)).toEqual({ ok: true, content: { expiresAt: NOW + STATE_TTL_MS, returnTo: "/dashboard/repos/acme/web" } });
  });

  it("refuses it in a browser with another pre-login cookie (someone else's sign-in pushed into yours)", () => {
    expect(checkOAuthState(SECRET, state, "another-browsers-nonce-0123456", NOW)).toEqual({ ok: false, reason: "forged" });
  });

  it("refuses it in a browser without the pre-login cookie", () => {
    expect(checkOAuthState(SECRET, state, undefined, NOW)).toEqual({ ok: false, reason: "no-pre-login-cookie" });
  });

  it("refuses a state heaven did not sign, or whose content was changed", () => {
    const [, signature] = state.split(".");
    const moved = Buffer.from(JSON.stringify({ e: NOW + 86_400_000, r: "/dashboard" })).toString("base64url");
    expect(checkOAuthState(SECRET, `${moved}.${signature}`, NONCE, NOW)).toEqual({ ok: false, reason: "forged" });
    expect(checkOAuthState(SECRET, "made-up-state", NONCE, NOW)).toEqual({ ok: false, reason: "forged" });
    expect(checkOAuthState("another-key-0123456789abcdef", state, NONCE, NOW)).toEqual({ ok: false, reason: "forged" });
  });

  it("refuses a genuine state after ten minutes", () => {
    expect(checkOAuthState(SECRET, state, NONCE, NOW + STATE_TTL_MS)).toEqual({ ok: false, reason: "expired" });
  });

  it("refuses a callback without a state", () => {
    expect(checkOAuthState(SECRET, undefined, NONCE, NOW)).toEqual({ ok: false, reason: "missing" });
    expect(checkOAuthState(SECRET, "", NONCE, NOW)).toEqual({ ok: false, reason: "missing" });
  });

  it("explains each refusal", () => {
    expect(describeStateRefusal("expired")).toMatch(/10 minutes/);
    expect(describeStateRefusal("no-pre-login-cookie")).toMatch(/start again/);
  });
});

describe("safeReturnPath", () => {
  it("keeps a dashboard path, with its query", () => {
    expect(safeReturnPath("/dashboard")).toBe("/dashboard");
    expect(safeReturnPath("/dashboard/repos/acme/web?environment=production")).toBe("/dashboard/repos/acme/web?environment=production");
  });

  it("sends anything else to /dashboard: other hosts, other paths, look-alikes", () => {
    for (const value of [undefined, null, "", "https://evil.example/dashboard", "//evil.example", "/\\evil.example", "/dashboardx", "/logs/a/b/1", "/dashboard/\\evil"]) {
      expect(safeReturnPath(value)).toBe("/dashboard");
    }
  });
});
