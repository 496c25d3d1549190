/**
 * The link GitHub gives for a commit's tarball (`GET …/tarball/{ref}`
 * answers 302 with a short-lived URL that needs no token): what Heaven
 * handed Heroku as a build's source.
 */
import type { RequestApi } from "./deployments-api.js";

export async function getTarballUrl(api: RequestApi, target: { owner: string; repo: string }, sha: string): Promise<string> {
  const response = (await api.request("GET /repos/{owner}/{repo}/tarball/{ref}", { ...target, ref: sha, request: { redirect: "manual" } })) as {
    status: number;
    headers?: Record<string, string | undefined>;
  };
  const location = response.headers?.location;
  if (location === undefined || response.status < 300 || response.status >= 400) {
    throw new Error(`GitHub answered ${response.status} without a tarball link`);
  }
  return location;
}
