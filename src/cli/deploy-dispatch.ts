/** `heaven deploy`: gathers the facts the dispatch rule needs, then runs the local or the GitHub mode. */
import { existsSync } from "node:fs";
import { chooseDeployMode } from "../decisions/choose-deploy-mode.js";
import { resolveApp } from "../decisions/resolve-app.js";
import { applyDotEnv, loadSettings } from "../settings.js";
import { readAppsFile, type AppsFile } from "./apps-file.js";
import type { DeployArgs } from "./commands/deploy.js";
import { EXIT } from "./exit-codes.js";
import { githubOrigin } from "./git-origin.js";
import { deployOnGitHub } from "./github/commands.js";
import { localRepository } from "./local-sources.js";

function fail(message: string): number {
  console.error(`heaven: error: ${message}`);
  return EXIT.error;
}

/** owner/repo in apps.yml is a repository on GitHub (or GH_HOST): clone it from there. */
function cloneTarget(repository: string, env: NodeJS.ProcessEnv): string {
  if (!/^[\w.-]+\/[\w.-]+$/.test(repository) || existsSync(repository)) return repository;
  const host = (env.GH_HOST ?? "github.com").replace(/^https?:\/\//, "").replace(/\/.*$/, "");
  return `https://${host}/${repository}.git`;
}

export async function dispatchDeploy(args: DeployArgs): Promise<number> {
  applyDotEnv(process.env);
  const settings = loadSettings(process.env);
  let apps: AppsFile = { source: "-R was given", apps: {} };
  if (args.repo === undefined) {
    const read = readAppsFile(args.apps, settings.appsFile, process.cwd());
    if (!read.ok) return fail(read.message);
    apps = read.file;
  }
  const first = args.positionals[0];
  const isPath = first !== undefined && existsSync(first);
  const localish = args.repo !== undefined || isPath || (first !== undefined && Object.hasOwn(apps.apps, first));
  const mode = chooseDeployMode({
    repo: args.repo,
    positionals: args.positionals,
    apps: Object.fromEntries(Object.values(apps.apps).map((app) => [app.name, app.environments])),
    appsSource: apps.source,
    isPath,
    // Asked only when nothing else matched: a local deploy never waits on git here.
    githubOrigin: localish ? false : await githubOrigin(process.cwd(), process.env),
  });
  if (mode.mode === "error") return fail(mode.message);
  if (mode.mode === "github") {
    const localOnly = [args.dryRun ? "--dry-run" : undefined, args.log === undefined ? undefined : "--log"].filter((flag) => flag !== undefined);
    if (localOnly.length > 0) return fail(`${localOnly.join(" and ")} only ${localOnly.length > 1 ? "work" : "works"} in the local mode (heaven runs the provider); on GitHub the server runs it`);
    return deployOnGitHub({ repo: mode.repo, environment: mode.environment, ref: mode.ref, task: args.task, force: args.force, wait: args.wait, json: args.json, ...(args.hosts === undefined ? {} : { hosts: args.hosts }) });
  }
  let app;
  if (mode.app !== undefined) {
    const chosen = resolveApp({ apps: apps.apps, environmentsOf: (entry) => entry.environments, name: mode.app, environment: mode.environment, source: apps.source });
    if (!chosen.ok) return fail(chosen.message);
    app = chosen.app;
  }
  const { runLocalDeploy } = await import("./run-local-deploy.js");
  return runLocalDeploy({
    settings,
    repository: localRepository(app === undefined ? mode.target : cloneTarget(app.repository, process.env)),
    app: app === undefined ? undefined : { entry: app, source: apps.source },
    environment: mode.environment,
    ref: mode.ref,
    task: args.task,
    force: args.force,
    hosts: args.hosts,
    dryRun: args.dryRun,
    logCopy: args.log,
  });
}
