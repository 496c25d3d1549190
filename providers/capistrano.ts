/**
 * Runs Capistrano 3 from the checkout with the repository's Capfile:
 * `cap <environment> <task>`, the environment being the stage
 * (config/deploy/<environment>.rb) and Heaven's task the cap task
 * (`deploy`, `deploy:migrate`). The Capfile gets BRANCH and SHA
 * (`set :branch, ENV["SHA"]`), and hubot's host filter as HOSTS, which
 * Capistrano applies itself. heaven's providers/capistrano/ssh_defaults.rb
 * gives SSHKit the deployment's key and known hosts and checks host keys.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { defineProvider, type ProcessSpec, type ProviderContext } from "../src/core/provider.js";
import type { DeploymentRequest } from "../src/core/request.js";
import { quoted } from "../src/decisions/check-request.js";
import { deploymentEnv } from "./deployment-env.js";
import { shippedFile } from "./shipped-files.js";

const CAPFILES = ["Capfile", "capfile", "Capfile.rb", "capfile.rb"];
/** A stage is a file name, config/deploy/<stage>.rb; nothing Rake reads as an option or a VAR=value. */
const STAGE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

const options = z.object({}).strict();

/** hubot's filter (a host equal to or starting with an entry) as a Capistrano HOSTS regexp; names only, users dropped. */
function hostsFilter(hosts: readonly string[]): string {
  const names = hosts.map((host) => host.replace(/^[^@]*@/, "").replace(/[.\\^$|?*+()[\]{}]/g, "\\$&"));
  return `^(?:${names.join("|")})`;
}

export type CapPlan = { ok: true; args: string[]; env: Record<string, string> } | { ok: false; message: string };

/** `cap`'s arguments and environment, shared with bundler_capistrano (which runs it through `bundle exec`). */
export function planCap(context: ProviderContext<unknown>, what: string): CapPlan {
  const { request, checkoutDir, ssh, env } = context;
  if (!CAPFILES.some((name) => existsSync(join(checkoutDir, name)))) {
    return { ok: false, message: `${what} needs a Capfile at the repository's root, and there is none at this commit; add one (cap install writes it)` };
  }
  if (!STAGE.test(request.environment)) {
    return { ok: false, message: `environment ${quoted(request.environment)} cannot be a Capistrano stage; use letters, digits, - _ . (config/deploy/<stage>.rb)` };
  }
  const defaults = shippedFile(checkoutDir, "capistrano", "ssh_defaults.rb");
  if (!defaults.ok) return defaults;
  return {
    ok: true,
    args: ["--require", defaults.path, request.environment, request.task],
    env: {
      ...env,
      ...deploymentEnv(request),
      ...(request.hosts === undefined ? {} : { HOSTS: hostsFilter(request.hosts) }),
      ...(ssh.identityFile === undefined ? {} : { DEPLOY_SSH_KEY_FILE: ssh.identityFile }),
      ...(ssh.knownHostsFile === undefined ? {} : { DEPLOY_KNOWN_HOSTS_FILE: ssh.knownHostsFile }),
    },
  };
}

export const describeCap = (request: DeploymentRequest) => `cap ${request.environment} ${request.task}`;

export const capistrano = defineProvider({
  kind: "process",
  options,
  describe: ({ request }) => describeCap(request),
  plan: (context) => {
    const name = describeCap(context.request);
    const cap = planCap(context, "cap");
    if (!cap.ok) return cap;
    const spec: ProcessSpec = { file: "cap", args: cap.args, env: cap.env, cwd: context.checkoutDir };
    return { ok: true, tracks: [{ steps: [{ name, spec, install: "apt-get install capistrano" }] }] };
  },
});
