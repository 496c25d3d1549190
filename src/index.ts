/** The Probot app: wires events and routes to heaven's core, nothing more. */
import type { ApplicationFunction } from "probot";
import type { Deployer } from "./deploy/deployer.js";
import { handleDeployment } from "./handlers/deployment.js";
import { logRoute } from "./server/log-route.js";

export interface HeavenAppOptions {
  deployer: Deployer;
  dataDir: string;
  logSecret: string;
}

export function heavenApp(options: HeavenAppOptions): ApplicationFunction {
  return (app, { addHandler }) => {
    addHandler(logRoute(options));
    app.on("deployment.created", handleDeployment(options.deployer));
  };
}
