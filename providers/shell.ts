/**
 * Runs a script from the repository, as Heaven's shell provider did: the
 * script gets BRANCH, SHA, DEPLOY_ENV and DEPLOY_TASK, plus DEPLOYMENT_ID and
 * REPOSITORY. Values travel as environment variables, never through a shell.
 */
import { join } from "node:path";
import type { ProcessProvider } from "../src/core/provider.js";

export const shell: ProcessProvider = {
  kind: "process",
  describe: ({ config }) => config.script,
  command: ({ request, config, checkoutDir }) => ({
    file: join(checkoutDir, config.script),
    args: [],
    cwd: checkoutDir,
    env: {
      BRANCH: request.ref,
      SHA: request.sha,
      DEPLOY_ENV: request.environment,
      DEPLOY_TASK: request.task,
      DEPLOYMENT_ID: request.id,
      REPOSITORY: request.repository.fullName,
    },
  }),
};
