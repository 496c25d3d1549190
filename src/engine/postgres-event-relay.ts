/**
 * Deployment events between the processes of the scale-out mode. The worker
 * that runs a deployment tells its events to its own sinks; through `sink`
 * it also writes them to PostgreSQL, and a process that serves pages
 * `listen`s and feeds them to its dashboard stream and parked checks, which
 * would otherwise never hear of the deployments workers run. Each row carries
 * the id of the process that wrote it, so a process is never told its own
 * events twice. A listener starts from the events written after it began,
 * reads on each NOTIFY and every ~2 s (a notification or connection lost
 * costs a delay, never an event), and now and then deletes events over an
 * hour old. One pool of a couple of connections and one LISTEN connection.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import pg from "pg";
import type { DeploymentEvent, EventSink } from "../core/events.js";
import { parseJob, type DeploymentJob } from "../core/job.js";
import { isObject } from "../core/json.js";
import { every, type Repeating } from "./every.js";
import { ListenConnection } from "./listen-connection.js";
import { OneAtATime } from "./one-at-a-time.js";
import { openMigratedPool } from "./postgres-pool.js";
import { deleteEventsOlderThan, EVENT_CHANNEL, insertEvent, lastEventId, migrateEventSchema, rowsAfter, type RelayedRow } from "./postgres-event-schema.js";

export interface PostgresEventRelayOptions {
  /** DATABASE_URL. */
  connectionString: string;
  /** A connection, read or event that failed in the background (logged; the relay goes on). */
  onError: (error: unknown) => void;
  /** How often a listener reads without being told to. Default 2 s. */
  pollMs?: number;
  /** How old an event gets before it is deleted. Default an hour. */
  keepMs?: number;
}

const POLL_MS = 2_000;
const KEEP_MS = 60 * 60 * 1000;
/** Deleting old events is not urgent: once every this many polls. */
const SWEEP_EVERY_POLLS = 30;
/** Rows read at once: a listener catching up reads in batches. */
const BATCH = 200;

/** Every event type, so a row an unknown heaven wrote is reported rather than handed to a sink. */
const EVENT_TYPES: Record<DeploymentEvent["type"], true> = { queued: true, "waiting-for-ci": true, "waiting-for-unlock": true, started: true, finished: true, configured: true };

interface Listening {
  sinks: readonly EventSink[];
  connection: ListenConnection;
  poll: Repeating;
  /** The id of the last row read (own rows included). */
  lastSeen: string;
  /** Reads what is new; told again while it reads, it reads once more. */
  reads: OneAtATime;
}

export class PostgresEventRelay {
  /** This process, as the rows it writes name it. */
  readonly origin = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  /** Add to the process's sinks: every event it publishes is written for the others. */
  readonly sink: EventSink = { publish: (job, event, logUrl) => insertEvent(this.pool, { origin: this.origin, job, event, logUrl }) };
  private listening: Listening | undefined;
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly options: PostgresEventRelayOptions,
  ) {}

  /** Migrates the table, then resolves. */
  static async open(options: PostgresEventRelayOptions): Promise<PostgresEventRelay> {
    const pool = await openMigratedPool({ connectionString: options.connectionString, max: 2, onError: options.onError, migrate: migrateEventSchema });
    return new PostgresEventRelay(pool, options);
  }

  /** Feeds `sinks`, in order, every event other processes write from now on. Resolves once listening, old events deleted. */
  async listen(sinks: readonly EventSink[]): Promise<void> {
    if (this.closed) throw new Error("the event relay is closed");
    if (this.listening !== undefined) throw new Error("the event relay already listens");
    // LISTEN before the starting point is read, so an event written meanwhile is still told (and found by the first poll).
    const connection = await ListenConnection.open({ connectionString: this.options.connectionString, channel: EVENT_CHANNEL, notified: () => void this.read(), onError: this.options.onError });
    let lastSeen: string;
    try {
      lastSeen = await lastEventId(this.pool);
    } catch (error) {
      await connection.close();
      throw error;
    }
    await this.sweep();
    let polls = 0;
    const poll = every(this.options.pollMs ?? POLL_MS, async () => {
      await this.read();
      polls += 1;
      if (polls % SWEEP_EVERY_POLLS === 0) await this.sweep();
    });
    const listening: Listening = { sinks, connection, poll, lastSeen, reads: new OneAtATime(() => (this.closed ? Promise.resolve() : this.readAll(listening).catch(this.options.onError))) };
    this.listening = listening;
  }

  /** Stops listening (nothing more reaches the sinks once it resolves) and closes the pool; `sink` fails after. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const listening = this.listening;
    if (listening !== undefined) {
      await listening.connection.close();
      await listening.poll.stop();
      await listening.reads.idle();
    }
    await this.pool.end();
  }

  /** Deletes the events older than it keeps; a failure is reported (the next sweep tries again). */
  private async sweep(): Promise<void> {
    await deleteEventsOlderThan(this.pool, this.options.keepMs ?? KEEP_MS).catch(this.options.onError);
  }

  /** Reads what is new (nothing before `listen` has set the starting point). Never rejects. */
  private read(): Promise<void> {
    return this.listening === undefined || this.closed ? Promise.resolve() : this.listening.reads.run();
  }

  private async readAll(listening: Listening): Promise<void> {
    for (;;) {
      const rows = await rowsAfter(this.pool, listening.lastSeen, this.origin, BATCH);
      for (const row of rows) {
        if (this.closed) return;
        listening.lastSeen = row.id;
        if (!row.mine) await this.deliver(listening.sinks, row);
      }
      if (rows.length < BATCH) return;
    }
  }

  /** One event to each sink in turn; a sink that fails is reported and the others still get it. */
  private async deliver(sinks: readonly EventSink[], row: RelayedRow): Promise<void> {
    const read = readRow(row);
    if (!read.ok) {
      this.options.onError(new Error(`relayed event ${row.id} skipped: ${read.error}`));
      return;
    }
    for (const sink of sinks) {
      if (this.closed) return;
      await sink.publish(read.job, read.event, row.log_url).catch(this.options.onError);
    }
  }
}

/** A row back into what was published: the job through its schema, the event by its type. */
function readRow(row: RelayedRow): { ok: true; job: DeploymentJob; event: DeploymentEvent } | { ok: false; error: string } {
  const job = parseJob(row.job);
  if (!job.ok) return { ok: false, error: `its job does not read: ${job.error}` };
  const { event } = row;
  if (!isObject(event) || typeof event.type !== "string" || !Object.hasOwn(EVENT_TYPES, event.type)) return { ok: false, error: "its event has no type this heaven knows" };
  // Written by heaven's own sink from a DeploymentEvent; the type is what sinks switch on.
  return { ok: true, job: job.job, event: event as unknown as DeploymentEvent };
}
