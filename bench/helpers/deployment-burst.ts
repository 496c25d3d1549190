/**
 * A burst of deployments through the fake GitHub: created first (stored,
 * not delivered), then all their `deployment` webhooks delivered at once;
 * when each final status arrived, and what the burst cost in requests.
 */
import type { FakeGitHub, RecordedRequest } from "../../test/helpers/fake-github.js";

export const FINAL_STATES = ["success", "failure", "error", "inactive"];

/** `count` deployments of `main`, round-robin over `environments`; their ids. */
export async function createDeployments(github: FakeGitHub, fullName: string, environments: readonly string[], count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const environment = environments[i % environments.length] as string;
    ids.push(await github.createDeployment({ fullName, ref: "main", environment, creator: { login: "bench" } }, { deliver: false }));
  }
  return ids;
}

export interface Burst {
  /** Epoch ms just before the first webhook went out. */
  startedAt: number;
  /** Deployment id → ms after `startedAt` its first final status was in. */
  finalAfter: Map<number, number>;
  /** Requests the fake GitHub got from the first webhook until the last final status. */
  requests: RecordedRequest[];
}

/** Delivers every deployment's webhook at once (in the order given) and waits for every final status. */
export async function deliverBurst(github: FakeGitHub, ids: readonly number[]): Promise<Burst> {
  const before = github.requests.length;
  const startedAt = Date.now();
  const finals = ids.map((id) => github.waitForFinalStatus(id).then(() => [id, Date.now() - startedAt] as const));
  await Promise.all(ids.map((id) => github.deliverDeployment(id)));
  const finalAfter = new Map(await Promise.all(finals));
  return { startedAt, finalAfter, requests: github.requests.slice(before) };
}

/** Writes (POST, PATCH, PUT, DELETE) against repositories: what the secondary limits count. */
export const writesOf = (requests: readonly RecordedRequest[]) => requests.filter((r) => r.method !== "GET" && r.path.startsWith("/repos/"));

/** Statuses the deployments got, by state, and how many got exactly one final status. */
export function statusTally(github: FakeGitHub, ids: readonly number[]): { byState: Map<string, number>; oneFinal: number } {
  const byState = new Map<string, number>();
  let oneFinal = 0;
  for (const id of ids) {
    const states = github.statusesOf(id).map((s) => s.state);
    for (const state of states) byState.set(state, (byState.get(state) ?? 0) + 1);
    if (states.filter((s) => FINAL_STATES.includes(s)).length === 1) oneFinal += 1;
  }
  return { byState, oneFinal };
}
