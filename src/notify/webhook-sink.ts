/**
 * The signed webhook sink, for chat systems other than Slack: a deployment's
 * start and end as JSON (render-webhook-body.ts), POSTed to one of heaven's
 * webhooks and signed `X-Heaven-Signature-256: sha256=<HMAC-SHA256 of the
 * body>` with that webhook's secret, the way GitHub signs its own. Sent in
 * the background; retries carry the same `X-Heaven-Delivery` id.
 */
import { createHmac, randomUUID } from "node:crypto";
import type { DeploymentEvent } from "../core/events.js";
import type { DeploymentJob } from "../core/job.js";
import { missingWebhooks, roomOf, webhookVariables } from "../decisions/choose-notify-target.js";
import { renderWebhookBody } from "../decisions/render-webhook-body.js";
import { urlSecrets, type AttemptAnswer, type Deliveries, type NotifyLog } from "./deliveries.js";
import type { NoticeTracker } from "./notice-tracker.js";
import { BackgroundSink } from "./notification-sink.js";

export const SIGNATURE_HEADER = "x-heaven-signature-256";

export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export class WebhookSink extends BackgroundSink {
  constructor(
    /** URL and secret by the URL's variable name, from heaven's environment. */
    private readonly webhooks: Readonly<Record<string, { url: string; secret: string }>>,
    tracker: NoticeTracker,
    deliveries: Deliveries,
    private readonly log: NotifyLog,
  ) {
    super(tracker, deliveries);
  }

  async publish(job: DeploymentJob, event: DeploymentEvent, logUrl: string): Promise<void> {
    const about = { repository: job.request.repository.fullName, environment: job.request.environment, deployment: job.request.id };
    if (event.type === "configured" && event.notify.webhook !== undefined) {
      const missing = missingWebhooks({ ...event.notify, slack: undefined }, roomOf(job), { slack: [], webhooks: Object.keys(this.webhooks) });
      for (const warning of missing) this.log.warn(about, `webhook: ${warning}`);
    }
    const followed = this.tracker.follow(job, event, logUrl);
    const settings = followed?.notify.webhook;
    if (followed === undefined || settings === undefined || !settings.events.includes(followed.notice.kind)) return;
    const variable = webhookVariables(settings.name).url;
    const target = this.webhooks[variable];
    if (target === undefined) return;
    const body = JSON.stringify(renderWebhookBody(followed.notice, followed.event));
    const headers = {
      "content-type": "application/json",
      "user-agent": "heaven",
      "x-heaven-event": followed.notice.kind,
      "x-heaven-delivery": randomUUID(),
      [SIGNATURE_HEADER]: signBody(body, target.secret),
    };
    this.deliveries.send({
      order: job.key,
      about: { ...about, channel: "webhook", webhook: variable, notification: followed.notice.kind },
      secrets: [...urlSecrets(target.url), target.secret],
      attempt: (signal) => post(target.url, body, headers, signal),
    });
  }
}

async function post(url: string, body: string, headers: Record<string, string>, signal: AbortSignal): Promise<AttemptAnswer> {
  // A redirect could lead the signed body anywhere: the operator's URL is the only address.
  const response = await fetch(url, { method: "POST", headers, body, redirect: "manual", signal });
  const text = await response.text().catch(() => "");
  if (response.ok) return { ok: true };
  return { ok: false, status: response.status, retryAfter: response.headers.get("retry-after") ?? undefined, message: `${response.status} ${text.slice(0, 200)}` };
}
