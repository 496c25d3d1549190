/**
 * The notification sinks heaven adds beside GitHub's: Slack and the signed
 * webhook, sharing the record of what each environment last deployed.
 */
import { join } from "node:path";
import type { Settings } from "../settings.js";
import { DEFAULT_DELIVERY_POLICY, Deliveries, type DeliveryPolicy, type NotifyLog } from "./deliveries.js";
import { DeployedShas } from "./deployed-shas.js";
import { NoticeTracker } from "./notice-tracker.js";
import type { NotificationSink } from "./notification-sink.js";
import { SlackSink } from "./slack-sink.js";
import { WebhookSink } from "./webhook-sink.js";

export type { NotificationSink } from "./notification-sink.js";

export interface NotificationOptions {
  log: NotifyLog;
  /** GitHub's web address for links (log-meta-sink's `githubWebUrl`), or a bare host: `github.com`. */
  githubHost: string;
  now?: () => number;
  /** Tests retry faster than production does. */
  delivery?: Partial<DeliveryPolicy>;
}

/** Where the last deployed sha of each repository and environment is kept, in the data directory. */
export const DEPLOYED_SHAS_FILE = "deployed-shas.json";

export function notificationSinks(settings: Pick<Settings, "dataDir" | "notify">, options: NotificationOptions): NotificationSink[] {
  const now = options.now ?? Date.now;
  const deployed = DeployedShas.open(join(settings.dataDir, DEPLOYED_SHAS_FILE), (error) =>
    options.log.error({ err: error }, `notifications: ${DEPLOYED_SHAS_FILE} could not be read or written; compare links may be missing`),
  );
  const githubUrl = /^https?:\/\//.test(options.githubHost) ? options.githubHost : `https://${options.githubHost}`;
  const policy = { ...DEFAULT_DELIVERY_POLICY, ...options.delivery };
  const tracker = () => new NoticeTracker({ deployed, githubUrl, now });
  const deliveries = () => new Deliveries(policy, options.log, now);
  return [
    new SlackSink(settings.notify?.slack ?? {}, tracker(), deliveries(), options.log),
    new WebhookSink(settings.notify?.webhooks ?? {}, tracker(), deliveries(), options.log),
  ];
}
