import { describe, expect, it } from "@jest/globals";
import { loadSettings, SettingsError } from "../../src/settings.js";

describe("HEAVEN_LOG_LINK_TTL", () => {
  it("is read as a duration, in seconds", () => {
    expect(loadSettings({ HEAVEN_LOG_LINK_TTL: "30d" }).logLinkTtlSeconds).toBe(30 * 86_400);
    expect(loadSettings({ HEAVEN_LOG_LINK_TTL: "1h30m" }).logLinkTtlSeconds).toBe(5_400);
  });

  it("leaves links without expiry when it is unset or empty", () => {
    expect(loadSettings({}).logLinkTtlSeconds).toBeUndefined();
    expect(loadSettings({ HEAVEN_LOG_LINK_TTL: " " }).logLinkTtlSeconds).toBeUndefined();
  });

  it.each([
    ["soon", /^HEAVEN_LOG_LINK_TTL must be a duration such as 30d or 12h, got "soon"$/],
    ["30", /has no unit/],
    ["400d", /longer than 365 days/],
  ])("stops heaven at start-up on %j, naming the variable", (value, message) => {
    expect(() => loadSettings({ HEAVEN_LOG_LINK_TTL: value })).toThrow(SettingsError);
    expect(() => loadSettings({ HEAVEN_LOG_LINK_TTL: value })).toThrow(message);
  });
});
