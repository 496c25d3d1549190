/**
 * A deployment job: everything needed to run or resume one deployment, as
 * plain JSON. The queue keeps jobs, never closures, so a job survives a
 * restart (the journal) and can move to another worker. Read back through
 * `parseJob`, never trusted as written.
 */
import { z } from "zod";
import type { DeploymentRequest } from "./request.js";

/** Where a deployment came from: who to tell, and whose GitHub to ask. */
export type Origin =
  /** `comment`: the pull-request comment that asked for it (number: the pull request), when heaven made it from one. */
  | { kind: "github"; installationId: number; owner: string; repo: string; deploymentId: number; comment?: { number: number; id: number } | undefined }
  | { kind: "local" };

export interface DeploymentJob {
  /** Idempotency: a job whose key the queue has seen (queued, running, parked or finished) is not run again. */
  key: string;
  /** Jobs of one lane (repository + environment) run one at a time, in order. */
  lane: string;
  request: DeploymentRequest;
  origin: Origin;
  /** Epoch ms the job was accepted. */
  acceptedAt: number;
  /** Epoch ms: set when it first parks for CI; the CI timeout counts from then. */
  ciDeadline?: number | undefined;
  /** Epoch ms: set when it first waits for someone else's lock (wait_for_unlock); it gives up then. */
  lockDeadline?: number | undefined;
}

/** Deployments of one repository and environment run one at a time. */
export function laneOf(repository: string, environment: string): string {
  return `${repository}#${environment.toLowerCase()}`;
}

/** How waiting jobs and people name a job: `deployment 41 (main to production)`. */
export function jobLabel(job: DeploymentJob): string {
  return `deployment ${job.request.id} (${job.request.ref} to ${job.request.environment})`;
}

const optional = <T extends z.ZodType>(schema: T) => schema.optional();

const recordSchema = z.object({
  id: z.number().int(),
  sha: z.string(),
  ref: z.string(),
  task: z.string(),
  environment: z.string(),
  createdAt: z.string(),
  creator: z.object({ login: z.string(), type: z.string() }),
  payload: z.record(z.string(), z.unknown()),
  description: z.string().nullable(),
});

const requestSchema = z.object({
  id: z.string().min(1),
  repository: z.object({ fullName: z.string().min(1), cloneUrl: z.string().min(1) }),
  environment: z.string(),
  ref: z.string(),
  sha: z.string(),
  task: z.string(),
  force: z.boolean(),
  payloadConfig: z.unknown().optional(),
  creator: z.string(),
  hosts: optional(z.array(z.string())),
  expectedSha: optional(z.string()),
  defaultBranch: optional(z.string()),
  record: optional(recordSchema),
  automatic: optional(z.boolean()),
  requiredContexts: optional(z.array(z.string())),
});

const originSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("github"),
    installationId: z.number().int(),
    owner: z.string().min(1),
    repo: z.string().min(1),
    deploymentId: z.number().int(),
    comment: optional(z.object({ number: z.number().int(), id: z.number().int() })),
  }),
  z.object({ kind: z.literal("local") }),
]);

const jobSchema = z.object({
  key: z.string().min(1),
  lane: z.string().min(1),
  request: requestSchema,
  origin: originSchema,
  acceptedAt: z.number(),
  ciDeadline: optional(z.number()),
  lockDeadline: optional(z.number()),
});

export type JobRead = { ok: true; job: DeploymentJob } | { ok: false; error: string };

export function parseJob(value: unknown): JobRead {
  const parsed = jobSchema.safeParse(value);
  if (parsed.success) return { ok: true, job: parsed.data as DeploymentJob };
  const issue = parsed.error.issues[0];
  return { ok: false, error: issue === undefined ? "not a job" : `${issue.path.join(".") || "(job)"}: ${issue.message}` };
}
