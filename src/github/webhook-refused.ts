/**
 * A webhook heaven cannot take now, thrown from a Probot handler: Probot's
 * webhook middleware answers with its `status` (503: too busy, 500: could
 * not write it down), GitHub records the delivery as failed, and heaven
 * asks GitHub for it again later (redeliver-missed.ts).
 */
export class WebhookRefused extends Error {
  constructor(
    readonly status: 500 | 503,
    message: string,
  ) {
    super(message);
    this.name = "WebhookRefused";
  }

  /** @octokit/webhooks attaches the whole event, payload and all, to a handler's error before Probot logs it: not to this one. */
  set event(_event: unknown) {}
}
