/**
 * GitHub's webhook deliveries from a separate process, as a long-lived child
 * (this file, run directly): the fake GitHub's `deliver` hands each webhook
 * to it over stdin, and it signs it, sends it on a fresh connection over a
 * bare socket (as GitHub delivers; `fetch` would add its own set-up) and
 * answers with the epoch ms it connected at, so a benchmark can time
 * "webhook sent → script runs" against the script's own wall clock. Unlike
 * webhook-sender.ts (one batch per process), it stays up for a whole
 * scenario, so a deployment pays no process start. The secret travels in
 * the child's environment, payloads on stdin: never argv.
 */
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { connect } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { Deliver } from "../../test/helpers/fake-github.js";

interface Sent {
  n: number;
  status: number;
  /** Epoch ms (sub-millisecond) at which the connection was opened. */
  sentAt: number;
}

export interface WebhookProcess {
  /** For `github.deliver`: delivers through the child; `sentAt` of each delivery by GUID. */
  deliver: Deliver;
  sentAt: Map<string, number>;
  stop(): void;
}

const HEAD_END = "\r\n\r\n";

export async function startWebhookProcess(url: string, secret: string): Promise<WebhookProcess> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], {
    env: { PATH: process.env.PATH ?? "", HEAVEN_BENCH_URL: url, HEAVEN_BENCH_SECRET: secret },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const waiting = new Map<number, (sent: Sent) => void>();
  createInterface({ input: child.stdout }).on("line", (line) => {
    const sent = JSON.parse(line) as Sent;
    waiting.get(sent.n)?.(sent);
    waiting.delete(sent.n);
  });
  await new Promise<void>((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", reject);
  });
  const sentAt = new Map<string, number>();
  let next = 0;
  const deliver: Deliver = async (event, payload, guid) => {
    const n = next++;
    const answered = new Promise<Sent>((resolve) => waiting.set(n, resolve));
    child.stdin.write(`${JSON.stringify({ n, event, guid, body: JSON.stringify(payload) })}\n`);
    const sent = await answered;
    sentAt.set(guid, sent.sentAt);
    return { status: sent.status };
  };
  return { deliver, sentAt, stop: () => void child.stdin.end() };
}

/** The child: one line in (`{n, event, guid, body}`), one line out (`{n, status, sentAt}`) per webhook. */
function runChild(): void {
  const url = new URL(process.env.HEAVEN_BENCH_URL ?? "");
  const secret = process.env.HEAVEN_BENCH_SECRET ?? "";
  createInterface({ input: process.stdin }).on("line", (line) => {
    const { n, event, guid, body } = JSON.parse(line) as { n: number; event: string; guid: string; body: string };
    const content = Buffer.from(body, "utf8");
    const head = [
      `POST /api/github/webhooks HTTP/1.1`,
      `host: ${url.host}`,
      "connection: close",
      "content-type: application/json",
      `content-length: ${content.length}`,
      `x-github-event: ${event}`,
      `x-github-delivery: ${guid}`,
      `x-hub-signature-256: sha256=${createHmac("sha256", secret).update(content).digest("hex")}`,
    ];
    const bytes = Buffer.concat([Buffer.from(`${head.join("\r\n")}${HEAD_END}`, "latin1"), content]);
    const sentAt = performance.timeOrigin + performance.now();
    const socket = connect({ host: url.hostname, port: Number(url.port), noDelay: true });
    let received = "";
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(received)?.[1] ?? 0);
      process.stdout.write(`${JSON.stringify({ n, status, sentAt } satisfies Sent)}\n`);
      socket.destroy();
    };
    socket.on("connect", () => socket.write(bytes));
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
      const headEnd = received.indexOf(HEAD_END);
      const length = headEnd === -1 ? undefined : /\r\ncontent-length: *(\d+)/i.exec(received.slice(0, headEnd))?.[1];
      if (length !== undefined && received.length - headEnd - HEAD_END.length >= Number(length)) finish();
    });
    socket.on("end", finish);
    socket.on("error", finish);
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) runChild();
