/** Builds the core from settings; shared by the server and the command line. */
import { providers } from "../providers/index.js";
import { Deployer } from "./deploy/deployer.js";
import { ensureLogSecret } from "./engine/log-secret.js";
import type { Settings } from "./settings.js";

export async function createDeployer(settings: Settings): Promise<{ deployer: Deployer; logSecret: string }> {
  const logSecret = await ensureLogSecret(settings.dataDir, settings.logSecret);
  const deployer = new Deployer({
    dataDir: settings.dataDir,
    baseUrl: settings.baseUrl,
    logSecret,
    concurrency: settings.concurrency,
    defaultTimeoutSeconds: settings.defaultTimeoutSeconds,
    providers,
    baseEnv: settings.baseEnv,
    secrets: [...settings.secrets, logSecret],
  });
  return { deployer, logSecret };
}
