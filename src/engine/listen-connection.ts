/**
 * A dedicated connection LISTENing on one channel: `notified` runs on each
 * notification (with its payload), and again without one once a lost
 * connection is made anew (a second apart), so the reader looks for what it
 * was not told while nobody listened; `lost` runs as soon as it drops.
 */
import pg from "pg";

const RECONNECT_MS = 1_000;

export interface ListenOptions {
  connectionString: string;
  channel: string;
  notified: (payload: string | undefined) => void;
  lost?: () => void;
  onError: (error: unknown) => void;
}

export class ListenConnection {
  private client: pg.Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(private readonly options: ListenOptions) {}

  /** Resolves once the connection listens: a NOTIFY after that runs `notified`. */
  static async open(options: ListenOptions): Promise<ListenConnection> {
    const connection = new ListenConnection(options);
    await connection.connect();
    return connection;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const { channel } = this.options;
    const client = new pg.Client({ connectionString: this.options.connectionString });
    client.on("notification", (message) => {
      if (message.channel === channel && !this.closed) this.options.notified(message.payload || undefined);
    });
    client.on("error", (error) => {
      this.options.onError(error);
      this.lost(client);
    });
    client.on("end", () => this.lost(client));
    try {
      await client.connect();
      await client.query(`listen ${pg.escapeIdentifier(channel)}`);
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
    this.options.lost?.();
    this.reconnectLater();
  }

  private reconnectLater(): void {
    if (this.closed) return;
    this.retry = setTimeout(() => {
      this.connect().then(
        () => {
          if (!this.closed) this.options.notified(undefined);
        },
        (error: unknown) => {
          this.options.onError(error);
          this.reconnectLater();
        },
      );
    }, RECONNECT_MS);
    this.retry.unref();
  }
}
