/**
 * heaven's own account on GitHub, `<app slug>[bot]`: the creator of the
 * deployments heaven makes. Asked of `GET /app` once (the App's own token);
 * while GitHub cannot say, undefined — heaven then believes nothing it would
 * have written itself — and asked again at the next deployment.
 */
export interface AppOctokit {
  request(route: "GET /app"): Promise<{ data: unknown }>;
}

/** The webhook waits on the answer: past this, the deployment is read as another app's (GitHub redelivers after 10 s). */
const WAIT_MS = 4_000;

export function ownLogin(appOctokit: () => Promise<AppOctokit>, onError: (error: unknown) => void, waitMs = WAIT_MS): () => Promise<string | undefined> {
  let known: Promise<string | undefined> | undefined;
  const ask = async (): Promise<string | undefined> => {
    const { data } = await (await appOctokit()).request("GET /app");
    const slug = typeof data === "object" && data !== null && "slug" in data && typeof data.slug === "string" ? data.slug : undefined;
    if (slug === undefined) throw new Error("GET /app answered without the App's slug");
    return `${slug}[bot]`;
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
