/** Origin repositories for the benchmarks, registered with the fake GitHub. */
import { existsSync, readFileSync } from "node:fs";
import { createRepo, script } from "../../test/helpers/git-repo.js";
import type { FakeGitHub } from "../../test/helpers/fake-github.js";

/**
 * An origin whose deploy script sleeps `seconds`, then appends
 * "<deployment id> <epoch ms>" to `doneFile`; registered as `fullName` on
 * `installationId`, with `required_contexts: []` (no CI to wait for).
 */
export function benchRepo(
  github: FakeGitHub,
  parent: string,
  fullName: string,
  options: { installationId?: number; seconds: number; doneFile: string },
): { dir: string; sha: string } {
  const origin = createRepo(parent, fullName.replace("/", "-"), {
    // `date +%s%3N`: wall-clock milliseconds, comparable with Date.now() here.
    "script/deploy": script(`sleep ${options.seconds}\necho "$DEPLOYMENT_ID $(date +%s%3N)" >> '${options.doneFile}'`),
  });
  github.addRepo(fullName, { dir: origin.dir, installationId: options.installationId });
  github.repo(fullName).config = "required_contexts: []\n";
  return { dir: origin.dir, sha: origin.sha };
}

/** When each deployment's script finished (epoch ms), from `doneFile`. */
export function scriptsDone(doneFile: string): Map<number, number> {
  if (!existsSync(doneFile)) return new Map();
  const lines = readFileSync(doneFile, "utf8").trim().split("\n").filter((l) => l !== "");
  return new Map(lines.map((line) => line.split(" ").map(Number) as [number, number]));
}
