import { describe, expect, it } from "@jest/globals";
import { webhookLog } from "../../src/server/webhook-log.js";

/** The log for `env`, written into an array of parsed lines. */
function logFor(env: NodeJS.ProcessEnv) {
  const lines: Array<Record<string, unknown>> = [];
  const log = webhookLog(env, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, lines };
}

describe("webhookLog", () => {
  it("is JSON in production (NODE_ENV=production, or LOG_FORMAT=json), at LOG_LEVEL, under LOG_MESSAGE_KEY", () => {
    const { log, lines } = logFor({ NODE_ENV: "production", LOG_LEVEL: "warn", LOG_MESSAGE_KEY: "message" });
    log?.info("not at warn");
    log?.warn("shown");
    expect(lines).toEqual([expect.objectContaining({ level: 40, name: "probot", message: "shown" })]);
    expect(logFor({ LOG_FORMAT: "json" }).log).toBeDefined();
  });

  it("leaves pretty logs, level names and Sentry to Probot", () => {
    expect(logFor({}).log).toBeUndefined();
    expect(logFor({ NODE_ENV: "production", LOG_FORMAT: "pretty" }).log).toBeUndefined();
    expect(logFor({ LOG_FORMAT: "json", LOG_LEVEL_IN_STRING: "true" }).log).toBeUndefined();
    expect(logFor({ LOG_FORMAT: "json", SENTRY_DSN: "https://key@sentry.example.com/1" }).log).toBeUndefined();
  });

  it("logs a handler's error without the webhook @octokit/webhooks attached to it", () => {
    const { log, lines } = logFor({ LOG_FORMAT: "json" });
    const event = { id: "guid-1", name: "status", payload: { secret: "PAYLOAD-VALUE" } };
    const handlerError = Object.assign(new Error("handler broke"), { event, status: 500 });
    log?.error(Object.assign(new AggregateError([handlerError], "handler broke"), { event }));
    log?.error(handlerError);
    expect(JSON.stringify(lines)).not.toContain("PAYLOAD-VALUE");
    expect(lines.map((line) => line.err)).toEqual([
      expect.objectContaining({ message: "handler broke", aggregateErrors: [expect.objectContaining({ status: 500 })] }),
      expect.objectContaining({ message: "handler broke", status: 500 }),
    ]);
  });
});
