/**
 * What an environment's state means for a deployment, and when waiting on it
 * has become a failure. Pure: DescribeEnvironments/DescribeEvents output and
 * the clock in, a verdict out.
 */
import type { EnvironmentDescription, EventDescription } from "@aws-sdk/client-elastic-beanstalk";

export interface Target {
  environmentName: string;
  versionLabel: string;
}

export type EnvironmentReading =
  /** Ready, Green, running the new version. */
  | { kind: "green"; cname: string | undefined }
  /** Not Ready yet (Updating, Launching…): the update is under way. */
  | { kind: "busy"; what: string }
  /** Ready, but not (yet) Green, or still at another version. */
  | { kind: "settling"; what: string; otherVersion: string | undefined }
  | { kind: "failed"; message: string };

const health = (env: EnvironmentDescription) => `${env.Health ?? "unknown"}${env.HealthStatus === undefined ? "" : ` (${env.HealthStatus})`}`;

export function readEnvironmentHealth(output: { Environments?: EnvironmentDescription[] | undefined }, target: Target): EnvironmentReading {
  const env = output.Environments?.find((candidate) => candidate.EnvironmentName === target.environmentName);
  if (env === undefined || env.Status === "Terminated" || env.Status === "Terminating") {
    return { kind: "failed", message: `environment ${target.environmentName} does not exist${env === undefined ? "" : ` (${env.Status})`}` };
  }
  if (env.Health === "Red") return { kind: "failed", message: `health is ${health(env)}, status ${env.Status ?? "unknown"}` };
  if (env.Status !== "Ready") return { kind: "busy", what: `${env.Status ?? "unknown"}, health ${health(env)}` };
  if (env.VersionLabel !== target.versionLabel) {
    return { kind: "settling", what: `Ready at version ${env.VersionLabel ?? "none"}, health ${health(env)}`, otherVersion: env.VersionLabel ?? "none" };
  }
  if (env.Health !== "Green") return { kind: "settling", what: `Ready, health ${health(env)}`, otherVersion: undefined };
  return { kind: "green", cname: env.CNAME };
}

/** What the watch remembers between looks. */
export interface Watch {
  /** The environment has been seen busy since the update: a Ready at another version now means it went back. */
  sawBusy: boolean;
  /** When it was first seen Ready but not Green, in ms. */
  settlingSince: number | undefined;
}

export const NEW_WATCH: Watch = { sawBusy: false, settlingSince: undefined };

export type Verdict =
  | { kind: "deployed"; cname: string | undefined }
  | { kind: "failed"; message: string }
  | { kind: "wait"; watch: Watch; what: string };

export function judgeReading(reading: EnvironmentReading, watch: Watch, now: number, greenTimeoutMs: number): Verdict {
  switch (reading.kind) {
    case "green":
      return { kind: "deployed", cname: reading.cname };
    case "failed":
      return reading;
    case "busy":
      return { kind: "wait", watch: { sawBusy: true, settlingSince: undefined }, what: reading.what };
    case "settling": {
      if (reading.otherVersion !== undefined && watch.sawBusy) return { kind: "failed", message: `rolled back: ${reading.what}` };
      const since = watch.settlingSince ?? now;
      if (now - since >= greenTimeoutMs) return { kind: "failed", message: `${reading.what} for ${Math.round((now - since) / 1000)} s` };
      return { kind: "wait", watch: { ...watch, settlingSince: since }, what: reading.what };
    }
  }
}

/** ERROR and FATAL events end the deployment: AWS says something went wrong. */
export function failureEvent(events: readonly EventDescription[]): EventDescription | undefined {
  return events.find((event) => event.Severity === "ERROR" || event.Severity === "FATAL");
}

/** Events not seen before, oldest first (DescribeEvents answers newest first, and its StartTime is inclusive). */
export function freshEvents(events: readonly EventDescription[], seen: ReadonlySet<string>): EventDescription[] {
  return [...events].reverse().filter((event) => !seen.has(eventKey(event))).sort((a, b) => (a.EventDate?.getTime() ?? 0) - (b.EventDate?.getTime() ?? 0));
}

export function eventKey(event: EventDescription): string {
  return `${event.EventDate?.toISOString() ?? ""} ${event.Severity ?? ""} ${event.Message ?? ""}`;
}

export function formatEvent(event: EventDescription): string {
  return `${event.EventDate?.toISOString() ?? "-"} ${event.Severity ?? "INFO"} ${event.Message ?? ""}`;
}
