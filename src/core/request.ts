/** A deployment as the core sees it, whoever asked for it (GitHub or the CLI). */
import type { DeploymentRecord } from "./record.js";

export interface DeploymentRequest {
  /** GitHub's deployment id, or a local id for the command line. */
  id: string;
  repository: {
    /** `owner/name`, or a local name for the command line. */
    fullName: string;
    cloneUrl: string;
  };
  environment: string;
  ref: string;
  sha: string;
  task: string;
  /** Skip the CI gate (hubot's `deploy!`). */
  force: boolean;
  /** hubot-deploy style `payload.config`, validated with the repository's file. */
  payloadConfig: unknown;
  creator: string;
  /** The sha the command that asked for it saw (a pull request's head): anything else was pushed after it. */
  expectedSha?: string | undefined;
  /** hubot-deploy's host filter (`deploy app to production/fe`): narrows the configured hosts. */
  hosts?: string[] | undefined;
  /** The repository's default branch, when known (locks and merges need it). */
  defaultBranch?: string | undefined;
  /** The deployment as GitHub records it; absent on the command line (no locks there). */
  record?: DeploymentRecord | undefined;
  /** Created by heaven's auto-deploy: a newer one waiting in the same lane supersedes it. */
  automatic?: boolean | undefined;
  /**
   * Contexts this deployment waits for when the configuration names none: set
   * after a merge to those the branch's own commit reported, because a fresh
   * merge commit has reported nothing yet and would otherwise count as green.
   */
  requiredContexts?: string[] | undefined;
}
