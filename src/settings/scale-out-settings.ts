/**
 * Scale-out mode (README): the PostgreSQL queue shared by every heaven
 * process, and which part of heaven this process is.
 */
import { z } from "zod";
import { SettingsError } from "./settings-error.js";

/** all (webhooks, pages and deployments), server (webhooks and pages; enqueues only) or worker (runs deployments). */
export type HeavenRole = "all" | "server" | "worker";

export const scaleOutVariables = {
  DATABASE_URL: z.preprocess(
    (value) => (typeof value === "string" && value.trim() === "" ? undefined : value),
    z.url({ protocol: /^postgres(ql)?$/, message: "DATABASE_URL must be a postgres:// URL such as postgres://heaven:password@db.internal:5432/heaven" }).optional(),
  ),
  HEAVEN_ROLE: z
    .string()
    .optional()
    .transform((value, ctx): HeavenRole => {
      const role = value === undefined || value.trim() === "" ? "all" : value.trim();
      if (role === "all" || role === "server" || role === "worker") return role;
      ctx.addIssue({ code: "custom", message: `HEAVEN_ROLE must be all, server or worker, got "${value}"` });
      return z.NEVER;
    }),
};

/** A process that is only part of heaven shares the queue with the others, so it needs the database. */
export function checkRole(role: HeavenRole, databaseUrl: string | undefined): void {
  if (role !== "all" && databaseUrl === undefined) {
    throw new SettingsError(
      `HEAVEN_ROLE=${role} shares its queue with the other heaven processes through PostgreSQL: set DATABASE_URL (postgres://user:password@host:5432/heaven), or unset HEAVEN_ROLE for one process that does everything`,
    );
  }
}

/** The URL and its password (as written and decoded): no log shows either. */
export function databaseSecrets(url: string | undefined): string[] {
  if (url === undefined) return [];
  const password = new URL(url).password;
  if (password === "") return [url];
  let decoded = password;
  try {
    decoded = decodeURIComponent(password);
  } catch {
    // A stray "%" is taken as it is written.
  }
  return [url, password, decoded];
}
