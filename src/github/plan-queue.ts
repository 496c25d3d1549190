/**
 * Auto-deploy planning runs one at a time per repository (two plannings of
 * one burst must not both create a deployment), and a commit whose planning
 * is already queued and not started is not queued again: a burst of check
 * runs on one commit plans twice at most, not once per check.
 */
export class PlanQueue {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly queued = new Set<string>();

  /** Returns false when the same repository and sha already wait. */
  schedule(repository: string, sha: string, plan: () => Promise<void>, failed: (error: unknown) => void): boolean {
    const key = `${repository}@${sha}`;
    if (this.queued.has(key)) return false;
    this.queued.add(key);
    const next = (this.chains.get(repository) ?? Promise.resolve())
      .then(() => {
        this.queued.delete(key);
        return plan();
      })
      .catch(failed);
    this.chains.set(repository, next);
    void next.then(() => {
      if (this.chains.get(repository) === next) this.chains.delete(repository);
    });
    return true;
  }
}
