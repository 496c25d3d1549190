/** `heaven deploy`: its grammar only; what it does is the handler's (local or GitHub mode). */
import type { Command } from "commander";

export interface DeployArgs {
  /** 1 to 3 words; what they mean depends on the mode (see the help's dispatch rule). */
  positionals: string[];
  repo?: string | undefined;
  apps?: string | undefined;
  hosts?: string[] | undefined;
  task?: string | undefined;
  force: boolean;
  dryRun: boolean;
  log?: string | undefined;
  wait: boolean;
  json: boolean;
}

const DISPATCH_HELP = `
Which mode:
  with -R owner/repo                     GitHub mode: <environment> [ref]; the server deploys
  <app> from apps.yml, an existing path  local mode: <app|path|url> <environment> [ref];
    or a clone URL                         heaven runs the provider here, no GitHub needed
  otherwise, 1-2 words in a git checkout GitHub mode on the checkout's origin
    whose origin is on GitHub
  An app name wins over a path of the same name: write ./name for the path.

Examples:
  heaven deploy hubot staging                  # an app of ./apps.yml
  heaven deploy ./hubot production v1.2 --dry-run
  heaven deploy git@git.example.com:ops/hubot.git production --hosts fe
  heaven deploy -R octo/hubot production --wait`;

/** `--hosts fe,db` or `--hosts fe --hosts db`: hubot-deploy's host filter. */
function collectHosts(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(",").map((host) => host.trim()).filter((host) => host !== "")];
}

export function addDeployCommand(program: Command, run: (args: DeployArgs) => Promise<void>): Command {
  return program
    .command("deploy")
    .summary("deploy an app, a repository path or URL, or a GitHub repository")
    .description("Deploys <ref> (default: the default branch) to <environment>.")
    .usage("[options] <app|path|url> <environment> [ref]\n       heaven deploy [options] [-R owner/repo] <environment> [ref]")
    .argument("<app|path|url|environment>", "an app of apps.yml, a repository path or clone URL; in GitHub mode the environment")
    .argument("[environment]", "the environment (local mode); in GitHub mode the ref")
    .argument("[ref]", "branch, tag or sha to deploy (local mode)")
    .option("-R, --repo <owner/repo>", "deploy through GitHub: create the deployment there, the server runs it")
    .option("--apps <file>", "the apps file (default: $HEAVEN_APPS, else ./apps.yml or ./apps.json)")
    .option("--hosts <pattern>", "only the configured hosts equal to or starting with <pattern> (comma-separated; ssh, fabric, capistrano, ansible, shell's $HOSTS)", collectHosts)
    .option("--task <task>", "DEPLOY_TASK: deploy (default) or deploy:<name>; a bare <name> means deploy:<name>")
    .option("--force", "deploy past CI and someone else's lock (GitHub mode); recorded in the log locally")
    .option("--dry-run", "print the resolved configuration and the commands, run nothing (local mode)")
    .option("--log <file>", "also write the deployment's log to <file> (local mode)")
    .option("--wait", "follow the deployment's statuses until it ends (GitHub mode)")
    .option("--json", "print JSON instead of text (GitHub mode)")
    .addHelpText("after", DISPATCH_HELP)
    .action(async (first: string, second: string | undefined, third: string | undefined, options: Record<string, unknown>) => {
      await run({
        positionals: [first, second, third].filter((word): word is string => word !== undefined),
        repo: options.repo as string | undefined,
        apps: options.apps as string | undefined,
        hosts: options.hosts as string[] | undefined,
        task: options.task as string | undefined,
        force: options.force === true,
        dryRun: options.dryRun === true,
        log: options.log as string | undefined,
        wait: options.wait === true,
        json: options.json === true,
      });
    });
}
