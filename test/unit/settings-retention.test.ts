import { describe, expect, it } from "@jest/globals";
import { loadSettings, SettingsError } from "../../src/settings.js";

const problem = (env: NodeJS.ProcessEnv): string => {
  try {
    loadSettings(env);
  } catch (error) {
    if (error instanceof SettingsError) return error.message;
    throw error;
  }
  throw new Error("expected a SettingsError");
};

describe("HEAVEN_LOG_RETENTION_DAYS", () => {
  it("keeps logs and checkouts 30 days by default", () => {
    expect(loadSettings({}).logRetentionDays).toBe(30);
    expect(loadSettings({ HEAVEN_LOG_RETENTION_DAYS: " " }).logRetentionDays).toBe(30);
  });

  it("reads a number of days", () => {
    expect(loadSettings({ HEAVEN_LOG_RETENTION_DAYS: "7" }).logRetentionDays).toBe(7);
  });

  it("keeps everything for ever with 0 or off", () => {
    expect(loadSettings({ HEAVEN_LOG_RETENTION_DAYS: "0" }).logRetentionDays).toBe(0);
    expect(loadSettings({ HEAVEN_LOG_RETENTION_DAYS: "off" }).logRetentionDays).toBe(0);
  });

  it("says what it expects when the value is not a number of days", () => {
    for (const value of ["30d", "-1", "1.5", "forever"]) {
      expect(problem({ HEAVEN_LOG_RETENTION_DAYS: value })).toBe(
        `HEAVEN_LOG_RETENTION_DAYS must be a whole number of days from 0 to 36500, or off (0 and off keep logs for ever), got "${value}"`,
      );
    }
  });
});
