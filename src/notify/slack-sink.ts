/**
 * The Slack sink: a deployment's start and end, posted through one of
 * heaven's Slack incoming webhooks with @slack/webhook — the one the
 * repository names in `notify.slack`, or the one its hubot room maps to.
 * `publish` returns at once; the message is sent in the background.
 */
import { IncomingWebhook, IncomingWebhookHTTPError } from "@slack/webhook";
import type { DeploymentEvent } from "../core/events.js";
import type { DeploymentJob } from "../core/job.js";
import { chooseSlackWebhook, missingWebhooks, roomOf } from "../decisions/choose-notify-target.js";
import { renderSlackMessage } from "../decisions/render-slack-message.js";
import { urlSecrets, type AttemptAnswer, type Deliveries, type NotifyLog } from "./deliveries.js";
import type { NoticeTracker } from "./notice-tracker.js";
import { BackgroundSink } from "./notification-sink.js";

export class SlackSink extends BackgroundSink {
  constructor(
    /** URL by variable name, from heaven's environment. */
    private readonly webhooks: Readonly<Record<string, string>>,
    tracker: NoticeTracker,
    deliveries: Deliveries,
    private readonly log: NotifyLog,
  ) {
    super(tracker, deliveries);
  }

  async publish(job: DeploymentJob, event: DeploymentEvent, logUrl: string): Promise<void> {
    const about = { repository: job.request.repository.fullName, environment: job.request.environment, deployment: job.request.id };
    if (event.type === "configured" && event.notify.slack !== undefined) {
      const missing = missingWebhooks({ ...event.notify, webhook: undefined }, roomOf(job), { slack: Object.keys(this.webhooks), webhooks: [] });
      for (const warning of missing) this.log.warn(about, `slack: ${warning}`);
    }
    const followed = this.tracker.follow(job, event, logUrl);
    const slack = followed?.notify.slack;
    if (followed === undefined || slack === undefined || !slack.events.includes(followed.notice.kind)) return;
    const variable = chooseSlackWebhook(slack, roomOf(job));
    const url = this.webhooks[variable];
    if (url === undefined) return;
    const message = renderSlackMessage(followed.notice);
    this.deliveries.send({
      order: job.key,
      about: { ...about, channel: "slack", webhook: variable, notification: followed.notice.kind },
      secrets: urlSecrets(url),
      attempt: (signal) => post(url, message, signal),
    });
  }
}

/** One post; the fetch it is given keeps the answer's Retry-After, which @slack/webhook's errors leave out. */
async function post(url: string, message: ReturnType<typeof renderSlackMessage>, signal: AbortSignal): Promise<AttemptAnswer> {
  let retryAfter: string | undefined;
  const webhook = new IncomingWebhook(url, {
    fetch: async (input, init) => {
      const response = await fetch(input, { ...init, signal });
      retryAfter = response.headers.get("retry-after") ?? undefined;
      return response;
    },
  });
  try {
    await webhook.send(message);
    return { ok: true };
  } catch (error) {
    if (error instanceof IncomingWebhookHTTPError) return { ok: false, status: error.statusCode, retryAfter, message: `${error.statusCode} ${error.body.slice(0, 200)}` };
    throw error;
  }
}
