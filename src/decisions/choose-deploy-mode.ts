/**
 * Which `heaven deploy` the words ask for. Pure: the caller looks at the
 * disk, apps.yml and git; this decides. With -R: GitHub. An app name, an
 * existing path or a URL: local (an app name wins over a path of the same
 * name). Otherwise 1–2 words in a checkout whose origin is on GitHub: GitHub
 * on that origin. Anything else: an error that says what heaven looked for.
 */
export interface DeployFacts {
  repo: string | undefined;
  positionals: string[];
  /** Known app names, each with the environments it lists (empty: any). */
  apps: Record<string, string[]>;
  /** Where the app names came from, for messages: `./apps.yml`, or why there are none. */
  appsSource: string;
  /** The first word names something on disk. */
  isPath: boolean;
  /** The current directory is a git checkout whose origin is on GitHub. */
  githubOrigin: boolean;
}

export type DeployMode =
  | { mode: "github"; repo: string | undefined; environment: string; ref: string | undefined }
  | { mode: "local"; target: string; app: string | undefined; environment: string; ref: string | undefined }
  | { mode: "error"; message: string };

/** Clone URLs git takes: scheme://… or scp-like user@host:path. */
export function isUrl(word: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(word) || /^[\w.-]+@[\w.-]+:/.test(word);
}

function knownApps(facts: DeployFacts): string {
  const names = Object.keys(facts.apps);
  return names.length === 0 ? facts.appsSource : `apps in ${facts.appsSource}: ${names.join(", ")}`;
}

export function chooseDeployMode(facts: DeployFacts): DeployMode {
  const [first, second, third] = facts.positionals;
  if (first === undefined) return { mode: "error", message: "missing <app|path|url> and <environment>" };
  if (facts.repo !== undefined) {
    if (third !== undefined) return { mode: "error", message: `with -R ${facts.repo}, give <environment> [ref]: "${third}" is one word too many` };
    return { mode: "github", repo: facts.repo, environment: first, ref: second };
  }
  const app = Object.hasOwn(facts.apps, first) ? first : undefined;
  if (app !== undefined || facts.isPath || isUrl(first)) {
    if (second === undefined) {
      const environments = app === undefined ? [] : (facts.apps[app] ?? []);
      const hint = environments.length === 0 ? "" : ` (${app}'s environments: ${environments.join(", ")})`;
      return { mode: "error", message: `missing <environment>: heaven deploy ${first} <environment> [ref]${hint}` };
    }
    return { mode: "local", target: first, app, environment: second, ref: third };
  }
  if (facts.githubOrigin && third === undefined) return { mode: "github", repo: undefined, environment: first, ref: second };
  return {
    mode: "error",
    message:
      `"${first}" is not an app (${knownApps(facts)}), an existing path or a clone URL` +
      `${facts.githubOrigin ? "" : ", and this directory is not a checkout with a GitHub origin"}. ` +
      `Name ${/^[./~]/.test(first) ? "an existing path" : `a path (./${first})`}, a clone URL, or a GitHub repository with -R owner/repo.`,
  };
}
