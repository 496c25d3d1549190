/**
 * The elastic_beanstalk provider's keys in `.github/heaven.yml` (and, for
 * `application` and `region`, hubot-deploy's payload). Names are checked
 * against AWS's own rules here, so a bad one is a configuration error and
 * a payload's region can only ever name an AWS region, never another host.
 */
import { z } from "zod";

const required = (what: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? `required: ${what}` : undefined;

export const ebOptions = z
  .object({
    application: z
      .string({ error: required("the Elastic Beanstalk application's name (hubot-deploy's app_name)") })
      .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/, { message: "must be an Elastic Beanstalk application name: up to 100 letters, digits, spaces, dots, dashes or underscores" }),
    environment_name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9-]{2,38}[A-Za-z0-9]$/, { message: "must be an Elastic Beanstalk environment name: 4 to 40 letters, digits and inner dashes" })
      .optional(),
    bucket: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: "must be an S3 bucket name: 3 to 63 lowercase letters, digits, dots and dashes" })
      .optional(),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, { message: "must be an AWS region, like eu-west-1" }).optional(),
    /** Seconds between looks at the environment while it updates. */
    poll_seconds: z.number().min(1).max(300).optional(),
    /** Seconds a Ready environment may take to turn Green (at the new version) before the deployment fails. */
    green_timeout: z.number().int().min(1).max(86_400).optional(),
  })
  .strict();

export type EbOptions = z.infer<typeof ebOptions>;

export const DEFAULT_POLL_SECONDS = 5;
export const DEFAULT_GREEN_TIMEOUT_SECONDS = 120;
