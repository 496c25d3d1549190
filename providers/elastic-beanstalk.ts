/**
 * Deploys to AWS Elastic Beanstalk, as Heaven's provider did, and then waits
 * for the result it never waited for: the sha's `git archive` zip goes to S3,
 * becomes an application version, the environment is updated to it, and the
 * deployment succeeds once the environment is Ready and Green at that
 * version. Its events are written into the log as they appear; Red health,
 * an ERROR/FATAL event, or a Ready environment that does not turn Green fail it.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { CreateApplicationVersionCommand, UpdateEnvironmentCommand } from "@aws-sdk/client-elastic-beanstalk";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { defineProvider, type ApiIo, type ApiProviderResult } from "../src/core/provider.js";
import { awsClients, awsSettings, AWS_CREDENTIALS, AWS_VARIABLES, type AwsClients } from "./elastic-beanstalk/aws-clients.js";
import { DEFAULT_GREEN_TIMEOUT_SECONDS, DEFAULT_POLL_SECONDS, ebOptions, type EbOptions } from "./elastic-beanstalk/options.js";
import { releaseNames, type ReleaseNames } from "./elastic-beanstalk/release-names.js";
import { watchEnvironment } from "./elastic-beanstalk/watch-environment.js";

export const elasticBeanstalk = defineProvider({
  kind: "api",
  options: ebOptions,
  payloadKeys: ["application", "region"],
  credentials: AWS_CREDENTIALS,
  variables: AWS_VARIABLES,
  describe: ({ options, request }) => `Elastic Beanstalk ${options.environment_name ?? `${options.application}-${request.environment}`}`,
  run: async ({ options, request }, io) => {
    const named = releaseNames({
      options,
      environment: request.environment,
      sha: request.sha,
      deploymentId: request.id,
      ref: request.ref,
      bucketFromEnv: io.credentials.BEANSTALK_S3_BUCKET,
    });
    if (!named.ok) return { kind: "misconfigured", message: named.message };
    const settings = awsSettings(io.credentials, options.region);
    if (!settings.ok) return { kind: "misconfigured", message: settings.message };
    const clients = awsClients(settings.settings);
    try {
      return await deploy(clients, named.names, options, io);
    } finally {
      clients.destroy();
    }
  },
});

async function deploy(clients: AwsClients, names: ReleaseNames, options: EbOptions, io: ApiIo): Promise<ApiProviderResult> {
  const say = (line: string) => io.log.output(Buffer.from(`${line}\n`), "stdout");
  const region = await clients.region().catch(() => undefined);
  if (region === undefined) return { kind: "misconfigured", message: "no AWS region: set region in .github/heaven.yml or heaven's AWS_REGION" };
  const send = { abortSignal: io.signal };

  const archive = await io.source.archive("zip");
  const { size } = await stat(archive);
  await say(`uploading ${size} bytes to s3://${names.bucket}/${names.key} in ${region}`);
  const uploadFailed = await attempt("S3 upload", io.signal, () =>
    clients.s3.send(
      new PutObjectCommand({ Bucket: names.bucket, Key: names.key, Body: createReadStream(archive), ContentLength: size, ContentType: "application/zip" }),
      send,
    ),
  );
  if (uploadFailed) return uploadFailed;

  await say(`creating version ${names.versionLabel} of application ${names.application}`);
  const createFailed = await attempt("creating the application version", io.signal, async () => {
    try {
      await clients.eb.send(
        new CreateApplicationVersionCommand({
          ApplicationName: names.application,
          VersionLabel: names.versionLabel,
          Description: names.description,
          SourceBundle: { S3Bucket: names.bucket, S3Key: names.key },
          AutoCreateApplication: false,
        }),
        send,
      );
    } catch (error) {
      // A retry of this deployment: its label already names this very bundle.
      if (!(error instanceof Error && /already exists/i.test(error.message))) throw error;
      await say(`version ${names.versionLabel} exists already (this deployment ran before); using it`);
    }
  });
  if (createFailed) return createFailed;

  await say(`updating environment ${names.environmentName} to ${names.versionLabel}`);
  // heaven's clock (NTP-synced): events from here on are this update's.
  const since = new Date();
  const updateFailed = await attempt("updating the environment", io.signal, () =>
    clients.eb.send(new UpdateEnvironmentCommand({ ApplicationName: names.application, EnvironmentName: names.environmentName, VersionLabel: names.versionLabel }), send),
  );
  if (updateFailed) return updateFailed;

  const watched = await watchEnvironment(
    clients.eb,
    { environmentName: names.environmentName, versionLabel: names.versionLabel },
    {
      application: names.application,
      since,
      pollMs: (options.poll_seconds ?? DEFAULT_POLL_SECONDS) * 1000,
      greenTimeoutMs: (options.green_timeout ?? DEFAULT_GREEN_TIMEOUT_SECONDS) * 1000,
    },
    io,
  );
  if (watched.kind === "failed") return watched;
  await say(`environment ${names.environmentName} is Ready and Green at ${names.versionLabel}`);
  return { kind: "succeeded", release: { id: names.versionLabel, url: watched.cname === undefined ? undefined : `http://${watched.cname}` } };
}

/** An AWS call whose error becomes a failure naming the step; an abort stays an abort (heaven reports it as a timeout or a stop). */
async function attempt(what: string, signal: AbortSignal, call: () => Promise<unknown>): Promise<ApiProviderResult | undefined> {
  try {
    await call();
    return undefined;
  } catch (error) {
    if (signal.aborted) throw error;
    const name = error instanceof Error && error.name !== "Error" ? `${error.name}: ` : "";
    return { kind: "failed", message: `${what} failed: ${name}${error instanceof Error ? error.message : String(error)}` };
  }
}
