/** The Slack message a room sees for each moment of a deployment: pure data in, Slack's JSON out. */
import { describe, expect, it } from "@jest/globals";
import type { Notice } from "../../src/decisions/describe-notification.js";
import { escapeMrkdwn, renderSlackMessage, SLACK_COLOURS } from "../../src/decisions/render-slack-message.js";

const SHA = "1234567890abcdef1234567890abcdef12345678";
const PREVIOUS = "fedcba0987654321fedcba0987654321fedcba09";
const REPO = "https://github.com/octo/app";

function notice(changes: Partial<Notice> = {}): Notice {
  return {
    kind: "success",
    state: "success",
    repository: "octo/app",
    environment: "production",
    ref: "main",
    sha: SHA,
    deploymentId: "41",
    task: "deploy",
    by: "alice",
    description: "script/deploy succeeded in 42 s",
    durationMs: 63_000,
    logUrl: "https://heaven.example.com/logs/octo/app/41?sig=abc",
    environmentUrl: "https://app.example.com",
    previousSha: PREVIOUS,
    links: { repository: REPO, commit: `${REPO}/commit/${SHA}`, compare: `${REPO}/compare/${PREVIOUS}...${SHA}` },
    ...changes,
  };
}

const texts = (message: ReturnType<typeof renderSlackMessage>) => {
  const blocks = (message.attachments?.[0]?.blocks ?? []) as Array<{ text?: { text: string }; fields?: Array<{ text: string }>; elements?: Array<{ text: string }> }>;
  return { description: blocks[0]?.text?.text, fields: blocks[1]?.fields?.map((f) => f.text), links: blocks[2]?.elements?.[0]?.text };
};

describe("renderSlackMessage", () => {
  it("says who deployed what where and how long it took, with the log, the changes since the last deployment and the environment", () => {
    const message = renderSlackMessage(notice());
    expect(message.text).toBe(`:white_check_mark: *alice* deployed <${REPO}|octo/app> \`main\` (<${REPO}/commit/${SHA}|1234567>) to *production* in 1 min 3 s`);
    expect(message.attachments?.[0]?.color).toBe("#2eb67d");
    expect(texts(message)).toEqual({
      description: "script/deploy succeeded in 42 s",
      fields: ["*Environment*\n<https://app.example.com|production>", "*By*\nalice", "*State*\nsuccess", "*Duration*\n1 min 3 s"],
      links: `<https://heaven.example.com/logs/octo/app/41?sig=abc|Log> · <${REPO}/compare/${PREVIOUS}...${SHA}|Changes since fedcba0> · <https://app.example.com|Open production>`,
    });
  });

  it("colours each moment its own way and words its headline for it", () => {
    const started = renderSlackMessage(notice({ kind: "start", state: "in_progress", durationMs: undefined, description: "deploying main (1234567) to production" }));
    expect(started.text).toMatch(/^:rocket: \*alice\* is deploying <.*\) to \*production\*$/);
    expect(texts(started).fields).toEqual(["*Environment*\nproduction", "*By*\nalice", "*State*\nin_progress"]);
    const failed = renderSlackMessage(notice({ kind: "failure", state: "failure", description: 'script/deploy exited 3: "migration failed"' }));
    expect(failed.text).toMatch(/^:x: \*alice\*'s deployment of .* to \*production\* failed$/);
    expect(texts(failed).description).toBe('script/deploy exited 3: "migration failed"');
    // The environment is linked only once the deployment reached it.
    expect(texts(failed).links).not.toContain("Open production");
    const errored = renderSlackMessage(notice({ kind: "error", state: "error", description: "timed out after 300 s; process group killed" }));
    expect(errored.text).toMatch(/could not run$/);
    expect([started, renderSlackMessage(notice()), failed, errored].map((m) => m.attachments?.[0]?.color)).toEqual([
      SLACK_COLOURS.start,
      SLACK_COLOURS.success,
      SLACK_COLOURS.failure,
      SLACK_COLOURS.error,
    ]);
    expect(new Set(Object.values(SLACK_COLOURS)).size).toBe(4);
  });

  it("has no compare link when the previous deployment is not known", () => {
    const message = renderSlackMessage(notice({ previousSha: undefined, links: { repository: REPO, commit: `${REPO}/commit/${SHA}`, compare: undefined } }));
    expect(texts(message).links).toBe("<https://heaven.example.com/logs/octo/app/41?sig=abc|Log> · <https://app.example.com|Open production>");
  });

  it("names a deployment from the command line without GitHub links", () => {
    const message = renderSlackMessage(notice({ links: undefined, previousSha: undefined, environmentUrl: undefined }));
    expect(message.text).toBe(":white_check_mark: *alice* deployed octo/app `main` (1234567) to *production* in 1 min 3 s");
  });

  it("shows a script's output and a chat name as text: no markup, no @channel, no broken links", () => {
    const message = renderSlackMessage(
      notice({ kind: "failure", state: "failure", by: "<!channel> *bob*", ref: "fix/<b>`x`", description: 'script/deploy exited 1: "<script>alert(1)</script> & <https://evil|click>"' }),
    );
    expect(texts(message).description).toBe('script/deploy exited 1: "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;https://evil|click&gt;"');
    expect(message.text).toContain("*&lt;!channel&gt; *bob**'s deployment");
    expect(message.text).toContain("`fix/&lt;b&gt;'x'`");
    expect(JSON.stringify(message)).not.toContain("<!channel>");
    expect(renderSlackMessage(notice({ environmentUrl: "https://app.example.com/?a=1&b=|2" })).attachments?.[0]?.blocks).toContainEqual(
      expect.objectContaining({ elements: [expect.objectContaining({ text: expect.stringContaining("<https://app.example.com/?a=1&amp;b=%7C2|Open production>") })] }),
    );
  });

  it("escapes exactly Slack's three control characters", () => {
    expect(escapeMrkdwn("a & b < c > d *e* _f_")).toBe("a &amp; b &lt; c &gt; d *e* _f_");
  });
});
