/**
 * What one deployment is called on AWS: the application and environment it
 * updates, where its bundle goes in S3, and its version label. Pure.
 */
import type { EbOptions } from "./options.js";

export interface ReleaseNames {
  application: string;
  environmentName: string;
  bucket: string;
  key: string;
  /** `<sha12>-<deployment id>`: a redeploy of the same sha is a new version, a retry of one deployment is not. */
  versionLabel: string;
  /** The application version's description (at most 200 characters, AWS's limit). */
  description: string;
}

export interface ReleaseInput {
  options: EbOptions;
  /** heaven's environment name (the deployment's). */
  environment: string;
  sha: string;
  deploymentId: string;
  ref: string;
  /** BEANSTALK_S3_BUCKET from heaven's environment. */
  bucketFromEnv: string | undefined;
}

const ENVIRONMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{2,38}[A-Za-z0-9]$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function releaseNames(input: ReleaseInput): { ok: true; names: ReleaseNames } | { ok: false; message: string } {
  const { options } = input;
  const environmentName = options.environment_name ?? `${options.application}-${input.environment}`;
  if (!ENVIRONMENT_NAME.test(environmentName)) {
    return { ok: false, message: `"${environmentName}" is not a valid environment name; set environment_name in .github/heaven.yml` };
  }
  const bucket = options.bucket ?? input.bucketFromEnv;
  if (bucket === undefined) return { ok: false, message: "no S3 bucket: set bucket in .github/heaven.yml or heaven's BEANSTALK_S3_BUCKET" };
  if (!BUCKET.test(bucket)) return { ok: false, message: "heaven's BEANSTALK_S3_BUCKET is not an S3 bucket name (3 to 63 lowercase letters, digits, dots, dashes)" };
  const versionLabel = `${input.sha.slice(0, 12)}-${input.deploymentId.replace(/[^A-Za-z0-9._-]/g, "-")}`.slice(0, 100);
  return {
    ok: true,
    names: {
      application: options.application,
      environmentName,
      bucket,
      key: `${options.application}/${versionLabel}.zip`,
      versionLabel,
      description: `heaven: ${input.ref} at ${input.sha}`.slice(0, 200),
    },
  };
}
