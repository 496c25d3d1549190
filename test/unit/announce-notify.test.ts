/** Right after the configuration is read: the notification settings go to the sinks, and what heaven lacks goes in the deployment's log. */
import { describe, expect, it } from "@jest/globals";
import type { DeploymentConfig, NotifyConfig } from "../../src/core/config.js";
import type { DeploymentEvent } from "../../src/core/events.js";
import type { DeploymentJob } from "../../src/core/job.js";
import { announceNotify } from "../../src/notify/announce-notify.js";

const notify: NotifyConfig = { slack: { webhook: "deploys", rooms: {}, events: ["failure"] }, webhook: undefined };
const config = (changes: Partial<DeploymentConfig>) => ({ notify, ...changes }) as DeploymentConfig;
const job = (task: string): DeploymentJob => ({
  key: "k",
  lane: "octo/app#production",
  origin: { kind: "local" },
  acceptedAt: 0,
  request: { id: "1", repository: { fullName: "octo/app", cloneUrl: "x" }, environment: "production", ref: "main", sha: "a".repeat(40), task, force: false, payloadConfig: undefined, creator: "alice" },
});

function announce(task: string, settings: Partial<DeploymentConfig>, hostEnv: Record<string, string> | undefined) {
  const events: DeploymentEvent[] = [];
  const notes: string[] = [];
  announceNotify({ job: job(task), publish: (event) => void events.push(event) }, config(settings), { note: (text) => void notes.push(text) }, hostEnv);
  return { events, notes };
}

describe("announceNotify", () => {
  it("tells the sinks the settings of a deploy task, quietly when heaven has the webhook", () => {
    expect(announce("deploy:migrate", {}, { HEAVEN_SLACK_WEBHOOK_DEPLOYS: "https://hooks.slack.com/services/T/B/x" })).toEqual({ events: [{ type: "configured", notify }], notes: [] });
  });

  it("says in the deployment's log which webhook heaven lacks, and still tells the sinks", () => {
    expect(announce("deploy", {}, {})).toEqual({
      events: [{ type: "configured", notify }],
      notes: ["notify: HEAVEN_SLACK_WEBHOOK_DEPLOYS is not set in heaven's environment: no Slack message is sent for this deployment"],
    });
  });

  it("says nothing for a lock, an unlock or a rollback, or when the repository asks for no notifications", () => {
    for (const task of ["deploy:lock", "deploy:unlock", "deploy:rollback"]) expect(announce(task, {}, {})).toEqual({ events: [], notes: [] });
    expect(announce("deploy", { notify: undefined }, {})).toEqual({ events: [], notes: [] });
  });
});
