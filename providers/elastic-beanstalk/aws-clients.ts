/**
 * The S3 and Elastic Beanstalk clients for one deployment, from heaven's
 * environment only: BEANSTALK_* keys when set (Heaven's names), otherwise the
 * SDK's own chain (AWS_ACCESS_KEY_ID…, profiles, instance roles); the SDK's
 * standard AWS_ENDPOINT_URL(_S3|_ELASTIC_BEANSTALK) for S3-compatible or
 * local endpoints. Nothing here comes from the repository but the region.
 */
import { ElasticBeanstalkClient } from "@aws-sdk/client-elastic-beanstalk";
import { S3Client } from "@aws-sdk/client-s3";

/** Secret variables the provider reads from heaven's environment (masked in logs and statuses). */
export const AWS_CREDENTIALS = [
  "BEANSTALK_ACCESS_KEY_ID",
  "BEANSTALK_SECRET_ACCESS_KEY",
  // Read by the SDK's chain itself; declared so their values are masked too.
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
] as const;

/** Settings it reads from heaven's environment, shown as they are. */
export const AWS_VARIABLES = ["BEANSTALK_S3_BUCKET", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_ELASTIC_BEANSTALK"] as const;

type Variables = Readonly<Record<string, string>>;

export interface AwsSettings {
  region: string | undefined;
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  s3Endpoint: string | undefined;
  ebEndpoint: string | undefined;
}

/** Pure: what the clients are built from, or why they cannot be. */
export function awsSettings(variables: Variables, region: string | undefined): { ok: true; settings: AwsSettings } | { ok: false; message: string } {
  const accessKeyId = variables.BEANSTALK_ACCESS_KEY_ID;
  const secretAccessKey = variables.BEANSTALK_SECRET_ACCESS_KEY;
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    return { ok: false, message: "set both of BEANSTALK_ACCESS_KEY_ID and BEANSTALK_SECRET_ACCESS_KEY in heaven's environment, or neither" };
  }
  return {
    ok: true,
    settings: {
      region,
      credentials: accessKeyId === undefined || secretAccessKey === undefined ? undefined : { accessKeyId, secretAccessKey },
      s3Endpoint: variables.AWS_ENDPOINT_URL_S3 ?? variables.AWS_ENDPOINT_URL,
      ebEndpoint: variables.AWS_ENDPOINT_URL_ELASTIC_BEANSTALK ?? variables.AWS_ENDPOINT_URL,
    },
  };
}

export interface AwsClients {
  s3: S3Client;
  eb: ElasticBeanstalkClient;
  /** The region the clients use (the option, or the SDK's: AWS_REGION, the profile…). */
  region(): Promise<string>;
  destroy(): void;
}

export function awsClients(settings: AwsSettings): AwsClients {
  const common = {
    ...(settings.region === undefined ? {} : { region: settings.region }),
    ...(settings.credentials === undefined ? {} : { credentials: settings.credentials }),
  };
  // A custom endpoint (MinIO, LocalStack, a test's fake) has no bucket subdomains.
  const s3 = new S3Client({ ...common, ...(settings.s3Endpoint === undefined ? {} : { endpoint: settings.s3Endpoint, forcePathStyle: true }) });
  const eb = new ElasticBeanstalkClient({ ...common, ...(settings.ebEndpoint === undefined ? {} : { endpoint: settings.ebEndpoint }) });
  return {
    s3,
    eb,
    region: () => eb.config.region(),
    destroy: () => {
      s3.destroy();
      eb.destroy();
    },
  };
}
