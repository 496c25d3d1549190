/**
 * What a signed-in person may see, asked of GitHub with their own
 * user-to-server token: who they are, and the repositories of this App's
 * installations they can access (`GET /user/installations`, then each
 * installation's repositories) — GitHub decides, heaven only lists.
 */
import { ProbotOctokit } from "probot";
import { isObject } from "../core/json.js";

export type UserOctokit = InstanceType<typeof ProbotOctokit>;

export interface UserRepository {
  /** `owner/name`. */
  fullName: string;
  owner: string;
  name: string;
  private: boolean;
  installationId: number;
}

const quiet = () => undefined;

/** An Octokit acting as the person; it logs nothing (its messages could name the request). */
export function createUserOctokit(apiBaseUrl: string, token: string): UserOctokit {
  return new ProbotOctokit({
    auth: { token },
    baseUrl: apiBaseUrl,
    userAgent: "heaven-dashboard",
    log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    // A person's few reads need no spacing; their own rate limit applies.
    throttle: { enabled: false },
  });
}

export async function getUserLogin(octokit: Pick<UserOctokit, "request">): Promise<string> {
  const { data } = await octokit.request("GET /user");
  if (!isObject(data) || typeof data.login !== "string" || data.login === "") throw new Error("GitHub's GET /user named no login");
  return data.login;
}

/**
 * Repositories of this App's installations the person can access, sorted by
 * name. `appId` (APP_ID): installations of any other app are left out, for a
 * token that is not one of this App's.
 */
export async function listUserRepositories(octokit: Pick<UserOctokit, "paginate">, appId: number | undefined): Promise<UserRepository[]> {
  const installations = await octokit.paginate("GET /user/installations", { per_page: 100 });
  const ours = installations.filter((installation) => appId === undefined || installation.app_id === appId);
  const repositories: UserRepository[] = [];
  for (const installation of ours) {
    const listed = await octokit.paginate("GET /user/installations/{installation_id}/repositories", { installation_id: installation.id, per_page: 100 });
    for (const repository of listed) {
      repositories.push({ fullName: repository.full_name, owner: repository.owner.login, name: repository.name, private: repository.private, installationId: installation.id });
    }
  }
  return repositories.sort((a, b) => a.fullName.localeCompare(b.fullName));
}
