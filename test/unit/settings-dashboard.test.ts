import { describe, expect, it } from "@jest/globals";
import { loadSettings } from "../../src/settings.js";

describe("dashboard sign-in settings", () => {
  it("are on with the App's client id and secret, Probot's registration writes them, and know the App's id", () => {
    expect(loadSettings({ GITHUB_CLIENT_ID: "Iv1.abc", GITHUB_CLIENT_SECRET: "s3cret-value", APP_ID: "42" }).dashboard).toEqual({ clientId: "Iv1.abc", clientSecret: "s3cret-value", appId: 42 });
  });

  it("are off without either of them, or with one left blank", () => {
    expect(loadSettings({}).dashboard).toBeUndefined();
    expect(loadSettings({ GITHUB_CLIENT_ID: "Iv1.abc" }).dashboard).toBeUndefined();
    expect(loadSettings({ GITHUB_CLIENT_ID: "Iv1.abc", GITHUB_CLIENT_SECRET: " " }).dashboard).toBeUndefined();
  });

  it("mask the client secret in every log", () => {
    expect(loadSettings({ GITHUB_CLIENT_ID: "Iv1.abc", GITHUB_CLIENT_SECRET: "s3cret-value" }).secrets).toContain("s3cret-value");
  });

  it("do not insist on a numeric APP_ID (Probot checks its own)", () => {
    expect(loadSettings({ GITHUB_CLIENT_ID: "Iv1.abc", GITHUB_CLIENT_SECRET: "s3cret-value", APP_ID: "my-app" }).dashboard?.appId).toBeUndefined();
  });
});
