/**
 * Runs a script from the repository, as Heaven's shell provider did: the
 * script gets BRANCH, SHA, DEPLOY_ENV and DEPLOY_TASK, plus DEPLOYMENT_ID,
 * REPOSITORY and HOSTS. Values travel as environment variables, never through a shell.
 */
import { join } from "node:path";
import { z } from "zod";
import { defineProvider } from "../src/core/provider.js";
import { deploymentEnv } from "./deployment-env.js";

export const shell = defineProvider({
  kind: "process",
  // `script` is heaven's own key (it predates per-provider options).
  options: z.object({}).strict(),
  describe: ({ config }) => config.script,
  plan: ({ request, config, checkoutDir, env }) => ({
    ok: true,
    tracks: [
      {
        steps: [
          {
            name: config.script,
            spec: { file: join(checkoutDir, config.script), args: [], cwd: checkoutDir, env: { ...env, ...deploymentEnv(request) } },
          },
        ],
      },
    ],
  }),
});
