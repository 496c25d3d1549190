/**
 * Deployments an older heaven (before the journal) left waiting for CI in
 * `$HEAVEN_DATA_DIR/parked/*.json` become jobs of the queue, so an upgrade
 * loses none of them. Each file is removed once its job is journaled; a file
 * that cannot be read is removed and reported (as the older heaven did).
 */
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { isObject } from "../core/json.js";
import { laneOf, parseJob } from "../core/job.js";
import type { DeployQueue } from "../core/queue.js";

export async function importParked(dataDir: string, queue: Pick<DeployQueue, "enqueue">): Promise<{ imported: number; skipped: string[] }> {
  const dir = join(dataDir, "parked");
  const files = (await readdir(dir).catch(() => [] as string[])).filter((name) => name.endsWith(".json"));
  const skipped: string[] = [];
  let imported = 0;
  for (const file of files) {
    const path = join(dir, file);
    const job = await readFile(path, "utf8").then(toJob, () => undefined);
    if (job?.ok === true) {
      await queue.enqueue(job.job);
      imported += 1;
    } else skipped.push(`parked/${file}: ${job?.error ?? "unreadable"}; skipped`);
    await rm(path, { force: true });
  }
  return { imported, skipped };
}

/** The older heaven's record: `{ request, deadline, resume: { installationId, owner, repo, deploymentId } }`. */
function toJob(text: string) {
  let saved: unknown;
  try {
    saved = JSON.parse(text);
  } catch {
    return { ok: false as const, error: "not JSON" };
  }
  if (!isObject(saved) || !isObject(saved.request) || !isObject(saved.resume)) return { ok: false as const, error: "not a parked deployment" };
  const { request, resume, deadline } = saved;
  const repository = isObject(request.repository) ? request.repository : {};
  return parseJob({
    key: `github:deployment:${String(resume.deploymentId)}`,
    lane: laneOf(String(repository.fullName), String(request.environment)),
    request,
    origin: { kind: "github", ...resume },
    acceptedAt: Date.now(),
    ciDeadline: deadline,
  });
}
