/** heaven's notification webhooks, read from its environment, and what heaven says when one is set wrong. */
import { describe, expect, it } from "@jest/globals";
import { readNotifyTargets } from "../../src/notify/notify-targets.js";
import { loadSettings, SettingsError } from "../../src/settings.js";

const SLACK = "https://hooks.slack.com/services/T0/B0/slack-secret-token";
const HOOK = "https://chat.example.com/hooks/heaven";
const SECRET = "0123456789abcdef-secret";

describe("readNotifyTargets", () => {
  it("reads the default and named Slack webhooks and signed webhooks, by variable name", () => {
    const env = {
      HEAVEN_SLACK_WEBHOOK_URL: SLACK,
      HEAVEN_SLACK_WEBHOOK_OPS: `${SLACK}-ops`,
      HEAVEN_NOTIFY_WEBHOOK_URL: HOOK,
      HEAVEN_NOTIFY_WEBHOOK_SECRET: SECRET,
      HEAVEN_NOTIFY_WEBHOOK_TEAMS_URL: `${HOOK}/teams`,
      HEAVEN_NOTIFY_WEBHOOK_TEAMS_SECRET: `${SECRET}-teams`,
      HEAVEN_SLACK_WEBHOOK_EMPTY: " ",
      PATH: "/usr/bin",
    };
    expect(readNotifyTargets(env)).toEqual({
      targets: {
        slack: { HEAVEN_SLACK_WEBHOOK_URL: SLACK, HEAVEN_SLACK_WEBHOOK_OPS: `${SLACK}-ops` },
        webhooks: {
          HEAVEN_NOTIFY_WEBHOOK_URL: { url: HOOK, secret: SECRET },
          HEAVEN_NOTIFY_WEBHOOK_TEAMS_URL: { url: `${HOOK}/teams`, secret: `${SECRET}-teams` },
        },
      },
      problems: [],
    });
  });

  it("has no targets when none is set", () => {
    expect(readNotifyTargets({ PATH: "/usr/bin" })).toEqual({ targets: undefined, problems: [] });
  });

  it("names every variable that is wrong, never its value", () => {
    const { problems } = readNotifyTargets({
      HEAVEN_SLACK_WEBHOOK_URL: "hooks.slack.com/services/T0/B0/leaky",
      HEAVEN_NOTIFY_WEBHOOK_URL: HOOK,
      HEAVEN_NOTIFY_WEBHOOK_A_URL: `${HOOK}/a`,
      HEAVEN_NOTIFY_WEBHOOK_A_SECRET: "short",
      HEAVEN_NOTIFY_WEBHOOK_B_SECRET: SECRET,
      HEAVEN_NOTIFY_WEBHOOK_TEAMS: HOOK,
    });
    expect(problems.sort()).toEqual(
      [
        "HEAVEN_SLACK_WEBHOOK_URL must be a Slack incoming-webhook URL (https://hooks.slack.com/services/…)",
        "HEAVEN_NOTIFY_WEBHOOK_URL needs HEAVEN_NOTIFY_WEBHOOK_SECRET: heaven signs every notification it sends",
        "HEAVEN_NOTIFY_WEBHOOK_A_SECRET must be at least 16 characters",
        "HEAVEN_NOTIFY_WEBHOOK_B_SECRET is set but HEAVEN_NOTIFY_WEBHOOK_B_URL is not: set the webhook's URL, or remove its secret",
        "HEAVEN_NOTIFY_WEBHOOK_TEAMS is not a notification setting: webhooks are HEAVEN_NOTIFY_WEBHOOK_URL and HEAVEN_NOTIFY_WEBHOOK_<NAME>_URL, each with its _SECRET",
      ].sort(),
    );
    expect(problems.join("\n")).not.toContain("leaky");
  });
});

describe("loadSettings and notifications", () => {
  it("stops heaven at start-up on a wrong notification variable", () => {
    expect(() => loadSettings({ HEAVEN_NOTIFY_WEBHOOK_URL: HOOK })).toThrow(SettingsError);
  });

  it("keeps the webhooks, and masks their URLs and secrets in every log", () => {
    const settings = loadSettings({ HEAVEN_SLACK_WEBHOOK_URL: SLACK, HEAVEN_NOTIFY_WEBHOOK_URL: HOOK, HEAVEN_NOTIFY_WEBHOOK_SECRET: SECRET });
    expect(settings.notify).toEqual({ slack: { HEAVEN_SLACK_WEBHOOK_URL: SLACK }, webhooks: { HEAVEN_NOTIFY_WEBHOOK_URL: { url: HOOK, secret: SECRET } } });
    expect(settings.secrets).toEqual(expect.arrayContaining([SLACK, HOOK, SECRET]));
  });

  it("never offers a notification webhook to a repository's secrets", () => {
    expect(() => loadSettings({ HEAVEN_SECRETS: "NPM_TOKEN,HEAVEN_SLACK_WEBHOOK_URL" })).toThrow("HEAVEN_SECRETS may not offer heaven's own credentials: HEAVEN_SLACK_WEBHOOK_URL");
    expect(() => loadSettings({ HEAVEN_SECRETS: "HEAVEN_NOTIFY_WEBHOOK_SECRET" })).toThrow(SettingsError);
  });
});
