/**
 * `notify` in `.github/heaven.yml`: who hears about a deployment, and which
 * of heaven's named webhooks they hear through. Pure. A repository names a
 * webhook; heaven's operator gives it a URL (notify/notify-targets.ts).
 */
import { z } from "zod";
import { NOTIFY_EVENTS, type NotifyConfig } from "../core/config.js";

const webhookName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, {
  message: "must be the name of a webhook heaven's operator set up, like deploys (HEAVEN_SLACK_WEBHOOK_DEPLOYS)",
});

const events = z.array(z.enum(NOTIFY_EVENTS));

/** A repository never gives an address: heaven would post wherever it said. */
const noUrl = (key: string) => z.never({ error: `webhook URLs come only from heaven's environment; name one of its webhooks instead (${key}: <name>)` }).optional();

/**
 * `true`: the default webhook; a name: that webhook; `false`: none (an
 * environment turning the top level's off). Shorthands become the long form
 * first, so a mistake is named at its key rather than as "invalid input".
 */
const shorthand = (key: string) => (value: unknown) => (value === false ? null : value === true ? {} : typeof value === "string" ? { [key]: value } : value);

const slack = z.preprocess(
  shorthand("webhook"),
  z
    .object({
      webhook: webhookName.optional(),
      rooms: z.record(z.string().min(1), webhookName).optional(),
      events: events.optional(),
      // Slack binds an incoming webhook to one channel when it is made: a channel is chosen by naming its webhook.
      channel: z.never({ error: "an incoming webhook posts to the channel it was made for; name that webhook instead (webhook: <name>)" }).optional(),
      url: noUrl("webhook"),
    })
    .strict()
    .nullable(),
);

const webhook = z.preprocess(shorthand("name"), z.object({ name: webhookName.optional(), events: events.optional(), url: noUrl("name") }).strict().nullable());

export const notifySchema = z.object({ slack: slack.optional(), webhook: webhook.optional() }).strict();

export type NotifyInput = z.infer<typeof notifySchema>;

/** Each channel from the environment's block when it says anything of it, else from the top level. */
export function resolveNotify(top: NotifyInput | undefined, environment: NotifyInput | undefined): NotifyConfig | undefined {
  const slack = environment?.slack !== undefined ? environment.slack : top?.slack;
  const webhook = environment?.webhook !== undefined ? environment.webhook : top?.webhook;
  if (!slack && !webhook) return undefined;
  return {
    slack: slack ? { webhook: slack.webhook, rooms: slack.rooms ?? {}, events: slack.events ?? [...NOTIFY_EVENTS] } : undefined,
    webhook: webhook ? { name: webhook.name, events: webhook.events ?? [...NOTIFY_EVENTS] } : undefined,
  };
}
