/** `notify` in .github/heaven.yml: its shapes, its per-environment overrides, and its mistakes, through resolveConfig. */
import { describe, expect, it } from "@jest/globals";
import { z } from "zod";
import { resolveConfig } from "../../src/decisions/resolve-config.js";

const providers = { shell: { options: z.object({}) } };
const resolve = (file: unknown, environment = "production") => resolveConfig({ file, payloadConfig: undefined, environment, providers, defaultTimeoutSeconds: 300 });
const notifyOf = (file: unknown, environment = "production") => {
  const result = resolve(file, environment);
  if (!result.ok) throw new Error(result.error);
  return result.config.notify;
};
const ALL = ["start", "success", "failure", "error"];

describe("notify in .github/heaven.yml", () => {
  it("notifies nobody when the file says nothing", () => {
    expect(notifyOf(null)).toBeUndefined();
    expect(notifyOf({ notify: {} })).toBeUndefined();
  });

  it("reads true as the default webhook, a name as that webhook, and every event unless told", () => {
    expect(notifyOf({ notify: { slack: true, webhook: "teams" } })).toEqual({
      slack: { webhook: undefined, rooms: {}, events: ALL },
      webhook: { name: "teams", events: ALL },
    });
    expect(notifyOf({ notify: { slack: { webhook: "deploys", rooms: { "#ops": "ops" }, events: ["failure", "error"] }, webhook: { events: ["success"] } } })).toEqual({
      slack: { webhook: "deploys", rooms: { "#ops": "ops" }, events: ["failure", "error"] },
      webhook: { name: undefined, events: ["success"] },
    });
  });

  it("lets an environment replace a channel of the top level's, or turn it off, keeping the other", () => {
    const file = {
      notify: { slack: "deploys", webhook: true },
      environments: { production: { notify: { slack: { webhook: "prod-alerts", events: ["failure"] } } }, staging: { notify: { slack: false } }, review: null },
    };
    expect(notifyOf(file, "production")).toEqual({ slack: { webhook: "prod-alerts", rooms: {}, events: ["failure"] }, webhook: { name: undefined, events: ALL } });
    expect(notifyOf(file, "staging")).toEqual({ slack: undefined, webhook: { name: undefined, events: ALL } });
    expect(notifyOf(file, "review")).toEqual({ slack: { webhook: "deploys", rooms: {}, events: ALL }, webhook: { name: undefined, events: ALL } });
    expect(notifyOf({ ...file, environments: { staging: { notify: { slack: false, webhook: false } } } }, "staging")).toBeUndefined();
  });

  it("names the key that is wrong and how to fix it", () => {
    expect(resolve({ notify: { slack: { channel: "#deploys" } } })).toEqual({
      ok: false,
      error: ".github/heaven.yml: notify.slack.channel: an incoming webhook posts to the channel it was made for; name that webhook instead (webhook: <name>)",
    });
    expect(resolve({ notify: { slack: "https://hooks.slack.com/services/T/B/x" } })).toMatchObject({ ok: false, error: expect.stringContaining("notify.slack") });
    expect(resolve({ notify: { slack: { events: ["finish"] } } })).toMatchObject({ ok: false, error: expect.stringContaining("notify.slack") });
    expect(resolve({ notify: { email: true } })).toMatchObject({ ok: false, error: expect.stringMatching(/notify.*email/) });
    expect(resolve({ environments: { production: { notify: { webhook: { url: "https://evil.example.com" } } } } })).toEqual({
      ok: false,
      error: ".github/heaven.yml: environments.production.notify.webhook.url: webhook URLs come only from heaven's environment; name one of its webhooks instead (name: <name>)",
    });
  });

  it("is not something a deployment's payload can set", () => {
    const result = resolveConfig({ file: null, payloadConfig: { notify: { slack: true } }, environment: "production", providers, defaultTimeoutSeconds: 300 });
    expect(result).toMatchObject({ ok: true, config: { notify: undefined } });
  });
});
