/**
 * A deployment notice as a Slack incoming-webhook message: a headline, then
 * an attachment coloured by state with who, what, how long, and links to the
 * log and the changes since the last deployment. Pure. Slack's mrkdwn needs
 * `&`, `<` and `>` escaped: a script's last line is text, never markup.
 */
import type { IncomingWebhookSendArguments } from "@slack/webhook";
import type { NotifyEvent } from "../core/config.js";
import type { Notice } from "./describe-notification.js";
import { formatDuration } from "./text.js";

export const SLACK_COLOURS: Readonly<Record<NotifyEvent, string>> = {
  start: "#1d9bd1",
  success: "#2eb67d",
  failure: "#e01e5a",
  error: "#ecb22e",
};

const ICONS: Readonly<Record<NotifyEvent, string>> = { start: ":rocket:", success: ":white_check_mark:", failure: ":x:", error: ":warning:" };

export function escapeMrkdwn(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** `<url|text>`; a `|` in the URL would end it early. */
const link = (url: string | undefined, text: string): string =>
  url === undefined ? escapeMrkdwn(text) : `<${escapeMrkdwn(url).replaceAll("|", "%7C")}|${escapeMrkdwn(text)}>`;
/** A ref inside a code span: a backtick in it would end the span. */
const code = (text: string): string => `\`${escapeMrkdwn(text.replaceAll("`", "'"))}\``;

export function renderSlackMessage(notice: Notice): IncomingWebhookSendArguments {
  const short = notice.sha.slice(0, 7);
  const what = `${link(notice.links?.repository, notice.repository)} ${code(notice.ref)} (${link(notice.links?.commit, short)}) to *${escapeMrkdwn(notice.environment)}*`;
  const by = `*${escapeMrkdwn(notice.by)}*`;
  const duration = notice.durationMs === undefined ? undefined : formatDuration(notice.durationMs);
  const headline: Record<NotifyEvent, string> = {
    start: `${by} is deploying ${what}`,
    success: `${by} deployed ${what}${duration === undefined ? "" : ` in ${duration}`}`,
    failure: `${by}'s deployment of ${what} failed`,
    error: `${by}'s deployment of ${what} could not run`,
  };
  const fields: Array<[string, string]> = [
    ["Environment", link(notice.kind === "success" ? notice.environmentUrl : undefined, notice.environment)],
    ["By", escapeMrkdwn(notice.by)],
    ["State", notice.state],
    ...(duration === undefined ? [] : [["Duration", duration] satisfies [string, string]]),
  ];
  const links = [
    link(notice.logUrl, "Log"),
    ...(notice.links?.compare === undefined || notice.previousSha === undefined ? [] : [link(notice.links.compare, `Changes since ${notice.previousSha.slice(0, 7)}`)]),
    ...(notice.kind === "success" && notice.environmentUrl !== undefined ? [link(notice.environmentUrl, `Open ${notice.environment}`)] : []),
  ];
  return {
    text: `${ICONS[notice.kind]} ${headline[notice.kind]}`,
    attachments: [
      {
        color: SLACK_COLOURS[notice.kind],
        blocks: [
          { type: "section", text: { type: "mrkdwn", text: escapeMrkdwn(notice.description) } },
          { type: "section", fields: fields.map(([name, value]) => ({ type: "mrkdwn", text: `*${name}*\n${value}` })) },
          { type: "context", elements: [{ type: "mrkdwn", text: links.join(" · ") }] },
        ],
      },
    ],
  };
}
