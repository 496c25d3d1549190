/**
 * The one place heaven starts processes. Every command is an executable and
 * an argv array (never a shell string), runs in its own process group, and is
 * killed as a group: on timeout, on abort, and when the main process exits
 * (a forgotten `sleep &` must not hold the log open or outlive the deploy).
 * Output is handed to the caller chunk by chunk with backpressure, so a
 * chatty command cannot grow heaven's memory.
 */
import { execa } from "execa";
import type { OutputStream } from "../core/log.js";
import type { ProcessSpec } from "../core/provider.js";


export interface RunOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  onOutput: (chunk: Buffer, stream: OutputStream) => void | Promise<void>;
  /** Time between SIGTERM and SIGKILL to the group. */
  killGraceMs?: number;
  /** Told the new process group's id as soon as the command is spawned. */
  onSpawn?: (pgid: number) => void;
  /** Run as this user (HEAVEN_RUN_AS); heaven must be root to switch. */
  user?: { uid: number; gid: number } | undefined;
}

export type ProcessResult =
  | { kind: "exited"; exitCode: number; durationMs: number }
  | { kind: "signaled"; signal: string; durationMs: number }
  | { kind: "timed-out"; durationMs: number }
  | { kind: "aborted"; durationMs: number }
  | { kind: "spawn-failed"; code: string; message: string };

/** How long the pipes of a command that exited stay open for what is still in them. */
const PIPE_DRAIN_MS = 2_000;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

export async function runProcess(spec: ProcessSpec, options: RunOptions): Promise<ProcessResult> {
  const started = Date.now();
  const child = execa(spec.file, [...spec.args], {
    cwd: spec.cwd,
    env: { ...spec.env },
    extendEnv: false,
    detached: true,
    stdin: "ignore",
    buffer: false,
    reject: false,
    cleanup: true,
    windowsHide: true,
    ...(options.user === undefined ? {} : { uid: options.user.uid, gid: options.user.gid }),
  });
  if (child.pid !== undefined) options.onSpawn?.(child.pid);

  let stoppedBy: "timeout" | "abort" | undefined;
  let exited = false;
  let killTimer: NodeJS.Timeout | undefined;
  const stop = (reason: "timeout" | "abort") => {
    if (stoppedBy !== undefined || exited || child.pid === undefined) return;
    stoppedBy = reason;
    killGroup(child.pid, "SIGTERM");
    killTimer = setTimeout(() => child.pid !== undefined && killGroup(child.pid, "SIGKILL"), options.killGraceMs ?? 5_000);
  };
  const timeout = setTimeout(() => stop("timeout"), options.timeoutMs);
  const onAbort = () => stop("abort");
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  // Leftover group members (daemonised by mistake) would keep the pipes open.
  // A process that left the group (setsid, `ssh -f`) cannot be killed with it:
  // once the command has exited its pipes get a moment to drain, then are
  // closed, so such a process can neither hang the deployment nor turn a
  // finished command into a timeout.
  let pipesTimer: NodeJS.Timeout | undefined;
  child.on("exit", () => {
    exited = true;
    if (child.pid !== undefined) killGroup(child.pid, "SIGKILL");
    pipesTimer = setTimeout(() => {
      child.stdout?.destroy();
      child.stderr?.destroy();
    }, PIPE_DRAIN_MS);
    pipesTimer.unref();
  });

  const drain = async (stream: NodeJS.ReadableStream | null, name: OutputStream) => {
    if (stream === null) return;
    try {
      for await (const chunk of stream) await options.onOutput(chunk as Buffer, name);
    } catch (error) {
      // Closed by the timer above: what was written before the command exited has been read.
      if ((error as { code?: unknown }).code !== "ERR_STREAM_PREMATURE_CLOSE") throw error;
    }
  };

  try {
    const [result] = await Promise.all([child, drain(child.stdout, "stdout"), drain(child.stderr, "stderr")]);
    const durationMs = Date.now() - started;
    if (stoppedBy === "timeout") return { kind: "timed-out", durationMs };
    if (stoppedBy === "abort") return { kind: "aborted", durationMs };
    const code = (result as { code?: unknown }).code;
    if (child.pid === undefined || (typeof code === "string" && result.exitCode === undefined && result.signal === undefined)) {
      return { kind: "spawn-failed", code: typeof code === "string" ? code : "UNKNOWN", message: result.shortMessage ?? result.message ?? "could not start" };
    }
    if (result.signal !== undefined) return { kind: "signaled", signal: result.signal, durationMs };
    return { kind: "exited", exitCode: result.exitCode ?? 0, durationMs };
  } catch (error) {
    // onOutput failed: nothing watches the command any more (its timeout is
    // about to be cleared), so stop the group before giving up.
    if (child.pid !== undefined) killGroup(child.pid, "SIGKILL");
    await child.catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(timeout);
    if (pipesTimer !== undefined) clearTimeout(pipesTimer);
    if (killTimer !== undefined) clearTimeout(killTimer);
    options.signal?.removeEventListener("abort", onAbort);
  }
}
