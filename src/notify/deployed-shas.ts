/**
 * The sha each repository's environment last deployed successfully, so a
 * notification can link the changes a deployment ships — without a GitHub
 * request. Kept in the data directory (a restart keeps the link), read once
 * when heaven starts, written in the background, bounded.
 */
import { readFileSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";
import { isFullSha } from "../core/sha.js";

const fileSchema = z.record(z.string(), z.object({ sha: z.string().refine(isFullSha), at: z.number() }));

type Entries = z.infer<typeof fileSchema>;

/** Lanes remembered; the least recently deployed go first. */
const LIMIT = 10_000;

export class DeployedShas {
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;

  private constructor(
    private readonly file: string,
    private readonly entries: Map<string, Entries[string]>,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** An unreadable file starts empty (its links come back with the next deployments); `onError` hears why. */
  static open(file: string, onError: (error: unknown) => void): DeployedShas {
    let entries: Entries = {};
    try {
      entries = fileSchema.parse(JSON.parse(readFileSync(file, "utf8")));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") onError(error);
    }
    return new DeployedShas(file, new Map(Object.entries(entries)), onError);
  }

  /** `lane`: a repository and environment (job.ts `laneOf`). */
  get(lane: string): string | undefined {
    return this.entries.get(lane)?.sha;
  }

  record(lane: string, sha: string, at: number): void {
    if (this.entries.get(lane)?.sha === sha) return;
    this.entries.delete(lane);
    this.entries.set(lane, { sha, at });
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= LIMIT) break;
      this.entries.delete(oldest);
    }
    this.schedule();
  }

  /** Resolves when what was recorded so far is on disk. */
  flushed(): Promise<void> {
    return this.writing;
  }

  /** One write at a time; changes made meanwhile go in the next one. */
  private schedule(): void {
    if (this.dirty) return;
    this.dirty = true;
    this.writing = this.writing.then(async () => {
      this.dirty = false;
      const temporary = `${this.file}.tmp`;
      try {
        await mkdir(dirname(this.file), { recursive: true });
        await writeFile(temporary, JSON.stringify(Object.fromEntries(this.entries)), { mode: 0o600 });
        await rename(temporary, this.file);
      } catch (error) {
        this.onError(error);
      }
    });
  }
}
