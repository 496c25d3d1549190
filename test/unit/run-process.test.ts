import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runProcess, type RunOptions } from "../../src/engine/run-process.js";
import { isDead, readPid } from "../helpers/process-state.js";
import type { OutputStream } from "../../src/core/log.js";
import type { ProcessSpec } from "../../src/core/provider.js";

const PATH = process.env.PATH ?? "/usr/bin:/bin";

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "heaven-run-process-"));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A tiny executable fixture in the test's temp dir. */
function fixture(name: string, body: string, mode = 0o755): string {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, mode);
  return file;
}

function spec(file: string, overrides: Partial<ProcessSpec> = {}): ProcessSpec {
  return { file, args: [], env: { PATH }, cwd: dir, ...overrides };
}

/** Runs and collects output per stream. */
async function run(processSpec: ProcessSpec, options: Partial<RunOptions> = {}) {
  const chunks: Record<OutputStream, Buffer[]> = { stdout: [], stderr: [] };
  const result = await runProcess(processSpec, {
    timeoutMs: 30_000,
    killGraceMs: 200,
    ...options,
    onOutput: async (chunk, stream) => {
      chunks[stream].push(chunk);
      await options.onOutput?.(chunk, stream);
    },
  });
  const text = (stream: OutputStream) => Buffer.concat(chunks[stream]).toString("utf8");
  return { result, stdout: text("stdout"), stderr: text("stderr") };
}

describe("runProcess", () => {
  describe("exit status", () => {
    it("reports exit code 0 for a command that succeeds", async () => {
      const { result } = await run(spec(fixture("ok", "exit 0")));
      expect(result).toEqual({ kind: "exited", exitCode: 0, durationMs: expect.any(Number) });
    });

    it("reports a non-zero exit code as it is, not as an error", async () => {
      const { result } = await run(spec(fixture("fail", "exit 3")));
      expect(result).toMatchObject({ kind: "exited", exitCode: 3 });
    });

    it("reports a command that kills itself with SIGKILL as signaled", async () => {
      const { result } = await run(spec(fixture("suicide", "echo going; kill -KILL $$")));
      expect(result).toMatchObject({ kind: "signaled", signal: "SIGKILL" });
    });

    it("reports a command ended by SIGTERM as signaled, not as timed out", async () => {
      const { result } = await run(spec(fixture("term", "kill -TERM $$")));
      expect(result).toMatchObject({ kind: "signaled", signal: "SIGTERM" });
    });

    it("runs in the given working directory", async () => {
      const { stdout } = await run(spec(fixture("where", "pwd")));
      expect(stdout.trim()).toBe(dir);
    });
  });

  describe("spawn failures", () => {
    it("reports ENOENT when the executable does not exist", async () => {
      const { result } = await run(spec(join(dir, "no-such-script")));
      expect(result).toMatchObject({ kind: "spawn-failed", code: "ENOENT" });
      expect(result.kind === "spawn-failed" && result.message).toEqual(expect.stringContaining("no-such-script"));
    });

    it("reports EACCES when the file is not executable", async () => {
      const { result } = await run(spec(fixture("not-executable", "echo never", 0o644)));
      expect(result).toMatchObject({ kind: "spawn-failed", code: "EACCES" });
    });

    it("looks the executable up on the given PATH, not on heaven's own", async () => {
      const bin = join(dir, "bin");
      mkdirSync(bin);
      writeFileSync(join(bin, "heaven-greet"), "#!/bin/sh\necho hello\n", { mode: 0o755 });
      const saved = process.env.PATH;
      process.env.PATH = `${bin}:${saved ?? ""}`;
      try {
        expect((await run(spec("heaven-greet", { env: { PATH: "/nonexistent" } }))).result).toMatchObject({
          kind: "spawn-failed",
          code: "ENOENT",
        });
      } finally {
        process.env.PATH = saved;
      }
      expect((await run(spec("heaven-greet", { env: { PATH: bin } }))).stdout).toBe("hello\n");
    });
  });

  describe("timeout", () => {
    it("times out and kills the whole process group, grandchildren included", async () => {
      const pidFile = join(dir, "grandchild.pid");
      const file = fixture("hang", `sleep 1000 &\necho $! > "${pidFile}"\necho waiting\nwait`);
      // The script records its grandchild well within the second it gets.
      const { result, stdout } = await run(spec(file), { timeoutMs: 1_000 });
      expect(result).toEqual({ kind: "timed-out", durationMs: expect.any(Number) });
      expect(stdout).toBe("waiting\n");
      expect(isDead(readPid(pidFile))).toBe(true);
    });

    it("does not report a timeout when the command finishes in time", async () => {
      const { result } = await run(spec(fixture("quick", "exit 0")), { timeoutMs: 10_000 });
      expect(result).toMatchObject({ kind: "exited", exitCode: 0 });
    });
  });

  describe("leftover background processes", () => {
    it("returns promptly when the command exits leaving a background process holding its output, and kills it", async () => {
      const pidFile = join(dir, "forgotten.pid");
      const file = fixture("forgetful", `sleep 1000 &\necho $! > "${pidFile}"\necho done\nexit 0`);
      const { result, stdout } = await run(spec(file), { timeoutMs: 20_000 });
      expect(result).toMatchObject({ kind: "exited", exitCode: 0 });
      expect(result.kind === "exited" && result.durationMs).toBeLessThan(10_000);
      expect(stdout).toBe("done\n");
      expect(isDead(readPid(pidFile))).toBe(true);
    });
  });

  describe("a process that left the group", () => {
    it("reports the exit, not a timeout or a hang, when a setsid process still holds the output", async () => {
      const pidFile = join(dir, "daemon.pid");
      const file = fixture("daemonising", `setsid sleep 1000 &\necho $! > "${pidFile}"\necho started\nexit 0`);
      try {
        const { result, stdout } = await run(spec(file), { timeoutMs: 8_000 });
        expect(result).toMatchObject({ kind: "exited", exitCode: 0 });
        expect(result.kind === "exited" && result.durationMs).toBeLessThan(6_000);
        expect(stdout).toBe("started\n");
      } finally {
        // Out of the group, so out of heaven's reach: the test cleans up after itself.
        try {
          process.kill(readPid(pidFile), "SIGKILL");
        } catch {
          // already gone
        }
      }
    });
  });

  describe("a failing output consumer", () => {
    it("stops the command's group and rethrows, rather than leave it running unwatched", async () => {
      const pidFile = join(dir, "script.pid");
      const grandchildFile = join(dir, "grandchild.pid");
      const file = fixture("watched", `echo $$ > "${pidFile}"\nsleep 1000 &\necho $! > "${grandchildFile}"\necho hello\nwait`);
      await expect(
        runProcess(spec(file), {
          timeoutMs: 30_000,
          killGraceMs: 200,
          onOutput: async () => {
            throw new Error("disk full");
          },
        }),
      ).rejects.toThrow("disk full");
      expect(isDead(readPid(pidFile))).toBe(true);
      expect(isDead(readPid(grandchildFile))).toBe(true);
    });
  });

  describe("abort", () => {
    it("stops the group and reports aborted when the signal fires mid-run", async () => {
      const pidFile = join(dir, "aborted.pid");
      const file = fixture("long", `sleep 1000 &\necho $! > "${pidFile}"\necho ready\nwait`);
      const controller = new AbortController();
      const { result } = await run(spec(file), {
        signal: controller.signal,
        onOutput: (chunk) => {
          if (chunk.toString().includes("ready")) controller.abort();
        },
      });
      expect(result).toEqual({ kind: "aborted", durationMs: expect.any(Number) });
      expect(isDead(readPid(pidFile))).toBe(true);
    });

    it("escalates to SIGKILL after the grace period when the group ignores SIGTERM", async () => {
      const pidFile = join(dir, "stubborn.pid");
      // `trap '' TERM` is inherited by the background sleep, so SIGTERM kills nobody.
      const file = fixture("stubborn", `trap '' TERM\nsleep 1000 &\necho $! > "${pidFile}"\necho ready\nwhile :; do wait; done`);
      // Stopped once it is ready, so the trap is surely set; a timeout stops a group the same way.
      const controller = new AbortController();
      let readyAt = 0;
      const { result } = await run(spec(file), {
        signal: controller.signal,
        killGraceMs: 300,
        onOutput: (chunk) => {
          if (!chunk.toString().includes("ready")) return;
          readyAt = Date.now();
          controller.abort();
        },
      });
      expect(result).toMatchObject({ kind: "aborted" });
      expect(Date.now() - readyAt).toBeGreaterThanOrEqual(250); // the grace period, give or take the clock's tick
      expect(isDead(readPid(pidFile))).toBe(true);
    });

    it("reports aborted when the signal had already fired", async () => {
      const { result } = await run(spec(fixture("long", "exec sleep 1000")), { signal: AbortSignal.abort() });
      expect(result).toMatchObject({ kind: "aborted" });
    });
  });

  describe("environment and arguments", () => {
    it("gives the command exactly the given environment and nothing inherited", async () => {
      process.env.HEAVEN_TEST_LEAK = "leaked";
      try {
        const { stdout } = await run(spec("/usr/bin/env", { env: { ONLY: "this", ALSO: "that=1" } }));
        expect(stdout.split("\n").filter((l) => l !== "").sort()).toEqual(["ALSO=that=1", "ONLY=this"]);
      } finally {
        delete process.env.HEAVEN_TEST_LEAK;
      }
    });

    it("passes arguments with shell metacharacters literally and executes none of them", async () => {
      const marker = join(dir, "pwned");
      const hostile = [`$(touch ${marker})`, `\`touch ${marker}\``, `; touch ${marker}`, `| touch ${marker}`, "*", "'\"", "--help"];
      const file = fixture("echo-args", `for arg in "$@"; do printf '%s\\0' "$arg"; done`);
      const { result, stdout } = await run(spec(file, { args: hostile }));
      expect(result).toMatchObject({ kind: "exited", exitCode: 0 });
      expect(stdout.split("\0").slice(0, -1)).toEqual(hostile);
      expect(existsSync(marker)).toBe(false);
    });
  });

  describe("output", () => {
    it("hands stdout and stderr chunks to onOutput tagged with their stream", async () => {
      const file = fixture("both", "echo to-out\necho to-err >&2\necho more-out");
      const { stdout, stderr } = await run(spec(file));
      expect(stdout).toBe("to-out\nmore-out\n");
      expect(stderr).toBe("to-err\n");
    });

    it("delivers every byte of 5 MB to a slow consumer, one chunk at a time per stream", async () => {
      const lines = 750_000;
      const file = fixture("chatty", `seq 1 ${lines}\nseq 1 1000 >&2`);
      const inFlight: Record<OutputStream, number> = { stdout: 0, stderr: 0 };
      let overlapped = false;
      let calls = 0;
      const { result, stdout, stderr } = await run(spec(file), {
        onOutput: async (_chunk, stream) => {
          inFlight[stream] += 1;
          if (inFlight[stream] > 1) overlapped = true;
          calls += 1;
          // A slow consumer: every tenth chunk waits for a timer tick.
          await new Promise<void>((resolve) => (calls % 10 === 0 ? setTimeout(resolve, 1) : setImmediate(resolve)));
          inFlight[stream] -= 1;
        },
      });
      let expected = "";
      for (let i = 1; i <= lines; i++) expected += `${i}\n`;
      expect(result).toMatchObject({ kind: "exited", exitCode: 0 });
      expect(Buffer.byteLength(stdout)).toBeGreaterThan(5_000_000);
      expect(createHash("sha256").update(stdout).digest("hex")).toBe(createHash("sha256").update(expected).digest("hex"));
      expect(stderr.split("\n").length).toBe(1001);
      expect(overlapped).toBe(false);
    });
  });
});
