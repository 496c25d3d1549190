/**
 * Runs the repository's Ansible playbook from the checkout:
 * `ansible-playbook <playbook> -i <inventory> -e <JSON> [--limit hosts]`.
 * The deployment reaches the playbook as extra vars heaven_sha, heaven_ref,
 * heaven_environment and heaven_task, in one JSON argv element and marked
 * unsafe, so neither a shell nor Jinja ever reads a ref as code. Host keys
 * are checked against heaven's known hosts, set through the environment,
 * which beats a repository's ansible.cfg.
 */
import { posix } from "node:path";
import { z } from "zod";
import { defineProvider } from "../src/core/provider.js";
import type { DeploymentRequest } from "../src/core/request.js";
import { shellQuote } from "../src/decisions/shell-quote.js";
import { deploymentEnv } from "./deployment-env.js";
import { connectHint } from "./ssh.js";

const INSTALL = "apt-get install ansible-core";
/** ansible-playbook's exit code when a host was unreachable. */
const UNREACHABLE = 4;

const repositoryPath = (example: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `is required: a path inside the repository, like ${example}` : undefined) })
    .refine((path) => path !== "" && !posix.isAbsolute(path) && !path.split(/[\\/]/).includes("..") && !path.startsWith("-"), {
      message: `must be a path inside the repository, like ${example}`,
    });

/** An inventory host as `-i a,b,` takes it: a name or address, maybe a port. */
const INVENTORY_HOST = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[0-9]{1,5})?$/;
/** A `--limit` entry: a host or group name (no `@`, which makes ansible read a file). */
const LIMIT_ENTRY = /^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/;

const options = z
  .object({
    playbook: repositoryPath("deploy.yml"),
    inventory: z
      .union([
        repositoryPath("inventory/production.ini"),
        z.array(z.string().regex(INVENTORY_HOST, { message: "must be a host name or address, maybe with :port, like app1.example.com" })).min(1),
      ])
      .optional(),
    verbosity: z.number().int().min(0).max(4).optional(),
  })
  .strict();

/** Extra vars as ansible's JSON reads them: `__ansible_unsafe` keeps a value from being templated (a ref of `{{ lookup('pipe', …) }}`). */
function extraVars(request: DeploymentRequest): string {
  const unsafe = (value: string) => ({ __ansible_unsafe: value });
  return JSON.stringify({
    heaven_sha: unsafe(request.sha),
    heaven_ref: unsafe(request.ref),
    heaven_environment: unsafe(request.environment),
    heaven_task: unsafe(request.task),
  });
}

/**
 * An ssh argument for ANSIBLE_SSH_ARGS, which ansible splits like a shell.
 * Plain ones stay bare: ansible strips quotes around a whole value, so the
 * value must not both start and end with one.
 */
function quotedIfNeeded(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : shellQuote(arg);
}

export const ansible = defineProvider({
  kind: "process",
  options,
  describe: ({ options: config }) => `ansible-playbook ${config.playbook}`,
  plan: ({ request, options: config, checkoutDir, ssh, env }) => {
    const odd = (request.hosts ?? []).find((host) => !LIMIT_ENTRY.test(host));
    if (odd !== undefined) return { ok: false, message: `host filter ${JSON.stringify(odd)} is not an inventory host or group name` };
    const inventory = config.inventory === undefined ? [] : ["-i", typeof config.inventory === "string" ? config.inventory : `${config.inventory.join(",")},`];
    const args = [
      ...inventory,
      "-e",
      extraVars(request),
      ...(request.hosts === undefined ? [] : [`--limit=${request.hosts.join(",")}`]),
      ...(ssh.identityFile === undefined ? [] : ["--private-key", ssh.identityFile]),
      ...(config.verbosity === undefined || config.verbosity === 0 ? [] : [`-${"v".repeat(config.verbosity)}`]),
      config.playbook,
    ];
    return {
      ok: true,
      tracks: [
        {
          steps: [
            {
              name: `ansible-playbook ${config.playbook}`,
              spec: {
                file: "ansible-playbook",
                args,
                cwd: checkoutDir,
                env: {
                  ...env,
                  ...deploymentEnv(request),
                  // Variables beat ansible.cfg, so the repository's file cannot turn these off.
                  ANSIBLE_HOST_KEY_CHECKING: "True",
                  // ssh takes an option's first value: these come before anything ansible adds (StrictHostKeyChecking=no included).
                  ANSIBLE_SSH_ARGS: ssh.sshArgs.map(quotedIfNeeded).join(" "),
                  ANSIBLE_SSH_EXECUTABLE: "ssh",
                  ANSIBLE_TRANSPORT: "ssh",
                  // An inventory that does not parse is an error, not a run on no hosts that "succeeds".
                  ANSIBLE_INVENTORY_UNPARSED_FAILED: "True",
                  ANSIBLE_NOCOLOR: "True",
                },
              },
              install: INSTALL,
              hints: { [UNREACHABLE]: connectHint("ansible") },
            },
          ],
        },
      ],
    };
  },
});
