/**
 * GitHub's OAuth web flow on the web host (github.com, or GHE_HOST as GitHub
 * Enterprise Server serves it: `https://<host>/login/oauth/...`, not under
 * /api/v3): the page that asks the person, and the exchange of the code it
 * sends back for a user-to-server token. The token and the client secret
 * travel in request bodies only, never in a URL.
 */
import { z } from "zod";

export interface OAuthClient {
  /** GitHub's web address (log-meta-sink.ts `githubWebUrl`). */
  webUrl: string;
  clientId: string;
  clientSecret: string;
}

export type CodeExchange =
  | { kind: "token"; token: string; expiresInSeconds: number | undefined }
  /** GitHub's OAuth error: bad_verification_code (used, expired or forged), incorrect_client_credentials, redirect_uri_mismatch… */
  | { kind: "refused"; error: string; description: string | undefined };

const answerSchema = z.union([
  z.object({ access_token: z.string().min(1), expires_in: z.number().int().positive().optional() }),
  z.object({ error: z.string().min(1), error_description: z.string().optional() }),
]);

/** Where the browser goes to be asked; `redirectUri` must be the App's registered callback URL (or under it). */
export function authorizeUrl(client: Pick<OAuthClient, "webUrl" | "clientId">, redirectUri: string, state: string): string {
  const query = new URLSearchParams({ client_id: client.clientId, redirect_uri: redirectUri, state, allow_signup: "false" });
  return `${client.webUrl.replace(/\/+$/, "")}/login/oauth/authorize?${query.toString()}`;
}

export async function exchangeCode(client: OAuthClient, code: string, redirectUri: string, fetchImpl: typeof fetch = fetch): Promise<CodeExchange> {
  const response = await fetchImpl(`${client.webUrl.replace(/\/+$/, "")}/login/oauth/access_token`, {
    method: "POST",
    headers: { accept: "application/json", "content-type": "application/json", "user-agent": "heaven" },
    body: JSON.stringify({ client_id: client.clientId, client_secret: client.clientSecret, code, redirect_uri: redirectUri }),
    redirect: "error",
  });
  if (!response.ok) throw new Error(`GitHub answered ${response.status} to the sign-in's code exchange`);
  const answer = answerSchema.safeParse(await response.json().catch(() => undefined));
  if (!answer.success) throw new Error("GitHub's answer to the sign-in's code exchange was neither a token nor an OAuth error");
  if ("access_token" in answer.data) return { kind: "token", token: answer.data.access_token, expiresInSeconds: answer.data.expires_in };
  return { kind: "refused", error: answer.data.error, description: answer.data.error_description };
}
