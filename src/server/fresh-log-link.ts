/**
 * A log link that opens now: a deployment's status carries the link heaven
 * signed when it posted it, which may have expired (HEAVEN_LOG_LINK_TTL).
 * A link to heaven's own log page for this very deployment is signed again
 * with a fresh expiry; any other link is passed on as GitHub holds it.
 */
import { isLogKey, logKey, logUrl } from "../engine/log-links.js";

export interface FreshLinkContext {
  fullName: string;
  deploymentId: number;
  secret: string;
  ttlSeconds: number | undefined;
  /** Epoch ms. */
  now: number;
}

export function freshLogLink(link: string, context: FreshLinkContext): string {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return link;
  }
  const match = /^(.*)\/logs\/([^?#]+)$/.exec(url.pathname);
  const key = logKey(context.fullName, String(context.deploymentId));
  if (match === null || match[2] !== key || !isLogKey(key) || !url.searchParams.has("sig")) return link;
  const expiresAt = context.ttlSeconds === undefined ? undefined : Math.floor(context.now / 1000) + context.ttlSeconds;
  return logUrl(`${url.origin}${match[1] ?? ""}`, context.secret, key, expiresAt);
}
