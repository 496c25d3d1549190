/**
 * A dedicated connection LISTENing on one channel: `notified` runs on each
 * notification, and again once a lost connection is made anew (a second
 * apart), so the reader looks for what it was not told while nobody listened.
 */
import pg from "pg";

const RECONNECT_MS = 1_000;

export class ListenConnection {
  private client: pg.Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    private readonly connectionString: string,
    private readonly channel: string,
    private readonly notified: () => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Resolves once the connection listens: a NOTIFY after that runs `notified`. */
  static async open(options: { connectionString: string; channel: string; notified: () => void; onError: (error: unknown) => void }): Promise<ListenConnection> {
    const connection = new ListenConnection(options.connectionString, options.channel, options.notified, options.onError);
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
    const client = new pg.Client({ connectionString: this.connectionString });
    client.on("notification", (message) => {
      if (message.channel === this.channel && !this.closed) this.notified();
    });
    client.on("error", (error) => {
      this.onError(error);
      this.lost(client);
    });
    client.on("end", () => this.lost(client));
    try {
      await client.connect();
      await client.query(`listen ${pg.escapeIdentifier(this.channel)}`);
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
    this.reconnectLater();
  }

  private reconnectLater(): void {
    if (this.closed) return;
    this.retry = setTimeout(() => {
      this.connect().then(
        () => {
          if (!this.closed) this.notified();
        },
        (error: unknown) => {
          this.onError(error);
          this.reconnectLater();
        },
      );
    }, RECONNECT_MS);
    this.retry.unref();
  }
}
