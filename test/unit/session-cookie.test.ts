import { describe, expect, it } from "@jest/globals";
import { clearCookieHeader, readCookie, setCookieHeader } from "../../src/decisions/session-cookie.js";

describe("setCookieHeader", () => {
  it("keeps the cookie from scripts and other sites' requests, over plain http without Secure", () => {
    expect(setCookieHeader("heaven_session", "abc.def", { heavenUrl: "http://127.0.0.1:3000", path: "/", maxAgeSeconds: 3600 })).toBe(
      "heaven_session=abc.def; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax",
    );
  });

  it("adds Secure when heaven is reached over https", () => {
    expect(setCookieHeader("heaven_session", "abc", { heavenUrl: "https://heaven.example.com", path: "/", maxAgeSeconds: 10.7 })).toBe(
      "heaven_session=abc; Path=/; Max-Age=10; HttpOnly; SameSite=Lax; Secure",
    );
  });

  it("clears a cookie with Max-Age=0 on the same path", () => {
    expect(clearCookieHeader("heaven_sign_in", { heavenUrl: "https://heaven.example.com", path: "/dashboard/callback" })).toBe(
      "heaven_sign_in=; Path=/dashboard/callback; Max-Age=0; HttpOnly; SameSite=Lax; Secure",
    );
  });

  it("will not write a value that would break the header", () => {
    expect(() => setCookieHeader("heaven_session", "a; Domain=evil", { heavenUrl: "http://x", path: "/", maxAgeSeconds: 1 })).toThrow(/cannot carry/);
  });
});

describe("readCookie", () => {
  it("finds a cookie among others, by exact name", () => {
    expect(readCookie("theme=dark; heaven_session=abc.def; heaven_session_old=zzz", "heaven_session")).toBe("abc.def");
    expect(readCookie("xheaven_session=abc", "heaven_session")).toBeUndefined();
  });

  it("gives undefined without a header or without that cookie", () => {
    expect(readCookie(undefined, "heaven_session")).toBeUndefined();
    expect(readCookie("other=1; broken", "heaven_session")).toBeUndefined();
  });
});
