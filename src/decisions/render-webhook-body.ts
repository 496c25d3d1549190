/**
 * The JSON heaven's signed webhook posts for a deployment notice: the facts
 * in snake_case (the shape README documents; `version` changes only when a
 * field changes meaning), plus the event itself as the pipeline published it.
 * Pure.
 */
import type { NotifyEvent } from "../core/config.js";
import type { ProgressEvent } from "../core/events.js";
import type { Notice } from "./describe-notification.js";

export const WEBHOOK_BODY_VERSION = 1;

export interface WebhookBody {
  version: typeof WEBHOOK_BODY_VERSION;
  notification: NotifyEvent;
  state: Notice["state"];
  description: string;
  deployment: { id: string; repository: string; environment: string; ref: string; sha: string; task: string; by: string };
  duration_ms: number | null;
  log_url: string;
  environment_url: string | null;
  previous_sha: string | null;
  compare_url: string | null;
  event: ProgressEvent;
}

export function renderWebhookBody(notice: Notice, event: ProgressEvent): WebhookBody {
  return {
    version: WEBHOOK_BODY_VERSION,
    notification: notice.kind,
    state: notice.state,
    description: notice.description,
    deployment: {
      id: notice.deploymentId,
      repository: notice.repository,
      environment: notice.environment,
      ref: notice.ref,
      sha: notice.sha,
      task: notice.task,
      by: notice.by,
    },
    duration_ms: notice.durationMs ?? null,
    log_url: notice.logUrl,
    environment_url: notice.environmentUrl ?? null,
    previous_sha: notice.previousSha ?? null,
    compare_url: notice.links?.compare ?? null,
    event,
  };
}
