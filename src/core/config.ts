/** Where a repository configures heaven, on its default branch. */
export const CONFIG_FILE = ".github/heaven.yml";

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
  /**
   * Who checks CI for deployments other clients create: `heaven` always
   * re-checks; `creation` trusts the check GitHub made when the deployment
   * was created; `auto` (default) trusts it for chat clients (a payload with
   * `notify`, as hubot-deploy sends), whose `deploy!` leaves no trace.
   */
  ciGate: "heaven" | "creation" | "auto";
  /** Who may deploy here from a pull-request comment. */
  deployers: { role: "write" | "maintain" | "admin"; teams: string[] };
  /** Pull requests from forks may be deployed from a comment. */
  allowForks: boolean;
  /** Seconds a deployment that meets someone else's lock waits for it to go; undefined: it is refused at once. */
  waitForUnlockSeconds: number | undefined;
  /** Who hears about deployments (Slack, the signed webhook); undefined: nobody. */
  notify: NotifyConfig | undefined;
}

/** The moments a notification can be sent for. */
export const NOTIFY_EVENTS = ["start", "success", "failure", "error"] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/**
 * `notify` in `.github/heaven.yml`. Webhooks are named, never given: their
 * URLs live in heaven's environment, so a repository cannot send anything to
 * an address of its choosing.
 */
export interface NotifyConfig {
  /** undefined `webhook`: HEAVEN_SLACK_WEBHOOK_URL; `rooms`: hubot-deploy's `payload.notify.room` → webhook name. */
  slack: { webhook: string | undefined; rooms: Record<string, string>; events: NotifyEvent[] } | undefined;
  /** The signed JSON webhook; undefined `name`: HEAVEN_NOTIFY_WEBHOOK_URL. */
  webhook: { name: string | undefined; events: NotifyEvent[] } | undefined;
}
