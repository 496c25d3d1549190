/**
 * Step: check the exact sha out of the cached clone and run the provider in
 * it, under the configured timeout, with the deployment's ssh files and the
 * variables its configuration asks for; the checkout and files are removed
 * afterwards, whatever happened. Every way a provider can end is an outcome.
 */
import type { DeploymentConfig } from "../../core/config.js";
import type { DeploymentOutcome } from "../../core/outcome.js";
import type { ApiProvider, DeploymentSource, Provider, ProviderContext, ProviderRegistry } from "../../core/provider.js";
import type { DeploymentRequest } from "../../core/request.js";
import type { DeploymentSources } from "../../core/sources.js";
import type { DeploymentLog } from "../../engine/deployment-log.js";
import { checkoutArchives } from "../../engine/archive.js";
import type { RunAs } from "../../engine/run-as.js";
import { prepareSsh, type SshSettings } from "../../engine/ssh-materials.js";
import type { Checkout, Workspaces } from "../../engine/workspace.js";
import type { StepTimings } from "../step-timings.js";
import { runTracks } from "./run-tracks.js";

export interface ProviderDeps {
  providers: ProviderRegistry;
  workspaces: Workspaces;
  /** PATH, HOME and whatever else the operator passes to providers. */
  baseEnv: Readonly<Record<string, string>>;
  killGraceMs?: number | undefined;
  /** DEPLOYMENT_PRIVATE_KEY and HEAVEN_KNOWN_HOSTS. */
  ssh?: SshSettings | undefined;
  /** heaven's own environment: where provider credentials and offered secrets are read. */
  hostEnv?: Readonly<Record<string, string>> | undefined;
  /** HEAVEN_SECRETS: the variables a repository's `secrets` may name. */
  offeredSecrets?: readonly string[] | undefined;
  /** What API providers call; the global fetch unless a test hands another. */
  fetch?: typeof fetch | undefined;
  /** HEAVEN_RUN_AS: the user provider processes run as. */
  runAs?: RunAs | undefined;
}

export interface ProviderRun {
  /** Aborted when heaven stops (or Ctrl-C on the command line): the process group is stopped. */
  signal: AbortSignal;
  /** Who stops it when `signal` aborts, for the status: "heaven's shutdown". */
  abortReason: string;
  /** A process group was started (journaled, so a crash cannot orphan it unnoticed). */
  processStarted: (pgid: number) => void;
}

/** Where the provider runs: the deployment's checkout (started early: see head-start.ts), and how long getting there took. */
export interface Workplace {
  checkout: () => Promise<Checkout>;
  timings: StepTimings;
}

export async function checkoutAndRun(
  request: DeploymentRequest,
  config: DeploymentConfig,
  sources: DeploymentSources,
  log: DeploymentLog,
  deps: ProviderDeps,
  run: ProviderRun & Workplace,
): Promise<DeploymentOutcome> {
  const provider = deps.providers[config.provider];
  if (provider === undefined) return { kind: "config-invalid", message: `provider "${config.provider}" is not known` };
  const env = secretEnv(config, deps, log);
  if (!env.ok) return { kind: "config-invalid", message: env.message };
  const checkout = await run.checkout();
  if (checkout.kind === "failed") return { kind: "checkout-failed", message: checkout.message };
  log.note(`started in ${run.timings.describe()}`);
  let ssh: Awaited<ReturnType<typeof prepareSsh>> | undefined;
  try {
    ssh = await prepareSsh(deps.ssh ?? { privateKey: undefined, knownHosts: undefined }, deps.runAs);
    const context: ProviderContext = {
      request,
      config,
      options: config.options,
      checkoutDir: checkout.dir,
      ssh: ssh.materials,
      env: { ...ssh.env, ...env.values },
    };
    const archives = checkoutArchives(checkout.dir, request.sha, deps.baseEnv);
    const source = { archive: archives.make, tarballUrl: async () => sources.tarballUrl?.(request.sha) };
    try {
      return await runProvider(provider, context, log, deps, { ...run, source });
    } finally {
      await archives.release();
    }
  } finally {
    await Promise.all([checkout.release(), ssh?.release()]);
  }
}

/** The configuration's `env`, and the secrets it names from heaven's environment (masked from here on). */
function secretEnv(config: DeploymentConfig, deps: ProviderDeps, log: DeploymentLog): { ok: true; values: Record<string, string> } | { ok: false; message: string } {
  const values: Record<string, string> = { ...config.env };
  for (const name of config.secrets) {
    if (!(deps.offeredSecrets ?? []).includes(name)) {
      return { ok: false, message: `secret ${name} is not offered by this heaven; its operator lists what repositories may use in HEAVEN_SECRETS` };
    }
    const value = deps.hostEnv?.[name];
    if (value === undefined || value === "") return { ok: false, message: `secret ${name} is not set in heaven's environment; ask its operator to set it` };
    log.addSecret(value);
    values[name] = value;
  }
  return { ok: true, values };
}

type SourcedRun = ProviderRun & { source: DeploymentSource };

async function runProvider(provider: Provider, context: ProviderContext, log: DeploymentLog, deps: ProviderDeps, run: SourcedRun): Promise<DeploymentOutcome> {
  const what = provider.describe(context);
  log.note(`running ${what}`);
  if (run.signal.aborted) return { kind: "aborted", reason: run.abortReason };
  if (provider.kind === "api") return runApiProvider(provider, context, what, log, deps, run);
  const plan = provider.plan(context);
  if (!plan.ok) return { kind: "config-invalid", message: plan.message };
  return runTracks(plan.tracks, what, log, {
    ...run,
    checkoutDir: context.checkoutDir,
    timeoutSeconds: context.config.timeoutSeconds,
    parallel: context.config.parallel,
    baseEnv: deps.baseEnv,
    killGraceMs: deps.killGraceMs,
    runAs: deps.runAs,
  });
}

async function runApiProvider(
  provider: ApiProvider,
  context: ProviderContext,
  what: string,
  log: DeploymentLog,
  deps: ProviderDeps,
  run: SourcedRun,
): Promise<DeploymentOutcome> {
  const { timeoutSeconds } = context.config;
  const timeout = AbortSignal.timeout(timeoutSeconds * 1000);
  const credentials: Record<string, string> = {};
  for (const name of [...(provider.variables ?? []), ...provider.credentials]) {
    const value = deps.hostEnv?.[name];
    if (value === undefined || value === "") continue;
    credentials[name] = value;
    if (provider.credentials.includes(name)) log.addSecret(value);
  }
  const started = Date.now();
  try {
    const signal = AbortSignal.any([timeout, run.signal]);
    const result = await provider.run(context, { signal, log, fetch: deps.fetch ?? fetch, credentials, source: run.source });
    // A provider's own words go to GitHub too: masked like the log.
    if (result.kind === "failed") return { kind: "provider-error", what, message: log.mask(result.message) };
    if (result.kind === "misconfigured") return { kind: "config-invalid", message: log.mask(`${what}: ${result.message}`) };
    if (result.release !== undefined) log.note(`release ${result.release.id}${result.release.url === undefined ? "" : `: ${result.release.url}`}`);
    return { kind: "succeeded", what, durationMs: Date.now() - started, release: result.release };
  } catch (error) {
    if (timeout.aborted) return { kind: "timed-out", what, timeoutSeconds, api: true };
    if (run.signal.aborted) return { kind: "aborted", reason: run.abortReason };
    return { kind: "provider-error", what, message: log.mask(error instanceof Error ? error.message : String(error)) };
  }
}
