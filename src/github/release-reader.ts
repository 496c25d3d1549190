/**
 * What the release-state API reads from GitHub for one repository, through
 * one Octokit per installation whose GETs are conditional and briefly cached
 * (conditional-requests.ts). A view of the environments costs:
 *   1 (.github/heaven.yml; 2 when the repository has none: the owner's
 *   `.github` repository is looked at too) + 1 (the newest 100 records) +
 *   one status list per deploy looked at — newest first until the live one
 *   and the one before it are found, at most LOOKED_AT per environment.
 * A history page costs 1 per 100 records paged through + 1 per deploy shown.
 */
import type { ConfigApi } from "./load-heaven-config.js";
import { loadHeavenConfig } from "./load-heaven-config.js";
import { useConditionalRequests, type HookableOctokit } from "./conditional-requests.js";
import { listHistoryRecords, listRepoRecords, listStatuses, type HistoryQuery, type PagingApi, type RepoTarget } from "./read-release-records.js";
import type { DeploymentRecord } from "../core/record.js";
import { liveSince } from "../decisions/deployment-outcome.js";
import type { EnvironmentSettings, RecordWithStatuses } from "../decisions/derive-release-state.js";
import { isDeployTask } from "../decisions/is-deploy-task.js";
import { configuredEnvironments, type ProviderSchemas } from "../decisions/resolve-config.js";

export type ReleaseOctokit = PagingApi & ConfigApi & HookableOctokit;

/** Deploys of one environment whose statuses are read, at most, for its view. */
export const LOOKED_AT = 10;

export interface ReleaseReaderOptions {
  /** A new Octokit of the installation (Probot's `app.auth(id)`); called once per installation. */
  octokitFor(installationId: number): Promise<ReleaseOctokit>;
  providers: ProviderSchemas;
  defaultTimeoutSeconds: number;
  /** How long a GitHub answer is reused without asking again. */
  ttlMs: number;
}

export interface RepositoryRead {
  records: RecordWithStatuses[];
  /** undefined: `.github/heaven.yml` could not be read. */
  configured: EnvironmentSettings[] | undefined;
}

export class ReleaseReader {
  private readonly octokits = new Map<number, Promise<ReleaseOctokit>>();

  constructor(private readonly options: ReleaseReaderOptions) {}

  async environments(installationId: number, target: RepoTarget): Promise<RepositoryRead> {
    const octokit = await this.octokit(installationId);
    const [config, records] = await Promise.all([loadHeavenConfig(octokit, target), listRepoRecords(octokit, target)]);
    const configured = config.ok
      ? configuredEnvironments({ file: config.file, providers: this.options.providers, defaultTimeoutSeconds: this.options.defaultTimeoutSeconds }).map(
          ({ name, config: c }) => ({ name, lockTtlSeconds: c.lockTtlSeconds, autoDeploy: c.autoDeploy }),
        )
      : undefined;
    const byEnvironment = new Map<string, DeploymentRecord[]>();
    for (const record of records.filter((r) => isDeployTask(r.task)).sort((a, b) => b.id - a.id)) {
      const key = record.environment.toLowerCase();
      byEnvironment.set(key, [...(byEnvironment.get(key) ?? []), record]);
    }
    const read = new Map<number, RecordWithStatuses>();
    await Promise.all([...byEnvironment.values()].map(async (deploys) => {
      for (const entry of await this.liveAndBefore(octokit, target, deploys)) read.set(entry.record.id, entry);
    }));
    return { records: records.map((record) => read.get(record.id) ?? { record, statuses: undefined }), configured };
  }

  async history(installationId: number, target: RepoTarget, query: HistoryQuery): Promise<RecordWithStatuses[]> {
    const octokit = await this.octokit(installationId);
    const records = await listHistoryRecords(octokit, target, query);
    return Promise.all(records.map(async (record) => ({ record, statuses: await listStatuses(octokit, target, record.id) })));
  }

  /** Statuses of an environment's deploys, newest first, until the live one and an earlier live one of another sha are known. */
  private async liveAndBefore(octokit: ReleaseOctokit, target: RepoTarget, deploys: readonly DeploymentRecord[]): Promise<RecordWithStatuses[]> {
    const read: RecordWithStatuses[] = [];
    let liveSha: string | undefined;
    for (const record of deploys.slice(0, LOOKED_AT)) {
      const statuses = await listStatuses(octokit, target, record.id);
      read.push({ record, statuses });
      if (liveSince(statuses) === undefined) continue;
      if (liveSha === undefined) liveSha = record.sha;
      else if (record.sha !== liveSha) break;
    }
    return read;
  }

  private octokit(installationId: number): Promise<ReleaseOctokit> {
    let octokit = this.octokits.get(installationId);
    if (octokit === undefined) {
      octokit = this.options.octokitFor(installationId).then((created) => {
        useConditionalRequests(created, { ttlMs: this.options.ttlMs });
        return created;
      });
      octokit.catch(() => this.octokits.delete(installationId));
      this.octokits.set(installationId, octokit);
    }
    return octokit;
  }
}
