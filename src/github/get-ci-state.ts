import type { CheckRun, CommitStatus } from "../core/ci.js";
/** Commit statuses and check runs on one sha: two reads, made in parallel. */

export interface CiApi {
  request(
    route: "GET /repos/{owner}/{repo}/commits/{ref}/status" | "GET /repos/{owner}/{repo}/commits/{ref}/check-runs",
    params: { owner: string; repo: string; ref: string; per_page: number; page: number; filter?: "latest" },
  ): Promise<{ data: unknown }>;
}

interface StatusPage {
  total_count: number;
  statuses: Array<{ context: string; state: string }>;
}
interface CheckRunPage {
  total_count: number;
  check_runs: Array<{ name: string; status: string; conclusion: string | null }>;
}

const PER_PAGE = 100;

async function allPages<T>(fetch: (page: number) => Promise<{ total: number; items: T[] }>): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; ; page++) {
    const batch = await fetch(page);
    items.push(...batch.items);
    if (batch.items.length < PER_PAGE || items.length >= batch.total) return items;
  }
}

export async function getCiState(
  api: CiApi,
  target: { owner: string; repo: string; sha: string },
): Promise<{ statuses: CommitStatus[]; checkRuns: CheckRun[] }> {
  const base = { owner: target.owner, repo: target.repo, ref: target.sha, per_page: PER_PAGE };
  const [statuses, checkRuns] = await Promise.all([
    allPages(async (page) => {
      const { data } = await api.request("GET /repos/{owner}/{repo}/commits/{ref}/status", { ...base, page });
      const body = data as StatusPage;
      return { total: body.total_count, items: body.statuses.map(({ context, state }) => ({ context, state })) };
    }),
    allPages(async (page) => {
      const { data } = await api.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", { ...base, page, filter: "latest" });
      const body = data as CheckRunPage;
      return {
        total: body.total_count,
        items: body.check_runs.map(({ name, status, conclusion }) => ({ name, status, conclusion })),
      };
    }),
  ]);
  return { statuses, checkRuns };
}
