/**
 * heaven's own account on GitHub, `<app slug>[bot]`: the creator of the
 * deployments heaven makes. Asked of `GET /app` once (the App's own token);
 * while GitHub cannot say, undefined (the deployment handler then answers
 * 503, so GitHub sends the webhook again), and asked again next time.
 */
import { z } from "zod";

const appSchema = z.object({ slug: z.string().min(1) });
export interface AppOctokit {
  request(route: "GET /app"): Promise<{ data: unknown }>;
}

/** The webhook waits on the answer, and GitHub gives up on a webhook after 10 s: past this, undefined. */
const WAIT_MS = 4_000;

export function ownLogin(appOctokit: () => Promise<AppOctokit>, onError: (error: unknown) => void, waitMs = WAIT_MS): () => Promise<string | undefined> {
  let known: Promise<string | undefined> | undefined;
  const ask = async (): Promise<string | undefined> => {
    const app = appSchema.safeParse((await (await appOctokit()).request("GET /app")).data);
    if (!app.success) throw new Error("GET /app answered without the App's slug");
    return `${app.data.slug}[bot]`;
  };
  return () => {
    known ??= ask().catch((error: unknown) => {
      onError(error);
      known = undefined;
      return undefined;
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, waitMs, undefined)));
    return Promise.race([known, late]).finally(() => clearTimeout(timer));
  };
}
