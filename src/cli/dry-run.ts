/**
 * `heaven deploy --dry-run`: the resolved configuration and the exact
 * commands the provider would run, from the provider's own plan (plans are
 * pure: nothing is spawned to describe them). API providers (Heroku, Elastic
 * Beanstalk) talk to an API instead: their resolved options are printed.
 */
import type { DeploymentConfig } from "../core/config.js";
import type { ProviderRegistry, ProviderTrack, SshMaterials } from "../core/provider.js";
import type { DeploymentRequest } from "../core/request.js";
import { shellQuote } from "../decisions/shell-quote.js";

export interface DryRunInput {
  request: DeploymentRequest;
  config: DeploymentConfig;
  providers: ProviderRegistry;
  ssh: { materials: SshMaterials; env: Record<string, string> };
  /** Where the configuration came from, said first. */
  configSource: string;
}

/** The placeholder the plan is made in: no checkout is made for a dry run. */
export const DRY_CHECKOUT = "<checkout>";

/** A word printed as a shell would need it, quoted only when it must be. */
function word(value: string): string {
  return /^[\w@%+=:,./<>-]+$/.test(value) ? value : shellQuote(value);
}

function renderTracks(tracks: readonly ProviderTrack[], parallel: number): string[] {
  const lines = tracks.length > 1 ? [`${tracks.length} tracks, at most ${parallel} at once:`] : [];
  tracks.forEach((track, index) => {
    const indent = tracks.length > 1 ? "  " : "";
    if (tracks.length > 1) lines.push(`track ${index + 1}${track.label === undefined ? "" : ` (${track.label})`}:`);
    track.steps.forEach((step, number) => {
      lines.push(`${indent}${number + 1}. ${step.name}`);
      lines.push(`${indent}   $ ${[step.spec.file, ...step.spec.args].map(word).join(" ")}`);
      lines.push(`${indent}   in ${step.spec.cwd}`);
      // Names only: values may be secrets.
      lines.push(`${indent}   environment: ${Object.keys(step.spec.env).sort().join(", ") || "(empty)"}`);
    });
  });
  return lines;
}

export function renderDryRun(input: DryRunInput): string[] {
  const { request, config } = input;
  const { options, env, secrets, notify: _notify, ...settings } = config;
  const lines = [
    `dry run: nothing will run. ${request.repository.fullName} ${request.ref} (${request.sha}) to ${request.environment}, task ${request.task}` +
      `${request.hosts === undefined ? "" : `, hosts ${request.hosts.join(",")}`}`,
    `configuration (${input.configSource}):`,
    ...Object.entries(settings).filter(([, value]) => value !== undefined).map(([key, value]) => `  ${key}: ${JSON.stringify(value)}`),
    `  options (provider ${config.provider}): ${JSON.stringify(options)}`,
    `  env: ${Object.keys(env).join(", ") || "(none)"}; secrets: ${secrets.join(", ") || "(none)"}`,
  ];
  const provider = input.providers[config.provider];
  if (provider === undefined) return [...lines, `provider "${config.provider}" is not known`];
  const context = {
    request,
    config,
    options,
    checkoutDir: DRY_CHECKOUT,
    ssh: input.ssh.materials,
    // The secrets' values are not read for a dry run: their names stand in.
    env: { ...input.ssh.env, ...env, ...Object.fromEntries(secrets.map((name) => [name, `<${name}>`])) },
  };
  lines.push(`provider ${config.provider}: ${provider.describe(context)}`);
  if (provider.kind === "api") {
    return [...lines, `${config.provider} calls its API instead of running commands; it would use the options above and ${provider.credentials.join(", ") || "no credentials"} from heaven's environment.`];
  }
  const plan = provider.plan(context);
  if (!plan.ok) return [...lines, `the provider would refuse: ${plan.message}`];
  return [
    ...lines,
    `steps: check ${request.sha} out of the cached clone into a fresh checkout (removed afterwards), then, with a timeout of ${config.timeoutSeconds} s:`,
    ...renderTracks(plan.tracks, config.parallel),
  ];
}
