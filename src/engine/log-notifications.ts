/**
 * One LISTEN connection for every live tail of the process: waiters register
 * per log key and are woken by the NOTIFY a write sends. If the connection
 * drops, every waiter is woken (it reads again, so no write is missed while
 * nobody listened), and again once it listens anew (listen-connection.ts).
 */
import { ListenConnection } from "./listen-connection.js";
import { LOG_CHANNEL } from "./postgres-log-schema.js";

export class LogNotifications {
  private readonly waiters = new Map<string, Set<() => void>>();
  private connection: ListenConnection | undefined;
  private closed = false;

  /** Resolves once the process listens: a write after that wakes its waiters. */
  static async open(connectionString: string, onError: (error: unknown) => void): Promise<LogNotifications> {
    const notifications = new LogNotifications();
    notifications.connection = await ListenConnection.open({
      connectionString,
      channel: LOG_CHANNEL,
      // The payload is the log key written to; none after a reconnect: everyone reads again.
      notified: (key) => (key === undefined ? notifications.wakeAll() : notifications.wake(key)),
      lost: () => notifications.wakeAll(),
      onError,
    });
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
    this.wakeAll();
    await this.connection?.close();
  }

  private wake(key: string): void {
    for (const wake of [...(this.waiters.get(key) ?? [])]) wake();
  }

  private wakeAll(): void {
    for (const key of [...this.waiters.keys()]) this.wake(key);
  }
}
