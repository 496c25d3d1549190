/**
 * The core's front door: takes a deployment request, queues it in its lane
 * and runs the pipeline when its turn comes. Used by the GitHub app and the
 * command line alike.
 */
import { logFilePath, logKey, logUrl } from "./log-links.js";
import { runPipeline, type PipelineDeps, type PipelineResult } from "./pipeline.js";
import type { ProviderRegistry } from "./provider.js";
import { LocalDeployQueue, type DeployQueue } from "./queue.js";
import type { DeploymentReporter } from "./reporter.js";
import type { DeploymentRequest } from "./request.js";
import type { DeploymentSources } from "./sources.js";
import { Workspaces } from "./workspace.js";

export interface DeployerOptions {
  dataDir: string;
  /** Public base URL of heaven, for log links. */
  baseUrl: string;
  logSecret: string;
  concurrency: number;
  defaultTimeoutSeconds: number;
  providers: ProviderRegistry;
  baseEnv: Readonly<Record<string, string>>;
  secrets: readonly string[];
  queue?: DeployQueue;
  killGraceMs?: number;
}

export interface Submission {
  request: DeploymentRequest;
  sources: DeploymentSources;
  reporter: DeploymentReporter;
  echo?: (line: string) => void;
}

export class Deployer {
  private readonly queue: DeployQueue;
  private readonly shutdown = new AbortController();
  private readonly deps: PipelineDeps;
  /** Final statuses still being delivered (they outlive their queue slot). */
  private readonly deliveries = new Set<Promise<void>>();

  constructor(private readonly options: DeployerOptions) {
    this.queue = options.queue ?? new LocalDeployQueue(options.concurrency);
    this.deps = {
      providers: options.providers,
      workspaces: new Workspaces(options.dataDir, options.baseEnv),
      defaultTimeoutSeconds: options.defaultTimeoutSeconds,
      baseEnv: options.baseEnv,
      secrets: options.secrets,
      shutdown: this.shutdown.signal,
      killGraceMs: options.killGraceMs,
    };
  }

  get workspaces(): Workspaces {
    return this.deps.workspaces;
  }

  /** Resolves with the final status once the deployment has run and its final status is delivered. */
  submit(submission: Submission): Promise<PipelineResult> {
    const { request, reporter } = submission;
    const key = logKey(request.repository.fullName, request.id);
    const link = logUrl(this.options.baseUrl, this.options.logSecret, key);
    let result: PipelineResult | undefined;
    const job = {
      lane: `${request.repository.fullName}#${request.environment.toLowerCase()}`,
      label: `deployment ${request.id} (${request.ref} to ${request.environment})`,
      run: async () => {
        result = await runPipeline(
          { ...submission, logPath: logFilePath(this.options.dataDir, key), logUrl: link },
          this.deps,
        );
        const delivery = result.delivered.catch(() => undefined);
        this.deliveries.add(delivery);
        void delivery.then(() => this.deliveries.delete(delivery));
      },
    };
    return this.queue
      .add(job, (reason) => reporter.queued(reason, link))
      .then(async () => {
        if (result === undefined) throw new Error(`deployment ${request.id} finished without a result`);
        await result.delivered;
        return result;
      });
  }

  /** Resolves when nothing is queued, running, or waiting to deliver its final status. */
  async idle(): Promise<void> {
    await this.queue.onIdle();
    while (this.deliveries.size > 0) await Promise.all([...this.deliveries]);
  }

  /** Stops running providers (their deployments end with an error status) and waits for the queue to drain. */
  async stop(): Promise<void> {
    this.shutdown.abort();
    await this.idle();
  }
}
