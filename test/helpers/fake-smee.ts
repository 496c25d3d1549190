/**
 * A stand-in for a smee.io channel on 127.0.0.1: what smee-client (Probot's
 * WEBHOOK_PROXY_URL) reads is a Server-Sent Events stream whose messages are
 * JSON objects of the webhook's headers plus `body` (the payload, parsed)
 * and `query`; the client posts each to heaven's webhook path.
 */
import { createHmac, randomUUID } from "node:crypto";
import { createServer, type ServerResponse } from "node:http";

export interface FakeSmee {
  /** The channel's URL, for WEBHOOK_PROXY_URL. */
  url: string;
  /** Resolves once a client listens to the channel. */
  connected: Promise<void>;
  /** A webhook as GitHub would send it to the channel, signed with `secret`, forwarded to every listener. */
  send(event: string, payload: unknown, secret: string): void;
  stop(): Promise<void>;
}

export async function startFakeSmee(): Promise<FakeSmee> {
  const listeners = new Set<ServerResponse>();
  let connect!: () => void;
  const connected = new Promise<void>((resolve) => (connect = resolve));
  const server = createServer((req, res) => {
    if (req.method !== "GET" || req.url !== "/heaven-channel") {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    // smee.io's first message: the client opens on the response, this only keeps proxies from buffering.
    res.write("event: ready\ndata: {}\n\n");
    listeners.add(res);
    res.on("close", () => listeners.delete(res));
    connect();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/heaven-channel`,
    connected,
    send: (event, payload, secret) => {
      const body = JSON.stringify(payload);
      const message = {
        "x-github-event": event,
        "x-github-delivery": randomUUID(),
        "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
        "content-type": "application/json",
        body: JSON.parse(body) as unknown,
        query: {},
        timestamp: Date.now(),
      };
      for (const res of listeners) res.write(`id: ${message.timestamp}\ndata: ${JSON.stringify(message)}\n\n`);
    },
    stop: async () => {
      for (const res of listeners) res.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
