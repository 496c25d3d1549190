/**
 * heaven's own account on GitHub, `<app slug>[bot]`: the creator of the
 * deployments heaven makes. Asked of `GET /app` once (the App's own token);
 * while GitHub cannot say, undefined — heaven then believes nothing it would
 * have written itself — and asked again at the next deployment.
 */
export interface AppOctokit {
  request(route: "GET /app"): Promise<{ data: unknown }>;
}

export function ownLogin(appOctokit: () => Promise<AppOctokit>, onError: (error: unknown) => void): () => Promise<string | undefined> {
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
    return known;
  };
}
