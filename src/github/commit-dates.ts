/**
 * When deployed commits were made, for the dashboard's lead time: deployment
 * records do not carry it. Read with the person's own token (their rate
 * limit), one `GET /repos/{owner}/{repo}/commits/{sha}` per commit never
 * seen before — a commit's time never changes, so each is kept for good
 * (bounded). A commit GitHub cannot show is left out of lead time.
 */
import { isObject } from "../core/json.js";
import type { RepoTarget } from "./read-release-records.js";

export interface CommitApi {
  request(route: "GET /repos/{owner}/{repo}/commits/{ref}", params: { owner: string; repo: string; ref: string }): Promise<{ data: unknown }>;
}

const MAX_KEPT = 5_000;

export class CommitDates {
  private readonly kept = new Map<string, string | null>();

  /** sha → ISO 8601 commit time, for the shas GitHub could show; at most `max` new reads per call. */
  async of(api: CommitApi, target: RepoTarget, shas: Iterable<string>, max = 30): Promise<Map<string, string>> {
    const fullName = `${target.owner}/${target.repo}`.toLowerCase();
    const unique = [...new Set(shas)].filter((sha) => /^[0-9a-f]{40}$/.test(sha));
    const unknown = unique.filter((sha) => !this.kept.has(`${fullName}@${sha}`)).slice(0, max);
    await Promise.all(unknown.map(async (sha) => {
      const at = await api.request("GET /repos/{owner}/{repo}/commits/{ref}", { ...target, ref: sha }).then(({ data }) => committedAt(data), () => undefined);
      // A failed read is asked again next time; a commit without a date is remembered as such.
      if (at === undefined) return;
      if (this.kept.size >= MAX_KEPT) this.kept.clear();
      this.kept.set(`${fullName}@${sha}`, at);
    }));
    const dates = new Map<string, string>();
    for (const sha of unique) {
      const at = this.kept.get(`${fullName}@${sha}`);
      if (typeof at === "string") dates.set(sha, at);
    }
    return dates;
  }
}

function committedAt(data: unknown): string | null {
  const commit = isObject(data) && isObject(data.commit) ? data.commit : undefined;
  const committer = commit !== undefined && isObject(commit.committer) ? commit.committer : undefined;
  const date = committer !== undefined && typeof committer.date === "string" ? committer.date : undefined;
  return date === undefined || Number.isNaN(Date.parse(date)) ? null : date;
}
