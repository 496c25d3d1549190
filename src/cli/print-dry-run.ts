/** Prints `--dry-run`'s plan: the request checked as the pipeline would, the provider's commands, nothing run. */
import { providers } from "../../providers/index.js";
import type { DeploymentConfig } from "../core/config.js";
import type { DeploymentRequest } from "../core/request.js";
import { checkRequest } from "../decisions/check-request.js";
import { prepareSsh } from "../engine/ssh-materials.js";
import type { Settings } from "../settings.js";
import { renderDryRun } from "./dry-run.js";
import { EXIT } from "./exit-codes.js";

export interface DryRun {
  request: DeploymentRequest;
  config: DeploymentConfig;
  listed: boolean;
  source: string;
  settings: Settings;
}

export async function printDryRun({ request, config, listed, source, settings }: DryRun): Promise<number> {
  const checked = checkRequest(request, listed);
  if (!checked.ok) {
    console.error(`heaven: error: ${checked.message}`);
    return EXIT.error;
  }
  // The deploy key and known hosts files exist only while the plan is made, as in a real run.
  const ssh = await prepareSsh(settings.ssh);
  try {
    const lines = renderDryRun({ request, config, providers, ssh: { materials: ssh.materials, env: ssh.env }, configSource: source });
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    await ssh.release();
  }
  return EXIT.success;
}
