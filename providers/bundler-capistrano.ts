/**
 * Capistrano from the repository's own bundle, as Heaven's
 * bundler_capistrano ran it: `bundle install` of the Gemfile's :deployment
 * and :heaven groups only, then `bundle exec cap <environment> <task>` (see
 * capistrano.ts). Both go through heaven's
 * providers/bundler-capistrano/deployment_bundle.rb, which leaves every other
 * group out. A private gem source's credentials (Heaven's
 * BUNDLER_PRIVATE_SOURCE and BUNDLER_PRIVATE_CREDENTIALS) reach Bundler as
 * its BUNDLE_<HOST> variable: never argv, never a file.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { defineProvider, type ProcessSpec } from "../src/core/provider.js";
import { describeCap, planCap } from "./capistrano.js";
import { shippedFile } from "./shipped-files.js";

const INSTALL = "apt-get install ruby-bundler";
const HOST = /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;

type Credentials = { ok: true; env: Record<string, string> } | { ok: false; message: string };

/** Bundler's variable for a source host's credentials: `gems.my-co.com` is BUNDLE_GEMS__MY___CO__COM. */
function bundlerCredentialsVariable(host: string): string {
  return `BUNDLE_${host.replaceAll(".", "__").replaceAll("-", "___").toUpperCase()}`;
}

/**
 * BUNDLER_PRIVATE_SOURCE (a URL or host, from `env` or `secrets`) and
 * BUNDLER_PRIVATE_CREDENTIALS (`token` or `user:password`, from `secrets`
 * only: a file in the repository is no place for it).
 */
export function privateSourceEnv(env: Readonly<Record<string, string>>, fileEnv: Readonly<Record<string, string>>): Credentials {
  const source = env.BUNDLER_PRIVATE_SOURCE?.trim();
  const credentials = env.BUNDLER_PRIVATE_CREDENTIALS;
  if (credentials === undefined || credentials === "") return { ok: true, env: {} };
  if (fileEnv.BUNDLER_PRIVATE_CREDENTIALS !== undefined) {
    return { ok: false, message: "BUNDLER_PRIVATE_CREDENTIALS must not be written in .github/heaven.yml; have heaven's operator offer it (HEAVEN_SECRETS) and name it under secrets" };
  }
  if (source === undefined || source === "") {
    return { ok: false, message: "BUNDLER_PRIVATE_CREDENTIALS is set but BUNDLER_PRIVATE_SOURCE is not; set it to the gem source's URL, like https://gems.example.com" };
  }
  let host: string | undefined = source;
  if (source.includes("://")) {
    try {
      host = new URL(source).hostname;
    } catch {
      host = undefined;
    }
  }
  if (host === undefined || !HOST.test(host)) {
    return { ok: false, message: `BUNDLER_PRIVATE_SOURCE must be a gem source's URL or host name, like https://gems.example.com` };
  }
  return { ok: true, env: { [bundlerCredentialsVariable(host)]: credentials } };
}

export const bundlerCapistrano = defineProvider({
  kind: "process",
  options: z.object({}).strict(),
  describe: ({ request }) => `bundle exec ${describeCap(request)}`,
  plan: (context) => {
    const { checkoutDir, config, env, request } = context;
    if (!existsSync(join(checkoutDir, "Gemfile")) && !existsSync(join(checkoutDir, "gems.rb"))) {
      return { ok: false, message: "bundler_capistrano needs a Gemfile with capistrano in its :deployment group, and there is none at this commit" };
    }
    const cap = planCap(context, "bundler_capistrano");
    if (!cap.ok) return cap;
    const credentials = privateSourceEnv(env, config.env);
    if (!credentials.ok) return credentials;
    const bundle = shippedFile(checkoutDir, "bundler-capistrano", "deployment_bundle.rb");
    if (!bundle.ok) return bundle;
    const { BUNDLER_PRIVATE_CREDENTIALS: _carried, ...rest } = cap.env;
    const processEnv = { ...rest, ...credentials.env };
    const step = (args: string[]): ProcessSpec => ({ file: "ruby", args: [bundle.path, ...args], env: processEnv, cwd: checkoutDir });
    return {
      ok: true,
      tracks: [
        {
          steps: [
            { name: "bundle install", spec: step(["install"]), install: INSTALL },
            { name: `bundle exec ${describeCap(request)}`, spec: step(["exec", "cap", ...cap.args]), install: INSTALL },
          ],
        },
      ],
    };
  },
});
