/**
 * Waits for an updated environment to be Ready and Green at the new version
 * (Heaven returned as soon as UpdateEnvironment answered), writing its events
 * into the deployment's log as they appear. Stops at the first look after
 * io.signal aborts: every call and every pause takes the signal.
 */
import { setTimeout as sleep } from "node:timers/promises";
import {
  DescribeEnvironmentsCommand,
  DescribeEventsCommand,
  type ElasticBeanstalkClient,
  type EventDescription,
} from "@aws-sdk/client-elastic-beanstalk";
import type { LogSink } from "../../src/core/log.js";
import { eventKey, failureEvent, formatEvent, freshEvents, judgeReading, NEW_WATCH, readEnvironmentHealth, type Target } from "./read-environment-health.js";

export interface WatchSettings {
  application: string;
  /** Events from this moment on are the update's (AWS's clock when it said so). */
  since: Date;
  pollMs: number;
  greenTimeoutMs: number;
  now?: () => number;
}

export type WatchResult = { kind: "deployed"; cname: string | undefined } | { kind: "failed"; message: string };

/** At most this many pages of events per look: a flood of events must not stall the watch. */
const MAX_EVENT_PAGES = 5;

export async function watchEnvironment(eb: ElasticBeanstalkClient, target: Target, settings: WatchSettings, io: { signal: AbortSignal; log: LogSink }): Promise<WatchResult> {
  const now = settings.now ?? Date.now;
  const seen = new Set<string>();
  const say = (line: string) => io.log.output(Buffer.from(`${line}\n`), "stdout");
  let watch = NEW_WATCH;
  let lastWhat: string | undefined;
  let since = settings.since;
  for (;;) {
    const described = await eb.send(
      new DescribeEnvironmentsCommand({ ApplicationName: settings.application, EnvironmentNames: [target.environmentName], IncludeDeleted: false }),
      { abortSignal: io.signal },
    );
    const events = freshEvents(await recentEvents(eb, { application: settings.application, environmentName: target.environmentName, since }, io.signal), seen);
    for (const event of events) {
      seen.add(eventKey(event));
      if (event.EventDate !== undefined && event.EventDate > since) since = event.EventDate;
      await say(formatEvent(event));
    }
    const bad = failureEvent(events);
    if (bad !== undefined) return { kind: "failed", message: `${bad.Severity} event: ${bad.Message ?? "(no message)"}` };
    const verdict = judgeReading(readEnvironmentHealth(described, target), watch, now(), settings.greenTimeoutMs);
    if (verdict.kind !== "wait") return verdict;
    if (verdict.what !== lastWhat) await say(`environment ${target.environmentName}: ${verdict.what}`);
    lastWhat = verdict.what;
    watch = verdict.watch;
    await sleep(settings.pollMs, undefined, { signal: io.signal });
  }
}

async function recentEvents(
  eb: ElasticBeanstalkClient,
  query: { application: string; environmentName: string; since: Date },
  signal: AbortSignal,
): Promise<EventDescription[]> {
  const events: EventDescription[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_EVENT_PAGES; page++) {
    const answer = await eb.send(
      new DescribeEventsCommand({ ApplicationName: query.application, EnvironmentName: query.environmentName, StartTime: query.since, NextToken: token }),
      { abortSignal: signal },
    );
    events.push(...(answer.Events ?? []));
    token = answer.NextToken;
    if (token === undefined || token === "") break;
  }
  return events;
}
