/**
 * How GitHub's events keep reaching heaven beyond the webhook itself. With
 * webhooks (the default), missed deliveries are asked for again; with no
 * inbound traffic (`HEAVEN_INGRESS=poll`), the App's delivery log is polled
 * and each delivery handed to the same handlers (Probot's `receive`).
 */
import { join } from "node:path";
import type { Probot } from "probot";
import type { Repeating } from "../engine/every.js";
import { PollCursorFile } from "./poll-cursor.js";
import { startPolling, type DeliveryLogApi } from "./poll-deliveries.js";
import { startRedelivery, type AppDeliveriesApi } from "./redeliver-missed.js";

export async function startIngress(app: Probot, options: { ingress: "webhook" | "poll"; pollSeconds: number; dataDir: string }): Promise<Repeating> {
  if (options.ingress === "webhook") {
    return startRedelivery(async () => (await app.auth()) as unknown as AppDeliveriesApi, { log: app.log });
  }
  const { cursor, skipped } = await PollCursorFile.open(join(options.dataDir, "poll-cursor.jsonl"));
  for (const line of skipped) app.log.error(`poll cursor: ${line}`);
  const polling = startPolling(async () => (await app.auth()) as unknown as DeliveryLogApi, (event) => app.receive(event as Parameters<Probot["receive"]>[0]), {
    cursor,
    intervalMs: options.pollSeconds * 1000,
    log: app.log,
  });
  return {
    stop: async () => {
      await polling.stop();
      await cursor.close();
    },
  };
}
