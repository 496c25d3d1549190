/**
 * Where a deployment's log lives on disk and the link that serves it. A link
 * carries an HMAC of the log's key, so whoever holds it can read the log and
 * nobody can guess another deployment's.
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

export function signLogKey(secret: string, key: string): string {
  return createHmac("sha256", secret).update(key).digest("hex");
}

export function verifyLogKey(secret: string, key: string, signature: string): boolean {
  const expected = Buffer.from(signLogKey(secret, key), "hex");
  const given = Buffer.from(signature, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function logUrl(baseUrl: string, secret: string, key: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/logs/${key}?sig=${signLogKey(secret, key)}`;
}
