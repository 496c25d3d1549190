/**
 * A deployment record created as a person (the command line's and the
 * dashboard's verbs, with the person's own token), and GitHub's own words
 * when it refuses: the person sees what GitHub decided, not Octokit's wrapping.
 */
import type { ProbotOctokit } from "probot";
import { isObject } from "../core/json.js";
import { describeGitHubError } from "./describe-github-error.js";

type RequestOctokit = Pick<InstanceType<typeof ProbotOctokit>, "request">;

/** POST …/deployments: the new id, or GitHub's own words for why not. */
export async function createRecord(octokit: RequestOctokit, params: Record<string, unknown>): Promise<{ ok: true; id: number } | { ok: false; message: string }> {
  try {
    const { status, data } = (await octokit.request("POST /repos/{owner}/{repo}/deployments", params as never)) as { status: number; data: unknown };
    if (status === 201 && isObject(data) && typeof data.id === "number") return { ok: true, id: data.id };
    const said = isObject(data) && typeof data.message === "string" ? data.message : `HTTP ${status}`;
    return { ok: false, message: `GitHub did not create the deployment: ${said}` };
  } catch (error) {
    return { ok: false, message: `GitHub did not create the deployment: ${gitHubMessage(error)}` };
  }
}

/** GitHub's `message` (409 "Conflict: Commit status checks failed for main.") rather than Octokit's wrapping, where there is one. */
export function gitHubMessage(error: unknown): string {
  const response = isObject(error) && isObject(error.response) ? error.response : undefined;
  const data = response !== undefined && isObject(response.data) ? response.data : undefined;
  const status = isObject(error) && typeof error.status === "number" ? error.status : undefined;
  if (data !== undefined && typeof data.message === "string") return `${data.message} (HTTP ${status ?? "?"})`;
  return describeGitHubError(error);
}
