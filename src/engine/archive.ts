/** A checkout's commit as an archive file (`git archive`), for API providers that upload source. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { git, gitComplaint } from "./git.js";

export interface Archives {
  make(format: "zip" | "tar.gz"): Promise<string>;
  /** Removes every archive made. */
  release(): Promise<void>;
}

export function checkoutArchives(checkoutDir: string, sha: string, baseEnv: Readonly<Record<string, string>>): Archives {
  let dir: string | undefined;
  return {
    async make(format) {
      dir ??= await mkdtemp(join(tmpdir(), "heaven-archive-"));
      const file = join(dir, `${sha.slice(0, 12)}.${format}`);
      const made = await git(["archive", `--format=${format}`, "-o", file, sha], { cwd: checkoutDir, baseEnv });
      if (!made.ok) throw new Error(`could not archive ${sha.slice(0, 7)}: ${gitComplaint(made)}`);
      return file;
    },
    release: async () => {
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    },
  };
}
