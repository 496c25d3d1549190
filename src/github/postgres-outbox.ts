/**
 * The outbox in scale-out mode: every heaven process adds its GitHub writes
 * to PostgreSQL (durable before `add` resolves, a key stored once whoever
 * adds it), and exactly one process at a time delivers them all — the one
 * holding an advisory lock on its own connection. One deliverer keeps the
 * outbox's promises across processes: each installation's writes paced
 * once (three workers do not write three times GitHub's budget), a
 * deployment's statuses in order, a reply's comment edited, not posted
 * twice. When the deliverer dies its connection closes, the lock goes, and
 * another process takes over within `pollMs`: it checks with GitHub what
 * may already have landed before sending it again (Outbox.over).
 */
import pg from "pg";
import { every, type Repeating } from "../engine/every.js";
import { OneAtATime } from "../engine/one-at-a-time.js";
import { openMigratedPool } from "../engine/postgres-pool.js";
import { ADVISORY_LOCKS } from "../queue/postgres-schema.js";
import { Outbox, type OutboxCounts, type OutboxOptions } from "./outbox.js";
import { withHeavenKey, type OutboxWrite } from "./outbox-state.js";
import { beatAsDeliverer, insertWrite, migrateOutboxSchema, OUTBOX_CHANNEL, sweepFinished, unseatFrozenDeliverer } from "./postgres-outbox-rows.js";
import { PostgresOutboxStore } from "./postgres-outbox-store.js";

export interface PostgresOutboxOptions extends Omit<OutboxOptions, "file"> {
  /** DATABASE_URL. */
  connectionString: string;
  /** A connection or query that failed in the background. */
  onError: (error: unknown) => void;
  /** How often a process that does not deliver asks to, and the deliverer beats and looks for rows it was not told of. Default 2 s. */
  pollMs?: number;
  /** A deliverer silent this long (frozen: its connection, and so its lock, still open) has its connection ended by another process. Default 15 s. */
  frozenAfterMs?: number;
  /** Runs once the tables exist, before anything is delivered or added: an embedded heaven's file moves in here. */
  importFrom?: (pool: pg.Pool) => Promise<void>;
}

/** What the app and shutdown use of an outbox, the file one or this. */
export type DeliveringOutbox = Pick<Outbox, "add" | "flush" | "idle" | "close" | "counts">;

const DELIVERER_LOCK = ADVISORY_LOCKS.outboxDeliverer;
const SWEEP_EVERY_MS = 60 * 60 * 1000;

type Finished = Omit<OutboxCounts, "added" | "pending">;

export class PostgresOutbox implements DeliveringOutbox {
  private client: pg.Client | undefined;
  private delivering: { outbox: Outbox; store: PostgresOutboxStore } | undefined;
  private loop: Repeating | undefined;
  /** Takes the rows added since the last look into delivery. */
  private readonly looks = new OneAtATime(() => this.lookOnce());
  private retiring: Promise<void> | undefined;
  private lastSweep = 0;
  private closed = false;
  private added = 0;
  /** What earlier turns as the deliverer finished: counts stay monotonic. */
  private readonly earlier: Finished = { delivered: 0, coalesced: 0, dropped: 0, attempts: 0 };

  private constructor(
    private readonly pool: pg.Pool,
    private readonly options: PostgresOutboxOptions,
  ) {}

  /** Migrates the outbox's tables; becomes the deliverer now if no other process is. */
  static async open(options: PostgresOutboxOptions): Promise<PostgresOutbox> {
    const migrate = async (pool: pg.Pool) => {
      await migrateOutboxSchema(pool);
      await options.importFrom?.(pool);
    };
    const pool = await openMigratedPool({ connectionString: options.connectionString, max: 4, onError: options.onError, migrate });
    const outbox = new PostgresOutbox(pool, options);
    await outbox.tick();
    const pollMs = options.pollMs ?? 2_000;
    outbox.loop = every(pollMs, () => outbox.tick(), { startDelayMs: pollMs });
    return outbox;
  }

  /** True while this process delivers the writes of every process. */
  get isDeliverer(): boolean {
    return this.delivering !== undefined;
  }

  /** Stored (and the deliverer woken) before it resolves; the deliverer's own writes come back through the same look, in the order of the rows. */
  async add(input: OutboxWrite): Promise<"added" | "duplicate"> {
    if (this.closed) throw new Error(`the outbox is closed; ${input.key} was not added`);
    const stored = await insertWrite(this.pool, withHeavenKey(input), Date.now());
    if (stored === undefined) return "duplicate";
    this.added += 1;
    if (this.delivering !== undefined) void this.pickUp().catch(this.options.onError);
    return "added";
  }

  /** The deliverer waits for what it holds (the rest stays in PostgreSQL for whoever delivers next); others have nothing of their own. */
  async flush(timeoutMs: number): Promise<number> {
    // What was added a moment ago is taken in first: it counts as this deliverer's.
    await this.pickUp().catch(() => undefined);
    return (await this.delivering?.outbox.flush(timeoutMs)) ?? 0;
  }

  async idle(): Promise<void> {
    await this.pickUp().catch(() => undefined);
    await this.delivering?.outbox.idle();
  }

  counts(): OutboxCounts {
    const now = this.delivering?.outbox.counts();
    const sum = (name: keyof Finished) => this.earlier[name] + (now?.[name] ?? 0);
    return { added: this.added, delivered: sum("delivered"), coalesced: sum("coalesced"), dropped: sum("dropped"), attempts: sum("attempts"), pending: now?.pending ?? 0 };
  }

  /** Stops delivering (what is in flight finishes), lets go of the lock so another process takes over, closes the pool. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A claim under way finishes first (it looks at `closed` after each step), then nothing starts again.
    await this.loop?.stop();
    await this.looks.idle();
    this.retiring ??= this.retire();
    await this.retiring;
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
    await this.pool.end().catch(() => undefined);
  }

  /** One step of the loop: the deliverer beats and looks for new rows; any other process asks to deliver. */
  private async tick(): Promise<void> {
    try {
      const client = this.client;
      if (this.delivering !== undefined && client !== undefined) {
        await beatAsDeliverer(client);
        await this.pickUp();
      } else await this.claim();
    } catch (error) {
      this.options.onError(error);
    }
  }

  private async claim(): Promise<void> {
    // A turn that ended with its connection finishes what it had in flight before this process may deliver again.
    await this.retiring;
    this.retiring = undefined;
    const client = this.client ?? (await this.connect());
    if (this.closed) return;
    const { rows } = await client.query<{ won: boolean }>("select pg_try_advisory_lock($1) as won", [DELIVERER_LOCK]);
    if (rows[0]?.won !== true) {
      if (await unseatFrozenDeliverer(client, DELIVERER_LOCK, this.options.frozenAfterMs ?? 15_000)) {
        this.options.log.warn({}, "outbox: the process delivering GitHub writes stopped answering; its connection was ended so another process takes over");
      }
      return;
    }
    if (this.closed) return;
    await beatAsDeliverer(client);
    // Listening before reading: a write added in between is told, not missed.
    await client.query(`listen ${OUTBOX_CHANNEL}`);
    const { store, skipped } = await PostgresOutboxStore.load(this.pool);
    // The connection (and the lock with it) may have gone while the rows were read: then another process delivers.
    if (this.closed || this.client !== client) return;
    for (const line of skipped) this.options.log.error({ line }, `outbox: ${line}`);
    this.delivering = { outbox: Outbox.over(store, this.options), store };
    this.options.log.info({}, "outbox: this process now delivers the GitHub writes of every heaven process (scale-out mode)");
  }

  private async connect(): Promise<pg.Client> {
    // Bounded: a shutdown waits for a claim under way, and so for its connect.
    const client = new pg.Client({ connectionString: this.options.connectionString, connectionTimeoutMillis: 5_000 });
    client.on("notification", () => void this.pickUp().catch(this.options.onError));
    client.on("error", (error) => {
      this.options.onError(error);
      this.lost(client);
    });
    client.on("end", () => this.lost(client));
    await client.connect();
    this.client = client;
    return client;
  }

  /** The lock went with the connection: another process may deliver now, so this one stops at once. */
  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    if (this.delivering === undefined || this.closed) return;
    this.options.log.warn({}, "outbox: lost its PostgreSQL connection, and with it the turn to deliver; another heaven process takes over");
    this.retiring = this.retire().catch(this.options.onError);
  }

  private async retire(): Promise<void> {
    const turn = this.delivering;
    if (turn === undefined) return;
    this.delivering = undefined;
    await turn.outbox.close();
    const counts = turn.outbox.counts();
    for (const name of Object.keys(this.earlier) as (keyof Finished)[]) this.earlier[name] += counts[name];
  }

  /** The deliverer takes in what was added; anyone else has nothing to look at. */
  private pickUp(): Promise<void> {
    return this.delivering === undefined ? Promise.resolve() : this.looks.run();
  }

  private async lookOnce(): Promise<void> {
    const turn = this.delivering;
    if (turn === undefined) return;
    for (const { stored, check } of await turn.store.arrivals()) turn.outbox.adopt(stored, check);
    if (Date.now() - this.lastSweep > SWEEP_EVERY_MS) {
      this.lastSweep = Date.now();
      await sweepFinished(this.pool);
    }
  }
}
