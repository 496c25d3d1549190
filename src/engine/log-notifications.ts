/**
 * One LISTEN connection for every live tail of the process: waiters register
 * per log key and are woken by the NOTIFY a write sends. If the connection
 * drops, every waiter is woken (it reads again, so no write is missed while
 * nobody listened) and the connection is made again, a second apart.
 */
import pg from "pg";
import { LOG_CHANNEL } from "./postgres-log-schema.js";

const RECONNECT_MS = 1_000;

export class LogNotifications {
  private readonly waiters = new Map<string, Set<() => void>>();
  private client: pg.Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    private readonly connectionString: string,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Resolves once the process listens: a write after that wakes its waiters. */
  static async open(connectionString: string, onError: (error: unknown) => void): Promise<LogNotifications> {
    const notifications = new LogNotifications(connectionString, onError);
    await notifications.connect();
    return notifications;
  }

  /** Resolves on the next notification for `key`, when `signal` aborts, or when the connection is lost. */
  changed(key: string, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    // Closed: nothing more will be told, so only the signal ends the wait (a tail falls back to looking now and then).
    if (this.closed) return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
    return new Promise<void>((resolve) => {
      const wake = () => {
        signal.removeEventListener("abort", wake);
        const set = this.waiters.get(key);
        set?.delete(wake);
        if (set?.size === 0) this.waiters.delete(key);
        resolve();
      };
      signal.addEventListener("abort", wake, { once: true });
      const set = this.waiters.get(key) ?? new Set();
      set.add(wake);
      this.waiters.set(key, set);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    this.wakeAll();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString });
    client.on("notification", (message) => {
      if (message.channel === LOG_CHANNEL && message.payload !== undefined) this.wake(message.payload);
    });
    client.on("error", (error) => {
      this.onError(error);
      this.lost(client);
    });
    client.on("end", () => this.lost(client));
    try {
      await client.connect();
      await client.query(`listen ${LOG_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) await client.end().catch(() => undefined);
    else this.client = client;
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.wakeAll();
    this.reconnectLater();
  }

  private reconnectLater(): void {
    if (this.closed) return;
    this.retry = setTimeout(() => {
      this.connect().catch((error: unknown) => {
        this.onError(error);
        this.reconnectLater();
      });
    }, RECONNECT_MS);
    this.retry.unref();
  }

  private wake(key: string): void {
    for (const wake of [...(this.waiters.get(key) ?? [])]) wake();
  }

  private wakeAll(): void {
    for (const key of [...this.waiters.keys()]) this.wake(key);
  }
}
