/**
 * Paces the writes of each installation to stay under GitHub's secondary
 * limits for content-creating requests: one start per `minSpacingMs`, at
 * most `perMinute` in any sliding minute and `perHour` in any sliding hour,
 * and nothing while a rate-limit answer has paused the installation.
 * Installations are independent. No timers: the caller passes the clock
 * and asks when it may start next.
 */

export interface Pacing {
  minSpacingMs: number;
  perMinute: number;
  perHour: number;
}

export const DEFAULT_PACING: Pacing = { minSpacingMs: 1_000, perMinute: 80, perHour: 500 };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface InstallationPace {
  /** Start times within the last hour, oldest first. */
  starts: number[];
  pausedUntil: number;
}

export class Pacer {
  private readonly installations = new Map<number, InstallationPace>();

  constructor(private readonly pacing: Pacing = DEFAULT_PACING) {}

  /** The earliest time (≥ now) a write of this installation may start. */
  earliest(installationId: number, now: number): number {
    const pace = this.current(installationId, now);
    if (pace === undefined) return now;
    const { starts } = pace;
    let at = Math.max(now, pace.pausedUntil);
    const last = starts[starts.length - 1];
    if (last !== undefined) at = Math.max(at, last + this.pacing.minSpacingMs);
    // A window is full while its oldest counted start is still inside it.
    at = Math.max(at, windowOpensAt(starts, this.pacing.perMinute, MINUTE), windowOpensAt(starts, this.pacing.perHour, HOUR));
    return at;
  }

  took(installationId: number, at: number): void {
    const pace = this.current(installationId, at) ?? { starts: [], pausedUntil: 0 };
    pace.starts.push(at);
    this.installations.set(installationId, pace);
  }

  pause(installationId: number, until: number): void {
    const pace = this.installations.get(installationId) ?? { starts: [], pausedUntil: 0 };
    pace.pausedUntil = Math.max(pace.pausedUntil, until);
    this.installations.set(installationId, pace);
  }

  /** The installation's state with starts older than an hour dropped; forgotten once nothing is left. */
  private current(installationId: number, now: number): InstallationPace | undefined {
    const pace = this.installations.get(installationId);
    if (pace === undefined) return undefined;
    const firstKept = pace.starts.findIndex((start) => start > now - HOUR);
    pace.starts.splice(0, firstKept === -1 ? pace.starts.length : firstKept);
    if (pace.starts.length === 0 && pace.pausedUntil <= now) {
      this.installations.delete(installationId);
      return undefined;
    }
    return pace;
  }
}

/** With `limit` starts allowed per `window`: when the limit-th most recent start leaves the window. */
function windowOpensAt(starts: readonly number[], limit: number, window: number): number {
  if (starts.length < limit) return 0;
  const oldestCounted = starts[starts.length - limit];
  return oldestCounted === undefined ? 0 : oldestCounted + window;
}
