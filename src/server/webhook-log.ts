/**
 * The server's log in production (JSON: LOG_FORMAT=json, or NODE_ENV=
 * production without LOG_FORMAT): pino straight into an asynchronous
 * destination. Probot's own JSON logger writes asynchronously too, but
 * passes every line through a Transform stream on the way (about 8 ms of
 * main thread in a burst of 60 deployment webhooks), and logs the webhook
 * (payload and all) that @octokit/webhooks attaches to a handler's error:
 * left out here. Probot's LOG_LEVEL and LOG_MESSAGE_KEY apply; pretty logs
 * (development), LOG_LEVEL_IN_STRING and SENTRY_DSN leave the log to Probot
 * (undefined).
 */
import pino, { type DestinationStream } from "pino";
import type { Logger } from "probot";

const NOT_LOGGED = "[the webhook is not logged]";

export function webhookLog(env: NodeJS.ProcessEnv, destination?: DestinationStream): Logger | undefined {
  const format = env.LOG_FORMAT ? (env.LOG_FORMAT === "pretty" ? "pretty" : "json") : env.NODE_ENV === "production" ? "json" : "pretty";
  if (format !== "json" || env.LOG_LEVEL_IN_STRING === "true" || env.SENTRY_DSN) return undefined;
  const redact = { paths: ["err.event", "err.aggregateErrors[*].event"], censor: NOT_LOGGED };
  // An asynchronous destination of pino's own flushes what it still holds when the process exits.
  return pino({ name: "probot", level: env.LOG_LEVEL || "info", messageKey: env.LOG_MESSAGE_KEY || "msg", redact }, destination ?? pino.destination({ dest: 1, sync: false }));
}
