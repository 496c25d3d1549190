import { describe, expect, it } from "@jest/globals";
import { checkLogLink, logUrl } from "../../src/engine/log-links.js";
import { freshLogLink } from "../../src/server/fresh-log-link.js";

const SECRET = "log-secret";
const NOW = Date.parse("2026-05-01T12:00:00Z");
const context = { fullName: "acme/app", deploymentId: 42, secret: SECRET, ttlSeconds: 3600, now: NOW };

describe("freshLogLink", () => {
  it("signs heaven's link to this deployment's log again, with an expiry from now", () => {
    const expired = logUrl("https://heaven.example/base", SECRET, "acme/app/42", Math.floor(NOW / 1000) - 10);
    const fresh = new URL(freshLogLink(expired, context));
    expect(fresh.origin + fresh.pathname).toBe("https://heaven.example/base/logs/acme/app/42");
    expect(fresh.searchParams.get("exp")).toBe(String(Math.floor(NOW / 1000) + 3600));
    expect(checkLogLink(SECRET, "acme/app/42", fresh.searchParams)).toEqual({ kind: "valid", expiresAt: Math.floor(NOW / 1000) + 3600 });
  });

  it("leaves links to another deployment's log, or elsewhere, as they are", () => {
    const other = logUrl("https://heaven.example", SECRET, "acme/app/41");
    expect(freshLogLink(other, context)).toBe(other);
    expect(freshLogLink("https://ci.example/logs/acme/app/42", context)).toBe("https://ci.example/logs/acme/app/42");
    expect(freshLogLink("not a url", context)).toBe("not a url");
  });
});
