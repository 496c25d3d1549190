/** Which of heaven's webhooks a deployment's notification goes to, and what is missing. */
import { describe, expect, it } from "@jest/globals";
import type { NotifyConfig } from "../../src/core/config.js";
import type { DeploymentJob } from "../../src/core/job.js";
import { chooseSlackWebhook, missingWebhooks, roomOf, slackVariable, webhookVariables } from "../../src/decisions/choose-notify-target.js";

const slack = (changes: Partial<NonNullable<NotifyConfig["slack"]>> = {}): NonNullable<NotifyConfig["slack"]> => ({ webhook: undefined, rooms: {}, events: ["success"], ...changes });

function jobWith(payload: Record<string, unknown> | undefined): DeploymentJob {
  const sha = "a".repeat(40);
  return {
    key: "k",
    lane: "octo/app#production",
    origin: { kind: "local" },
    acceptedAt: 0,
    request: {
      id: "1",
      repository: { fullName: "octo/app", cloneUrl: "x" },
      environment: "production",
      ref: "main",
      sha,
      task: "deploy",
      force: false,
      payloadConfig: undefined,
      creator: "hubot",
      ...(payload === undefined ? {} : { record: { id: 1, sha, ref: "main", task: "deploy", environment: "production", createdAt: "", creator: { login: "hubot", type: "User" }, payload, description: null } }),
    },
  };
}

describe("notify targets", () => {
  it("names the variables heaven's operator sets", () => {
    expect([slackVariable(undefined), slackVariable("deploys"), slackVariable("ops-eu")]).toEqual(["HEAVEN_SLACK_WEBHOOK_URL", "HEAVEN_SLACK_WEBHOOK_DEPLOYS", "HEAVEN_SLACK_WEBHOOK_OPS_EU"]);
    expect(webhookVariables(undefined)).toEqual({ url: "HEAVEN_NOTIFY_WEBHOOK_URL", secret: "HEAVEN_NOTIFY_WEBHOOK_SECRET" });
    expect(webhookVariables("teams")).toEqual({ url: "HEAVEN_NOTIFY_WEBHOOK_TEAMS_URL", secret: "HEAVEN_NOTIFY_WEBHOOK_TEAMS_SECRET" });
  });

  it("reads hubot-deploy's room from the deployment's payload", () => {
    expect(roomOf(jobWith({ notify: { room: "#ops", user: "alice" } }))).toBe("#ops");
    expect([roomOf(jobWith({ notify: { room: " " } })), roomOf(jobWith({ notify: "ops" })), roomOf(jobWith(undefined))]).toEqual([undefined, undefined, undefined]);
  });

  it("sends to the webhook a room maps to, whether or not the room is written with #, else to the configured one", () => {
    const config = slack({ webhook: "deploys", rooms: { "#ops": "ops", Releases: "releases" } });
    expect(chooseSlackWebhook(config, "ops")).toBe("HEAVEN_SLACK_WEBHOOK_OPS");
    expect(chooseSlackWebhook(config, "#releases")).toBe("HEAVEN_SLACK_WEBHOOK_RELEASES");
    expect(chooseSlackWebhook(config, "#random")).toBe("HEAVEN_SLACK_WEBHOOK_DEPLOYS");
    expect(chooseSlackWebhook(config, undefined)).toBe("HEAVEN_SLACK_WEBHOOK_DEPLOYS");
    expect(chooseSlackWebhook(slack(), "ops")).toBe("HEAVEN_SLACK_WEBHOOK_URL");
  });

  it("says which webhook a deployment names that heaven's environment lacks", () => {
    const notify: NotifyConfig = { slack: slack({ webhook: "deploys" }), webhook: { name: "teams", events: ["failure"] } };
    expect(missingWebhooks(notify, undefined, { slack: ["HEAVEN_SLACK_WEBHOOK_DEPLOYS"], webhooks: ["HEAVEN_NOTIFY_WEBHOOK_TEAMS_URL"] })).toEqual([]);
    expect(missingWebhooks(notify, undefined, { slack: ["HEAVEN_SLACK_WEBHOOK_URL"], webhooks: [] })).toEqual([
      "HEAVEN_SLACK_WEBHOOK_DEPLOYS is not set in heaven's environment: no Slack message is sent for this deployment",
      "HEAVEN_NOTIFY_WEBHOOK_TEAMS_URL (with HEAVEN_NOTIFY_WEBHOOK_TEAMS_SECRET) is not set in heaven's environment: no webhook notification is sent for this deployment",
    ]);
    expect(missingWebhooks({ slack: undefined, webhook: undefined }, undefined, { slack: [], webhooks: [] })).toEqual([]);
  });
});
