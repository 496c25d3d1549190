/** `.env.example` offers every variable an operator sets: heaven's settings, and Probot's. */
import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SLACK_PREFIX, WEBHOOK_PREFIX } from "../../src/decisions/choose-notify-target.js";
import { SETTINGS_VARIABLES } from "../../src/settings.js";

const example = readFileSync(join(process.cwd(), ".env.example"), "utf8");
/** Names set or offered (commented out) in the file, `NAME=` at the start of a line. */
const offered = new Set([...example.matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]));

/** What Probot reads from the environment (node_modules/probot/lib) that an operator sets, and what its registration writes. */
const PROBOT = ["APP_ID", "PRIVATE_KEY", "PRIVATE_KEY_PATH", "WEBHOOK_SECRET", "GHE_HOST", "GHE_PROTOCOL", "PORT", "HOST", "LOG_LEVEL", "LOG_FORMAT",
  "LOG_LEVEL_IN_STRING", "LOG_MESSAGE_KEY", "SENTRY_DSN", "NODE_ENV", "WEBHOOK_PROXY_URL", "WEBHOOK_PATH", "GH_ORG", "GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"];

describe(".env.example", () => {
  it("offers every variable heaven's settings read", () => {
    expect(SETTINGS_VARIABLES.length).toBeGreaterThan(10);
    expect(SETTINGS_VARIABLES.filter((name) => !offered.has(name))).toEqual([]);
  });

  it("offers the variables Probot reads and its registration writes", () => {
    expect(PROBOT.filter((name) => !offered.has(name))).toEqual([]);
  });

  it("shows the notification webhooks by their prefixes", () => {
    expect([...offered].some((name) => name?.startsWith(SLACK_PREFIX))).toBe(true);
    expect([...offered].some((name) => name?.startsWith(WEBHOOK_PREFIX))).toBe(true);
  });

  it("parses as a .env file", async () => {
    const { parseEnv } = await import("node:util");
    expect(parseEnv(example)).toMatchObject({ PORT: "3000", LOG_LEVEL: "info" });
  });
});
