/** One environment's settings, resolved from `.github/heaven.yml` and the payload (decisions/resolve-config). */

export interface DeploymentConfig {
  provider: string;
  script: string;
  timeoutSeconds: number;
  environmentUrl: string | undefined;
  /** undefined: every context reported on the commit must be green. */
  requiredContexts: string[] | undefined;
  /** Deploy the default branch's head here when its CI turns green. */
  autoDeploy: boolean;
  /** Seconds an explicit lock lasts unless its request says otherwise; undefined: until unlocked. */
  lockTtlSeconds: number | undefined;
  /** Seconds a deployment waits for pending CI before giving up. */
  ciTimeoutSeconds: number;
  /** Merge the default branch into a branch that is behind it before deploying. */
  mergeDefaultBranch: boolean;
  /** The provider's own keys, validated by its schema (the provider reads them typed). */
  options: Record<string, unknown>;
  /** Variables for the provider's processes, from the file (`env`). */
  env: Record<string, string>;
  /** Names of heaven's environment variables the provider's processes get, masked (`secrets`). */
  secrets: string[];
  /** How many hosts (tracks) run at once. */
  parallel: number;
}
