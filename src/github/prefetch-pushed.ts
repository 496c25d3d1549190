/**
 * A push to a repository heaven has deployed before fetches the pushed
 * commit into its cache at once, in the background: the deployment that
 * usually follows (CI green, a person, auto-deploy) finds it there and starts
 * without a fetch. git's traffic does not count against the API rate limit;
 * a failed prefetch costs nothing, since the deployment fetches as before.
 */
import type { Workspaces } from "../engine/workspace.js";

interface PushedRepository {
  full_name: string;
  clone_url: string;
}

interface Log {
  debug: (fields: object, message: string) => void;
}

export function prefetchPushed(
  workspaces: Pick<Workspaces, "prefetch">,
  pushed: { repository: PushedRepository; sha: string },
  token: () => Promise<string | undefined>,
  log: Log,
): Promise<void> {
  const { full_name: repository, clone_url: cloneUrl } = pushed.repository;
  return workspaces.prefetch({ repository, cloneUrl, sha: pushed.sha, token }).then(
    (result) => log.debug({ repository, sha: pushed.sha, result }, "push: prefetched"),
    (error: unknown) => log.debug({ repository, sha: pushed.sha, error: String(error) }, "push: prefetch failed"),
  );
}
