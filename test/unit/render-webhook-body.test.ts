/** The JSON the signed webhook posts: the documented fields, and the event as published. */
import { describe, expect, it } from "@jest/globals";
import type { ProgressEvent } from "../../src/core/events.js";
import type { Notice } from "../../src/decisions/describe-notification.js";
import { renderWebhookBody } from "../../src/decisions/render-webhook-body.js";

const SHA = "1234567890abcdef1234567890abcdef12345678";
const event: ProgressEvent = { type: "finished", outcome: { kind: "failed", what: "script/deploy", exitCode: 3, lastLine: "boom" }, environmentUrl: undefined };
const notice: Notice = {
  kind: "failure",
  state: "failure",
  repository: "octo/app",
  environment: "production",
  ref: "main",
  sha: SHA,
  deploymentId: "41",
  task: "deploy",
  by: "alice",
  description: 'script/deploy exited 3: "boom"',
  durationMs: undefined,
  logUrl: "https://heaven.example.com/logs/octo/app/41?sig=abc",
  environmentUrl: undefined,
  previousSha: undefined,
  links: undefined,
};

describe("renderWebhookBody", () => {
  it("gives every documented field, null where nothing is known, and survives JSON", () => {
    const body = renderWebhookBody(notice, event);
    expect(body).toEqual({
      version: 1,
      notification: "failure",
      state: "failure",
      description: 'script/deploy exited 3: "boom"',
      deployment: { id: "41", repository: "octo/app", environment: "production", ref: "main", sha: SHA, task: "deploy", by: "alice" },
      duration_ms: null,
      log_url: "https://heaven.example.com/logs/octo/app/41?sig=abc",
      environment_url: null,
      previous_sha: null,
      compare_url: null,
      event: { type: "finished", outcome: { kind: "failed", what: "script/deploy", exitCode: 3, lastLine: "boom" } },
    });
    expect(JSON.parse(JSON.stringify(body))).toEqual(body);
  });

  it("carries the compare link and the previous sha when known", () => {
    const previous = "f".repeat(40);
    const compare = `https://github.com/octo/app/compare/${previous}...${SHA}`;
    const body = renderWebhookBody({ ...notice, previousSha: previous, durationMs: 1500, links: { repository: "r", commit: "c", compare } }, event);
    expect(body).toMatchObject({ previous_sha: previous, compare_url: compare, duration_ms: 1500 });
  });
});
