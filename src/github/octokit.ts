/**
 * Probot's Octokit with heaven's rate-limit policy: throttling stays on (it
 * spaces writes as GitHub asks), and a request hit by a rate limit is retried
 * twice before it fails and the deployment says so.
 */
import { ProbotOctokit } from "probot";

type LimitHandler = (retryAfter: number, options: { method: string; url: string }, octokit: { log: { warn: (msg: string) => void } }, retryCount: number) => boolean;

const retryTwice: LimitHandler = (retryAfter, options, octokit, retryCount) => {
  octokit.log.warn(`GitHub rate limit on ${options.method} ${options.url}; retry ${retryCount + 1} in ${retryAfter} s`);
  return retryCount < 2;
};

export const HeavenOctokit = ProbotOctokit.defaults((options: { throttle?: object }) => ({
  ...options,
  throttle: { ...options.throttle, onRateLimit: retryTwice, onSecondaryRateLimit: retryTwice },
}));
