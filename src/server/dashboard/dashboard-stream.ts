/**
 * The dashboard's live updates: an event sink that fans every deployment's
 * events out to the dashboard pages open in browsers (Server-Sent Events,
 * `GET /dashboard/stream[?repo=owner/name]`), each only the events of the
 * repositories its person can read on GitHub (their installations'
 * repositories, listed with their own token). A comment every 15 s keeps
 * proxies from closing a quiet stream; at shutdown every stream is ended, as
 * the log page's are, and the browser reconnects to the next heaven.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { DeploymentEvent, EventSink } from "../../core/events.js";
import type { DeploymentJob } from "../../core/job.js";
import { describeOutcome } from "../../decisions/describe-outcome.js";
import { isDeployTask } from "../../decisions/is-deploy-task.js";
import { EVENT_STREAM_HEADERS, KEEPALIVE, KEEPALIVE_MS, RETRY_FIELD, sseEvent } from "../event-stream.js";

/** How often open streams are looked at: a keep-alive due, the server closing. */
const CHECK_MS = 1_000;
/** A browser that reads nothing for this much is dropped rather than buffered for. */
const MAX_BUFFERED = 1 << 20;

export interface DashboardEvent {
  repository: string;
  environment: string;
  deploymentId: number;
  task: string;
  /** A deploy (its state moves the environment's badge), not a lock or unlock. */
  deploy: boolean;
  /** As GitHub's status will say it: queued, pending, in_progress, success, failure, error. */
  state: string;
  sha: string;
  by: string;
}

/** What a page is told of an event; undefined for one it shows nothing of. */
export function dashboardEvent(job: DeploymentJob, event: DeploymentEvent): DashboardEvent | undefined {
  if (job.origin.kind !== "github" || event.type === "configured") return undefined;
  const { request } = job;
  const state = event.type === "finished" ? describeOutcome(event.outcome).state : event.type === "started" ? "in_progress" : event.type === "waiting-for-ci" ? "pending" : "queued";
  const sha = event.type === "started" || event.type === "waiting-for-ci" ? event.sha : request.sha;
  return { repository: request.repository.fullName, environment: request.environment, deploymentId: Number(request.id), task: request.task, deploy: isDeployTask(request.task), state, sha, by: request.creator };
}

interface Client {
  res: ServerResponse;
  /** Lower-cased full names of the repositories this person may hear about. */
  repositories: ReadonlySet<string>;
  closing: () => boolean;
  wrote: number;
}

export class DashboardStream implements EventSink {
  private readonly clients = new Set<Client>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  async publish(job: DeploymentJob, event: DeploymentEvent): Promise<void> {
    const told = dashboardEvent(job, event);
    if (told === undefined) return;
    const text = sseEvent("deployment", JSON.stringify(told));
    for (const client of this.clients) if (client.repositories.has(told.repository.toLowerCase())) this.write(client, text);
  }

  /** Answers `req` with a stream of the events of `repositories`, until the browser goes or the server closes. */
  open(req: IncomingMessage, res: ServerResponse, repositories: Iterable<string>): void {
    res.writeHead(200, EVENT_STREAM_HEADERS);
    // Node sets `server` on the sockets a server accepts; it stops listening as soon as it is asked to close.
    const server = (req.socket as { server?: { listening?: boolean } }).server;
    const client: Client = { res, repositories: new Set([...repositories].map((name) => name.toLowerCase())), closing: () => server?.listening === false, wrote: this.now() };
    this.clients.add(client);
    res.on("close", () => this.drop(client));
    this.write(client, RETRY_FIELD);
    this.timer ??= setInterval(() => this.check(), CHECK_MS).unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Ends every stream (the server is stopping). */
  close(): void {
    for (const client of this.clients) this.drop(client);
  }

  private write(client: Client, text: string): void {
    if (client.res.destroyed || client.res.writableLength > MAX_BUFFERED) return this.drop(client);
    client.res.write(text);
    client.wrote = this.now();
  }

  private check(): void {
    for (const client of this.clients) {
      if (client.closing()) this.drop(client);
      else if (this.now() - client.wrote >= KEEPALIVE_MS) this.write(client, KEEPALIVE);
    }
  }

  private drop(client: Client): void {
    if (!this.clients.delete(client)) return;
    client.res.end();
    if (this.clients.size === 0 && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
