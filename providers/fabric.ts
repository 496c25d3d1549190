/**
 * Runs the repository's fabfile with Fabric 2, from the checkout:
 * `fab -i <key> -H <hosts> <task> --branch-name=<ref>` by default, or the
 * configured `command` (Heaven's DEPLOY_COMMAND_FORMAT), expanded into argv
 * without a shell. The fabfile also gets BRANCH, SHA and DEPLOY_ENV.
 *
 * Fabric accepts any host key; heaven's providers/fabric/sitecustomize.py,
 * put on PYTHONPATH, makes its connections check heaven's known hosts and
 * refuse a host they do not vouch for.
 */
import { basename, dirname, isAbsolute, join } from "node:path";
import { z } from "zod";
import { defineProvider, type ProviderStep } from "../src/core/provider.js";
import type { DeploymentRequest } from "../src/core/request.js";
import { expandTemplate, templateArgs, unknownPlaceholders } from "./command-template.js";
import { deploymentEnv } from "./deployment-env.js";
import { narrowHosts, parseHost } from "./ssh/hosts.js";
import { shippedFile } from "./shipped-files.js";

const INSTALL = "apt-get install fabric";
const PLACEHOLDERS = ["environment", "task", "ref", "sha", "hosts"];
const DEFAULT_COMMAND = "fab %{task} --branch-name=%{ref}";
const DEFAULT_COMMAND_WITH_HOSTS = "fab -H %{hosts} %{task} --branch-name=%{ref}";

/** What is wrong with one command template, or undefined. */
function templateProblem(template: string): string | undefined {
  const [program] = templateArgs(template);
  if (program === undefined) return "must be a command, like fab -H %{hosts} %{task} --branch-name=%{ref}";
  if (program.includes("%{")) return "must start with the program to run, like fab, not a placeholder";
  const [unknown] = unknownPlaceholders(template, PLACEHOLDERS);
  if (unknown !== undefined) return `has an unknown placeholder %{${unknown}} (known: ${PLACEHOLDERS.map((name) => `%{${name}}`).join(" ")})`;
  return undefined;
}

const options = z
  .object({
    command: z
      .union([z.string(), z.array(z.string()).min(1)], { error: "must be a command line, or a list of them run in order" })
      .superRefine((value, ctx) => {
        const templates = typeof value === "string" ? [value] : value;
        templates.forEach((template, index) => {
          const problem = templateProblem(template);
          if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem, path: typeof value === "string" ? [] : [index] });
        });
      })
      .optional(),
    hosts: z
      .array(z.string().refine((entry) => parseHost(entry) !== undefined, { message: "must be host, user@host or user@host:port, like deploy@app1.example.com" }), {
        error: "must be a list of hosts, like [deploy@app1.example.com]",
      })
      .min(1, { message: "must list at least one host, like [deploy@app1.example.com]" })
      .optional(),
  })
  .strict();

type FabricOptions = z.infer<typeof options>;

/** Heaven's task as a fabfile names it: `deploy` stays, `deploy:migrate` is the task `migrate`. */
function fabTask(task: string): string {
  return task.startsWith("deploy:") ? task.slice("deploy:".length) : task;
}

function commandsOf(config: FabricOptions): string[] {
  if (config.command === undefined) return [config.hosts === undefined ? DEFAULT_COMMAND : DEFAULT_COMMAND_WITH_HOSTS];
  return typeof config.command === "string" ? [config.command] : config.command;
}

type Hosts = { ok: true; hosts: string[] | undefined } | { ok: false; message: string };

/** The configured hosts narrowed by hubot's filter; a filter with nothing configured to narrow is refused, not ignored. */
function hostsOf(config: FabricOptions, request: DeploymentRequest): Hosts {
  const wanted = request.hosts?.join(", ");
  if (config.hosts === undefined) {
    if (wanted === undefined) return { ok: true, hosts: undefined };
    return { ok: false, message: `the deployment asks for hosts ${wanted}, but fabric has no hosts in .github/heaven.yml to choose from; list them under hosts` };
  }
  const hosts = narrowHosts(config.hosts, request.hosts);
  if (hosts.length > 0) return { ok: true, hosts };
  return { ok: false, message: `no host matches ${wanted ?? ""} (configured hosts: ${config.hosts.join(", ")})` };
}

const programOf = (command: string) => templateArgs(command)[0] ?? "fab";

function stepName(program: string, task: string, index: number, count: number): string {
  return `${basename(program)} ${task}${count > 1 ? ` (command ${index + 1} of ${count})` : ""}`;
}

export const fabric = defineProvider({
  kind: "process",
  options,
  describe: ({ options: config, request }) => stepName(programOf(commandsOf(config)[0] ?? "fab"), fabTask(request.task), 0, 1),
  plan: ({ request, options: config, checkoutDir, ssh, env }) => {
    const hosts = hostsOf(config, request);
    if (!hosts.ok) return hosts;
    const commands = commandsOf(config);
    if (hosts.hosts === undefined && commands.some((command) => command.includes("%{hosts}"))) {
      return { ok: false, message: "the fabric command uses %{hosts}, but no hosts are configured; list them under hosts in .github/heaven.yml" };
    }
    const shim = shippedFile(checkoutDir, "fabric", "sitecustomize.py");
    if (!shim.ok) return shim;
    const task = fabTask(request.task);
    const values = { environment: request.environment, task, ref: request.ref, sha: request.sha, hosts: (hosts.hosts ?? []).join(",") };
    const processEnv = {
      ...env,
      ...deploymentEnv(request),
      ...(ssh.knownHostsFile === undefined ? {} : { DEPLOY_KNOWN_HOSTS_FILE: ssh.knownHostsFile }),
      // heaven's module first; the repository's own PYTHONPATH (its `env`) after it.
      PYTHONPATH: [dirname(shim.path), env.PYTHONPATH].filter((entry) => entry !== undefined && entry !== "").join(":"),
      // Fabric writes no .pyc by default; nor should heaven's module, in heaven's own tree.
      PYTHONDONTWRITEBYTECODE: "1",
      // Output in the order it happens, so the status quotes the fabfile's last word, not a late-flushed print.
      PYTHONUNBUFFERED: "1",
    };
    const steps: ProviderStep[] = [];
    for (const [index, command] of commands.entries()) {
      const expanded = expandTemplate(command, values);
      if (!expanded.ok) return expanded;
      const [program = "fab", ...args] = expanded.args;
      const isFab = basename(program) === "fab";
      // A relative path is the repository's; as such it is run (and checked) inside the checkout.
      const file = program.includes("/") && !isAbsolute(program) ? join(checkoutDir, program) : program;
      steps.push({
        name: stepName(program, task, index, commands.length),
        spec: { file, args: isFab && ssh.identityFile !== undefined ? ["-i", ssh.identityFile, ...args] : args, env: processEnv, cwd: checkoutDir },
        install: isFab ? INSTALL : `put ${program} on heaven's PATH`,
      });
    }
    return { ok: true, tracks: [{ steps }] };
  },
});
