/**
 * Whether heaven is ready to take traffic, from the results of its checks:
 * the answer /ready gives a load balancer or process manager. Pure: the
 * checks are made elsewhere (health-route.ts) and handed in with the clock.
 */

/** What heaven knows of GitHub from its own recent requests. */
export interface GitHubContact {
  /** Epoch ms of the last request GitHub answered (any HTTP status below 500). */
  lastAnsweredAt: number | undefined;
  /** Epoch ms of the last request that got no answer or a 5xx. */
  lastFailedAt: number | undefined;
}

export interface ReadinessInput {
  /** settings.ts read and validated heaven's environment (heaven does not start otherwise). */
  settingsLoaded: boolean;
  /** The deployer's start finished: the journal was replayed and the queue runs. */
  journalReplayed: boolean;
  /** Writing a small file into the data directory: undefined when it worked, else why not. */
  dataDirProblem: string | undefined;
  github: GitHubContact;
  now: number;
  /** How long without an answer after a failure before GitHub counts as unreachable. */
  githubWindowMs: number;
  /** `/ready?github=required`: an unreachable GitHub fails readiness instead of only being reported. */
  requireGitHub: boolean;
}

export interface CheckResult {
  ok: boolean;
  detail: string;
}

export interface Readiness {
  httpStatus: 200 | 503;
  body: { status: "ready" | "degraded" | "not ready"; checks: Record<"settings" | "journal" | "dataDir" | "github", CheckResult>; failed: string[] };
}

export function decideReadiness(input: ReadinessInput): Readiness {
  const checks = {
    settings: input.settingsLoaded ? ok("read and valid") : bad("heaven's settings are not loaded"),
    journal: input.journalReplayed ? ok("replayed; the queue runs") : bad("the journal is still being replayed; deployments start once it is"),
    dataDir: input.dataDirProblem === undefined ? ok("writable") : bad(`the data directory is not writable: ${input.dataDirProblem}`),
    github: judgeGitHub(input.github, input.now, input.githubWindowMs),
  };
  const essential = (["settings", "journal", "dataDir"] as const).filter((name) => !checks[name].ok);
  const failed: string[] = [...essential, ...(checks.github.ok ? [] : ["github"])];
  const blocking = essential.length > 0 || (input.requireGitHub && !checks.github.ok);
  const status = blocking ? "not ready" : failed.length > 0 ? "degraded" : "ready";
  return { httpStatus: blocking ? 503 : 200, body: { status, checks, failed } };
}

/**
 * One failed request among answered ones is a blip, not an outage: GitHub
 * counts as unreachable only when its last request failed and nothing was
 * answered for `windowMs`. No request yet: nothing says it is unreachable.
 */
export function judgeGitHub(contact: GitHubContact, now: number, windowMs: number): CheckResult {
  const { lastAnsweredAt, lastFailedAt } = contact;
  const ago = (at: number) => `${Math.round((now - at) / 1000)} s ago`;
  if (lastAnsweredAt === undefined && lastFailedAt === undefined) return ok("no request made yet since heaven started");
  if (lastFailedAt === undefined || (lastAnsweredAt !== undefined && lastAnsweredAt >= lastFailedAt)) return ok(`last request answered ${ago(lastAnsweredAt ?? now)}`);
  if (lastAnsweredAt !== undefined && now - lastAnsweredAt < windowMs) return ok(`a request failed ${ago(lastFailedAt)}; the one before was answered ${ago(lastAnsweredAt)}`);
  const since = lastAnsweredAt === undefined ? "no request answered since heaven started" : `last answer ${ago(lastAnsweredAt)}`;
  return bad(`GitHub did not answer: last request failed ${ago(lastFailedAt)}, ${since}`);
}

const ok = (detail: string): CheckResult => ({ ok: true, detail });
const bad = (detail: string): CheckResult => ({ ok: false, detail });
