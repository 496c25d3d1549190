/**
 * A Heroku build from creation to its end: its output stream copied into
 * heaven's log while its status is polled. The stream closing is the usual
 * sign the build is over, so it wakes the poll; a low `RateLimit-Remaining`
 * stretches the poll interval. Both stop the moment heaven's signal aborts.
 */
import { z } from "zod";
import type { ApiIo } from "../../src/core/provider.js";
import { describeError, type Pause, type PlatformApi } from "./platform-api.js";

export const buildSchema = z.object({
  id: z.string().min(1),
  status: z.enum(["pending", "succeeded", "failed"]),
  output_stream_url: z.url({ protocol: /^https?$/ }).nullish(),
  release: z.object({ id: z.string().min(1) }).nullish(),
});

export type Build = z.infer<typeof buildSchema>;

export interface WatchTiming {
  pause: Pause;
  pollMs: number;
  /** Below this many requests left, poll every `lowRatePollMs` instead. */
  lowRateRemaining: number;
  lowRatePollMs: number;
  /** How long the output may keep coming after the build's status is final. */
  outputGraceMs: number;
}

export type Watched = { ok: true; build: Build } | { ok: false; message: string };

/** Follows the build until its status is final; the output is in the log by then (or its grace is over). */
export async function watchBuild(api: PlatformApi, app: string, created: Build, io: ApiIo, timing: WatchTiming): Promise<Watched> {
  const output = followOutput(created.output_stream_url ?? undefined, io);
  try {
    const watched = await pollBuild(api, `/apps/${app}/builds/${encodeURIComponent(created.id)}`, output.ended, io, timing);
    if (watched.ok) await timing.pause(timing.outputGraceMs, io.signal, output.ended).catch(() => undefined);
    return watched;
  } finally {
    output.stop();
    await output.ended;
  }
}

async function pollBuild(api: PlatformApi, path: string, streamEnded: Promise<void>, { signal, log }: ApiIo, timing: WatchTiming): Promise<Watched> {
  // The stream's end wakes the first poll after it; later polls keep the interval.
  let wake: Promise<void> | undefined = streamEnded;
  let ended = false;
  let slowed = false;
  void streamEnded.then(() => (ended = true));
  for (;;) {
    const remaining = api.remaining();
    const low = remaining !== undefined && remaining < timing.lowRateRemaining;
    if (low && !slowed) log.note(`Heroku says ${remaining} API requests are left; polling the build every ${timing.lowRatePollMs / 1000} s`);
    slowed = low;
    await timing.pause(low ? timing.lowRatePollMs : timing.pollMs, signal, wake);
    if (ended) wake = undefined;
    const answer = await api.call("report the build's status", "GET", path);
    if (!answer.ok) return answer;
    const build = buildSchema.safeParse(answer.body);
    if (!build.success) return { ok: false, message: `Heroku answered with a build heaven cannot read (${build.error.issues[0]?.message ?? "invalid"})` };
    if (build.data.status !== "pending") return { ok: true, build: build.data };
  }
}

/** Copies the output stream into the log as it comes; `ended` never rejects. */
function followOutput(url: string | undefined, io: ApiIo): { ended: Promise<void>; stop: () => void } {
  const stopped = new AbortController();
  const signal = AbortSignal.any([io.signal, stopped.signal]);
  const copy = async () => {
    if (url === undefined) return;
    // A link Heroku signed for this build: it gets no API key.
    const response = await io.fetch(url, { signal });
    if (!response.ok || response.body === null) {
      await response.body?.cancel();
      io.log.note(`Heroku's build output answered ${response.status}; following the build's status only`);
      return;
    }
    const reader = response.body.getReader();
    let atLineStart = true;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (value.length === 0) continue;
        await io.log.output(Buffer.from(value), "stdout");
        atLineStart = value[value.length - 1] === 0x0a;
      }
    } finally {
      reader.releaseLock();
    }
    // An unterminated last line still counts as the build's last line.
    if (!atLineStart) await io.log.output(Buffer.from("\n"), "stdout");
  };
  const ended = copy().catch((error: unknown) => {
    if (!signal.aborted) io.log.note(`lost Heroku's build output: ${describeError(error)}`);
  });
  return { ended, stop: () => stopped.abort() };
}
