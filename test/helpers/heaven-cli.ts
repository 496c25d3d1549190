/** Runs the real command line (bin/heaven.js, built into lib/) as a child process, as an operator would. */
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const projectDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const heavenBin = join(projectDir, "bin", "heaven.js");

/** `npm test` builds first; build here only when run on a fresh checkout. */
export function ensureBuilt(): void {
  if (!existsSync(join(projectDir, "lib", "src", "cli", "heaven.js"))) {
    execFileSync("npx", ["tsc", "-p", "."], { cwd: projectDir, stdio: "inherit" });
  }
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Only PATH and HOME of the test's environment reach it, plus `env`. */
export function runHeaven(args: string[], options: { cwd: string; home: string; env?: Record<string, string> }): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [heavenBin, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: options.home, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 30_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
