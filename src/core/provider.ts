/**
 * What a provider is. Either it describes processes for heaven to run
 * (shell, Fabric, Capistrano, ssh…) as tracks of steps, or it talks to an API
 * itself (Heroku, Elastic Beanstalk) with the signal, log, fetch and
 * credentials it is handed. A provider never spawns a process, and declares
 * its own `.github/heaven.yml` keys as a zod schema.
 */
import type { z } from "zod";
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

/** Files heaven made for this deployment only (0600, removed afterwards), and the ssh options that use them. */
export interface SshMaterials {
  /** `DEPLOYMENT_PRIVATE_KEY` as a file; undefined when heaven has none. */
  identityFile: string | undefined;
  /** `HEAVEN_KNOWN_HOSTS` as a file; undefined when heaven has none (ssh then reads the user's own). */
  knownHostsFile: string | undefined;
  /** OpenSSH `-o`/`-i` arguments: batch mode, strict host key checking, the files above. */
  sshArgs: readonly string[];
}

export interface ProviderContext<Options = unknown> {
  request: DeploymentRequest;
  config: DeploymentConfig;
  /** The provider's own keys from `.github/heaven.yml`, parsed by its schema. */
  options: Options;
  /** The checkout of the deployment's sha, removed after the provider returns. */
  checkoutDir: string;
  ssh: SshMaterials;
  /** The configuration's `env` plus the secrets it names, for the provider's processes. */
  env: Readonly<Record<string, string>>;
}

/** One command of a provider: `name` is what a failure names ("git reset", "bundle install"). */
export interface ProviderStep {
  name: string;
  spec: ProcessSpec;
  /** How to get the executable when it is not installed, e.g. "apt-get install fabric". */
  install?: string;
  /** What the log tells the operator when the step exits with one of these codes (ssh's 255: it could not connect or log in). */
  hints?: Readonly<Record<number, string>>;
}

/**
 * Steps that run one after another. Tracks run side by side (a host each),
 * at most `config.parallel` at once; every line a track prints is prefixed
 * with its label, and a failure is named `label: step exited N`.
 */
export interface ProviderTrack {
  label?: string;
  steps: readonly ProviderStep[];
}

export type ProviderPlan = { ok: true; tracks: readonly ProviderTrack[] } | { ok: false; message: string };

export interface ProviderRelease {
  id: string;
  url?: string | undefined;
}

export type ApiProviderResult =
  | { kind: "succeeded"; release?: ProviderRelease | undefined }
  | { kind: "failed"; message: string }
  /** Heaven's side is not set up to run it (no bucket, no region): an `error`, not a failed deployment. */
  | { kind: "misconfigured"; message: string };

export interface ApiIo {
  signal: AbortSignal;
  log: LogSink;
  fetch: typeof fetch;
  /** The variables the provider declared (credentials and variables), as heaven's environment has them (absent ones left out). */
  credentials: Readonly<Record<string, string>>;
  /** The deployment's source, made by heaven (a provider never spawns). */
  source: DeploymentSource;
}

export interface DeploymentSource {
  /** The checkout as an archive file (`git archive` of the sha), removed with the deployment. */
  archive(format: "zip" | "tar.gz"): Promise<string>;
  /** GitHub's short-lived tarball link for the sha; undefined where there is no GitHub (the command line). */
  tarballUrl(): Promise<string | undefined>;
}

interface ProviderBase<Options> {
  /** The provider's keys (top level and per environment). Only these and heaven's own are accepted. */
  options: z.ZodObject<z.ZodRawShape> & z.ZodType<Options>;
  /**
   * Keys hubot-deploy's `payload.config` may fill when the file leaves them
   * open (Heaven read them from there). Anything that reaches a host or a
   * command line is file-only.
   */
  payloadKeys?: readonly string[];
  /** Old spellings of its keys, e.g. Heaven's `heroku_name` for `heroku_app`; the key itself wins. */
  aliases?: Readonly<Record<string, string>>;
  /** What the status names when it reports, e.g. `script/deploy`, `cap production deploy`. */
  describe(context: ProviderContext<Options>): string;
}

export interface ProcessProvider<Options = unknown> extends ProviderBase<Options> {
  kind: "process";
  plan(context: ProviderContext<Options>): ProviderPlan;
}

export interface ApiProvider<Options = unknown> extends ProviderBase<Options> {
  kind: "api";
  /** Variables of heaven's environment it reads that are secret (masked in every log and status). */
  credentials: readonly string[];
  /** Variables of heaven's environment it reads that are not secret (API addresses, bucket names): shown as they are. */
  variables?: readonly string[];
  run(context: ProviderContext<Options>, io: ApiIo): Promise<ApiProviderResult>;
}

export type Provider = ProcessProvider | ApiProvider;

export type ProviderRegistry = Readonly<Record<string, Provider>>;

/**
 * A provider with typed options, stored in the registry untyped: its
 * functions get the options back through its own schema (already validated
 * by the configuration, so this parse cannot fail on real input).
 */
export function defineProvider<Options>(provider: ProcessProvider<Options> | ApiProvider<Options>): Provider {
  const typed = <C extends ProviderContext>(context: C): ProviderContext<Options> => ({ ...context, options: provider.options.parse(context.options) });
  const describe = (context: ProviderContext) => provider.describe(typed(context));
  if (provider.kind === "process") return { ...provider, describe, plan: (context) => provider.plan(typed(context)) };
  return { ...provider, describe, run: (context, io) => provider.run(typed(context), io) };
}
