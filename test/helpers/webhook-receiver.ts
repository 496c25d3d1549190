/**
 * A real HTTP server on 127.0.0.1 standing in for a Slack incoming webhook
 * or a chat system's webhook: it records every POST and answers as the test
 * says — a status, a Retry-After, or nothing at all (`"hang"`).
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The status it was answered with; undefined while it hangs. */
  answered: number | undefined;
}

export type Answer = { status: number; headers?: Record<string, string>; body?: string } | "hang";

export interface WebhookReceiver {
  url(path: string): string;
  received: Received[];
  /** Resolves once `count` requests (answered or not) have arrived. */
  arrived(count: number): Promise<Received[]>;
  /** Resolves once `count` requests were answered 2xx. */
  delivered(count: number): Promise<Received[]>;
  close(): Promise<void>;
}

/** `answer` sees each request and how many came before it; the default answers 200 "ok", as Slack does. */
export async function webhookReceiver(answer: (request: Received, index: number) => Answer = () => ({ status: 200, body: "ok" })): Promise<WebhookReceiver> {
  const received: Received[] = [];
  const waiters: Array<() => void> = [];
  const wake = () => waiters.splice(0).forEach((resolve) => resolve());
  const hanging: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request: Received = { path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), answered: undefined };
      const reply = answer(request, received.length);
      received.push(request);
      if (reply === "hang") hanging.push(res);
      else {
        request.answered = reply.status;
        res.writeHead(reply.status, { "content-type": "text/plain", ...reply.headers }).end(reply.body ?? "");
      }
      wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const until = async (test: () => boolean) => {
    while (!test()) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  const ok = () => received.filter((r) => r.answered !== undefined && r.answered < 300);
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    received,
    arrived: async (count) => (await until(() => received.length >= count), received),
    delivered: async (count) => (await until(() => ok().length >= count), ok()),
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
