/**
 * Heaven's default with no tool in between: on every host, in `deploy_to`,
 * `git fetch`, `git reset --hard <sha>`, then the configured restart; a
 * track per host, over ssh with heaven's key and known hosts. The remote
 * command is a shell string on the host, so it holds only configuration and
 * the hex sha, each quoted: nothing of the payload (ref, environment, task)
 * ever reaches it.
 */
import { posix } from "node:path";
import { z } from "zod";
import { defineProvider, type ProviderStep } from "../src/core/provider.js";
import { isFullSha } from "../src/core/sha.js";
import { shellQuote } from "../src/decisions/shell-quote.js";
import { deploymentEnv } from "./deployment-env.js";
import { isSshUser, narrowHosts, parseHost } from "./ssh/hosts.js";

const INSTALL = "apt-get install openssh-client";

/** ssh exits 255 when it could not connect or log in; otherwise the remote command's code passes through. */
const SSH_FAILED = 255;
/** What the log tells the operator when `tool` could not reach a host. */
export const connectHint = (tool: string) =>
  `${tool} could not connect or log in: check that the host is up and reachable from heaven, that HEAVEN_KNOWN_HOSTS holds its current host key (update HEAVEN_KNOWN_HOSTS if the key changed) and that DEPLOYMENT_PRIVATE_KEY may log in there`;

const CONTROL = /[\u0000-\u001f\u007f]/;
const required = (what: string) => (issue: { input: unknown }) => (issue.input === undefined ? `is required: ${what}` : undefined);

const options = z
  .object({
    hosts: z
      .array(
        z.string().refine((entry) => parseHost(entry) !== undefined, { message: "must be host, user@host or user@host:port, like deploy@app1.example.com:22" }),
        { error: (issue) => `${issue.input === undefined ? "is required" : "must be a list"}: the hosts to deploy to, like [deploy@app1.example.com]` },
      )
      .min(1, { message: "must list at least one host, like [deploy@app1.example.com]" }),
    deploy_to: z
      .string({ error: required("the absolute path of the checkout on the hosts, like /srv/app") })
      .refine((path) => posix.isAbsolute(path) && !CONTROL.test(path), { message: "must be an absolute path on the hosts, like /srv/app" }),
    restart: z
      .string()
      .refine((command) => command.trim() !== "" && !CONTROL.test(command), {
        message: "must be one command line (join commands with &&, or put them in a script in the repository)",
      })
      .optional(),
    user: z.string().refine(isSshUser, { message: "must be a user name, like deploy" }).optional(),
  })
  .strict();

type SshOptions = z.infer<typeof options>;

/** The remote commands, named as a failure names them; run with `cd deploy_to &&` in front. */
function remoteCommands(config: SshOptions, sha: string): Array<{ name: string; command: string }> {
  const inCheckout = (command: string) => `cd ${shellQuote(config.deploy_to)} && ${command}`;
  return [
    { name: "git fetch", command: inCheckout("git fetch --quiet") },
    { name: "git reset", command: inCheckout(`git reset --hard ${shellQuote(sha)}`) },
    // The repository's own configuration (default branch), so trusted as a command.
    ...(config.restart === undefined ? [] : [{ name: "restart", command: inCheckout(config.restart) }]),
  ];
}

/** `user@name` and `-p port` for ssh's argv; the entry was validated by the schema. */
function destination(entry: string, defaultUser: string | undefined): string[] {
  const host = parseHost(entry);
  if (host === undefined) throw new Error(`ssh provider: ${entry} is not a host entry`);
  const user = host.user ?? defaultUser;
  return [...(host.port === undefined ? [] : ["-p", String(host.port)]), user === undefined ? host.name : `${user}@${host.name}`];
}

export const ssh = defineProvider({
  kind: "process",
  options,
  describe: ({ options: config, request }) => {
    const hosts = narrowHosts(config.hosts, request.hosts);
    return `ssh to ${hosts.length === 1 ? hosts[0] : `${hosts.length} hosts`}`;
  },
  plan: ({ request, options: config, checkoutDir, ssh: materials, env }) => {
    if (!isFullSha(request.sha)) return { ok: false, message: `${JSON.stringify(request.sha)} is not a commit sha` };
    const hosts = narrowHosts(config.hosts, request.hosts);
    if (hosts.length === 0) {
      return { ok: false, message: `no host matches ${(request.hosts ?? []).join(", ")} (configured hosts: ${config.hosts.join(", ")})` };
    }
    const commands = remoteCommands(config, request.sha);
    const processEnv = { ...env, ...deploymentEnv(request) };
    return {
      ok: true,
      tracks: hosts.map((host) => ({
        label: host,
        steps: commands.map(
          ({ name, command }): ProviderStep => ({
            name,
            // `--`: whatever follows is the remote command, never an option.
            spec: { file: "ssh", args: [...materials.sshArgs, ...destination(host, config.user), "--", command], env: processEnv, cwd: checkoutDir },
            install: INSTALL,
            hints: { [SSH_FAILED]: connectHint("ssh") },
          }),
        ),
      })),
    };
  },
});
