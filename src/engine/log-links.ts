/**
 * Where a deployment's log lives on disk and the link that serves it. A link
 * carries an HMAC of the log's key (and of its expiry, when it has one), so
 * whoever holds it can read that log until it expires, and nobody can guess
 * another deployment's or move the expiry.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { join } from "node:path";

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** A log key is `owner/repo/deployment-id`; each part must be a plain name. */
export function isLogKey(key: string): boolean {
  const parts = key.split("/");
  return parts.length === 3 && parts.every((part) => SEGMENT.test(part) && !part.includes(".."));
}

export function logKey(repositoryFullName: string, deploymentId: string): string {
  // Each part must pass isLogKey: plain characters, a letter or digit first, at most 100 long.
  const clean = (part: string) =>
    part.replace(/[^A-Za-z0-9._-]/g, "_").replace(/\.\.+/g, "_").replace(/^[._-]+/, "").slice(0, 100) || "x";
  const [owner = "_", repo = "_"] = repositoryFullName.split("/");
  return `${clean(owner)}/${clean(repo)}/${clean(deploymentId)}`;
}

export function logFilePath(dataDir: string, key: string): string {
  return join(dataDir, "logs", `${key}.log`);
}

/** Beside the log: what the page shows about the deployment (engine/log-meta-sink.ts writes it). */
export function logMetaPath(dataDir: string, key: string): string {
  return join(dataDir, "logs", `${key}.meta.json`);
}

/**
 * `expiresAt`: epoch seconds. A link without one signs the key alone, as
 * links did before expiry existed, so those keep verifying. (A key never
 * holds a line break: the two forms cannot collide.)
 */
export function signLogKey(secret: string, key: string, expiresAt?: number): string {
  const hmac = createHmac("sha256", secret).update(key);
  if (expiresAt !== undefined) hmac.update(`\nexp=${expiresAt}`);
  return hmac.digest("hex");
}

export function verifyLogKey(secret: string, key: string, signature: string, expiresAt?: number): boolean {
  const expected = Buffer.from(signLogKey(secret, key, expiresAt), "hex");
  const given = Buffer.from(signature, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function logUrl(baseUrl: string, secret: string, key: string, expiresAt?: number): string {
  const expiry = expiresAt === undefined ? "" : `exp=${expiresAt}&`;
  return `${baseUrl.replace(/\/+$/, "")}/logs/${key}?${expiry}sig=${signLogKey(secret, key, expiresAt)}`;
}

export type LogLinkCheck = { kind: "valid"; expiresAt: number | undefined } | { kind: "forged" };

/** A link's `sig` and `exp` as they came in a query string. */
export function checkLogLink(secret: string, key: string, query: URLSearchParams): LogLinkCheck {
  const exp = query.get("exp");
  if (exp !== null && !/^\d{1,12}$/.test(exp)) return { kind: "forged" };
  const expiresAt = exp === null ? undefined : Number(exp);
  return verifyLogKey(secret, key, query.get("sig") ?? "", expiresAt) ? { kind: "valid", expiresAt } : { kind: "forged" };
}

/**
 * When a valid link stops opening, epoch ms (undefined: never). A link with
 * `exp` ends then. One without it was made before HEAVEN_LOG_LINK_TTL was
 * set: with a TTL it ends TTL after its log was last written, as if it had
 * been given one with the deployment's last status; without a TTL, never.
 */
export function linkEndsAt(expiresAt: number | undefined, ttlSeconds: number | undefined, logUpdatedAt: number): number | undefined {
  if (expiresAt !== undefined) return expiresAt * 1000;
  return ttlSeconds === undefined ? undefined : logUpdatedAt + ttlSeconds * 1000;
}
