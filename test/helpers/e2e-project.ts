/**
 * A repository on the fake GitHub for end-to-end scenarios: a fresh origin
 * whose script/deploy records each run ("$SHA $DEPLOY_ENV $BRANCH") in a
 * file outside every checkout, so a test sees what ran, at which sha.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { FakeGitHub } from "./fake-github.js";
import { createRepo, script, type Files, type GitRepo } from "./git-repo.js";

export interface Project {
  fullName: string;
  origin: GitRepo & { sha: string };
  /** Lines "$SHA $DEPLOY_ENV $BRANCH", one per run of script/deploy. */
  runs: () => string[];
}

export function createProject(github: FakeGitHub, where: { dir: string; owner: string; installationId: number }, name: string, files: Files = {}): Project {
  const fullName = `${where.owner}/${name}`;
  const record = join(where.dir, `${name}-runs.txt`);
  const origin = createRepo(where.dir, name, { "script/deploy": script(`echo "$SHA $DEPLOY_ENV $BRANCH" >> '${record}'`), ...files });
  github.addRepo(fullName, { dir: origin.dir, defaultBranch: "main", installationId: where.installationId });
  return { fullName, origin, runs: () => (existsSync(record) ? readFileSync(record, "utf8").trim().split("\n") : []) };
}
