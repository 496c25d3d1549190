/**
 * The environment variables heaven reads, checked and turned into values
 * in one place; `loadSettings` (src/settings.ts) makes Settings of them.
 */
import { z } from "zod";
import { parseDuration } from "../decisions/parse-duration.js";
import { parseByteSize } from "../engine/log-cap.js";
import { dashboardVariables } from "./dashboard-settings.js";
import { scaleOutVariables } from "./scale-out-settings.js";

const integer = (name: string, fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === "") return fallback;
      const number = Number(value);
      if (!/^\s*\d+\s*$/.test(value) || number < min || number > max) {
        ctx.addIssue({ code: "custom", message: `${name} must be a whole number from ${min} to ${max}, got "${value}"` });
        return z.NEVER;
      }
      return number;
    });

export const settingsSchema = z.object({
  PORT: integer("PORT", 3000, 0, 65535),
  HEAVEN_URL: z.url({ protocol: /^https?$/, message: "HEAVEN_URL must be an absolute http(s) URL" }).optional(),
  HEAVEN_DATA_DIR: z.string().optional(),
  HEAVEN_APPS: z.string().optional(),
  HEAVEN_CONCURRENCY: integer("HEAVEN_CONCURRENCY", 2, 1, 64),
  DEPLOYMENT_TIMEOUT: integer("DEPLOYMENT_TIMEOUT", 300, 1, 86_400),
  HEAVEN_LOG_SECRET: z.string().min(16, { message: "HEAVEN_LOG_SECRET must be at least 16 characters" }).optional(),
  HEAVEN_LOG_LINK_TTL: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === "") return undefined;
      const read = parseDuration(value.trim());
      if (read.kind === "duration") return read.seconds;
      ctx.addIssue({ code: "custom", message: `HEAVEN_LOG_LINK_TTL must be a duration such as 30d or 12h, got "${value}"${read.kind === "invalid" ? `: ${read.problem}` : ""}` });
      return z.NEVER;
    }),
  HEAVEN_LOG_MAX_BYTES: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const bytes = value === undefined || value.trim() === "" ? 50_000_000 : parseByteSize(value);
      if (bytes !== undefined && (bytes === 0 || bytes >= 1024)) return bytes;
      ctx.addIssue({ code: "custom", message: `HEAVEN_LOG_MAX_BYTES must be a size of at least 1KiB such as 50MB or 512KiB, or off, got "${value}"` });
      return z.NEVER;
    }),
  HEAVEN_LOG_RETENTION_DAYS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const text = value?.trim() ?? "";
      if (text === "") return 30;
      if (text === "off") return 0;
      if (/^\d+$/.test(text) && Number(text) <= 36_500) return Number(text);
      ctx.addIssue({ code: "custom", message: `HEAVEN_LOG_RETENTION_DAYS must be a whole number of days from 0 to 36500, or off (0 and off keep logs for ever), got "${value}"` });
      return z.NEVER;
    }),
  HEAVEN_PASS_ENV: z.string().optional(),
  HEAVEN_SHUTDOWN_GRACE: integer("HEAVEN_SHUTDOWN_GRACE", 600, 0, 86_400),
  HEAVEN_INGRESS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const ingress = value === undefined || value.trim() === "" ? "webhook" : value.trim();
      if (ingress === "webhook" || ingress === "poll") return ingress;
      ctx.addIssue({ code: "custom", message: `HEAVEN_INGRESS must be webhook or poll, got "${value}"` });
      return z.NEVER;
    }),
  HEAVEN_POLL_SECONDS: integer("HEAVEN_POLL_SECONDS", 5, 1, 3_600),
  WEBHOOK_SECRET: z.string().optional(),
  DEPLOYMENT_PRIVATE_KEY: z.string().optional(),
  HEAVEN_KNOWN_HOSTS: z.string().optional(),
  HEAVEN_SECRETS: z.string().optional(),
  HEAVEN_RUN_AS: z.string().optional(),
  ...dashboardVariables,
  HEAVEN_METRICS_TOKEN: z.preprocess(
    (value) => (typeof value === "string" && value.trim() === "" ? undefined : value),
    z.string().min(16, { message: "HEAVEN_METRICS_TOKEN must be at least 16 characters (or unset, for an open /metrics)" }).optional(),
  ),
  ...scaleOutVariables,
});

/** Every variable the schema reads (`.env.example` documents each: test/unit/env-example.test.ts). */
export const SETTINGS_VARIABLES: readonly string[] = Object.keys(settingsSchema.shape);
