/**
 * POST /: the webhook address Probot's setup page registers when no
 * WEBHOOK_PROXY_URL is set (`<base>/`), while heaven listens at WEBHOOK_PATH
 * (`/api/github/webhooks`). An app registered from the setup page would
 * otherwise get a 404 for every webhook until someone edits its settings.
 * The same middleware answers both paths: signature check, intake, journal.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

type Middleware = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export function rootWebhookRoute(middlewareAt: (path: string) => Promise<Middleware>, webhookPath: string) {
  // WEBHOOK_PATH=/ is served by Probot's own middleware already.
  const atRoot = webhookPath === "/" ? undefined : middlewareAt("/");
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (atRoot === undefined || req.method !== "POST" || req.headers["x-github-event"] === undefined) return false;
    if (new URL(req.url ?? "/", "http://heaven.invalid").pathname !== "/") return false;
    return (await atRoot)(req, res);
  };
}
