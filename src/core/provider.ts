/**
 * What a provider is. Either it describes a process for heaven to run
 * (shell, Fabric, Capistrano…) or it talks to an API itself (Heroku, Elastic
 * Beanstalk), honouring the abort signal and writing to the log sink. A
 * provider never spawns a process and only sees what it is handed.
 */
import type { DeploymentConfig } from "./config.js";
import type { LogSink } from "./log.js";
import type { DeploymentRequest } from "./request.js";

export interface ProcessSpec {
  file: string;
  args: readonly string[];
  /** The complete environment: nothing of heaven's own is inherited. */
  env: Readonly<Record<string, string>>;
  cwd: string;
}

export interface ProviderContext {
  request: DeploymentRequest;
  config: DeploymentConfig;
  /** The checkout of the deployment's sha, removed after the provider returns. */
  checkoutDir: string;
}

export type ApiProviderResult = { kind: "succeeded" } | { kind: "failed"; message: string };

export interface ProcessProvider {
  kind: "process";
  /** What the status names when it reports, e.g. `script/deploy`. */
  describe(context: ProviderContext): string;
  /** env here is only the provider's own variables; heaven adds PATH, HOME and the like. */
  command(context: ProviderContext): ProcessSpec;
}

export interface ApiProvider {
  kind: "api";
  describe(context: ProviderContext): string;
  run(context: ProviderContext, io: { signal: AbortSignal; log: LogSink }): Promise<ApiProviderResult>;
}

export type Provider = ProcessProvider | ApiProvider;

export type ProviderRegistry = Readonly<Record<string, Provider>>;
