/**
 * `deployment.created`: read the event, journal it as a job, answer. The
 * webhook is answered once the job is on disk (a crash cannot lose it, and
 * a failure to write it answers 500, so GitHub records the delivery as
 * failed and heaven redelivers it later) and before any slow work starts.
 */
import type { Context } from "probot";
import { claimsToBeHeavens, readDeployment } from "../decisions/read-deployment.js";
import { truncate } from "../decisions/text.js";
import { deploymentJob } from "../github/deployment-job.js";
import type { OutboxWriter } from "../github/outbox.js";
import { deploymentStatusWrite } from "../github/status-sink.js";
import { WebhookRefused } from "../github/webhook-refused.js";
import type { Deployer } from "../pipeline/deployer.js";

export function handleDeployment(deps: { deployer: Deployer; outbox: OutboxWriter; ownLogin: () => Promise<string | undefined> }) {
  return async (context: Context<"deployment.created">): Promise<void> => {
    // GET /app is asked only of a deployment that says heaven wrote it, and once. Unanswered, heaven cannot tell its own
    // deployment (whose checks and sha it must keep to) from another app's: GitHub is asked to send it again later.
    const claimed = claimsToBeHeavens(context.payload);
    const own = claimed ? await deps.ownLogin() : undefined;
    if (claimed && own === undefined) {
      throw new WebhookRefused(503, "GitHub did not say who heaven is (GET /app); this deployment is taken when the webhook comes again");
    }
    const read = readDeployment(context.payload, own);
    const installationId = context.payload.installation?.id;
    if (!read.ok) {
      context.log.warn({ reason: read.reason }, "ignoring a deployment event heaven cannot read");
      if (read.owner !== undefined && read.repo !== undefined && read.deploymentId !== undefined && installationId !== undefined) {
        const target = { installationId, owner: read.owner, repo: read.repo, deploymentId: read.deploymentId };
        const description = truncate(`heaven cannot read this deployment: ${read.reason}`);
        await deps.outbox.add(deploymentStatusWrite(target, { state: "error", description, final: true, key: "final" }, ""));
      }
      return;
    }
    if (installationId === undefined) {
      context.log.warn({ deploymentId: read.deploymentId }, "a deployment event without an installation: heaven cannot act for it");
      return;
    }
    const job = deploymentJob(read, installationId, Date.now());
    const enqueued = await deps.deployer.accept(job).catch((error: unknown) => {
      throw new WebhookRefused(500, `could not journal deployment ${read.deploymentId} (${error instanceof Error ? error.message : String(error)})`);
    });
    const { request } = read;
    if (enqueued.kind === "duplicate") context.log.info({ deploymentId: read.deploymentId }, "deployment already accepted; ignoring the redelivery");
    else context.log.info({ deploymentId: read.deploymentId, environment: request.environment, sha: request.sha }, "deployment accepted");
  };
}
