/**
 * `npm start`: heaven's server. Reads settings once, builds the core, and
 * lets Probot run the HTTP server (with its setup page when the app is not
 * registered yet). On SIGTERM running deployments are stopped and reported.
 */
import { run } from "probot";
import { providers } from "../providers/index.js";
import { createDeployer } from "./create-deployer.js";
import { HeavenOctokit } from "./github/octokit.js";
import { heavenApp } from "./index.js";
import { loadSettings, SettingsError } from "./settings.js";

async function main(): Promise<void> {
  const settings = loadSettings(process.env);
  const { deployer, logSecret } = await createDeployer(settings);
  const app = heavenApp({
    deployer,
    dataDir: settings.dataDir,
    logSecret,
    knownProviders: Object.keys(providers),
    defaultTimeoutSeconds: settings.defaultTimeoutSeconds,
  });
  const server = await run(app, { Octokit: HeavenOctokit });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`heaven: ${signal}, stopping running deployments`);
    await deployer.stop();
    await server.stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((error: unknown) => {
  if (error instanceof SettingsError) {
    console.error(`heaven: invalid settings:\n${error.message}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
