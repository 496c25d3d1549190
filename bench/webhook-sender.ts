/**
 * The webhook-ack benchmark's sender, run as its own process so that its
 * work never shares an event loop with what it measures:
 *
 *   node lib/bench/webhook-sender.js <input.json>
 *
 * The input names the server's URL, the webhook secret, the mode ("burst":
 * every request at once; "one-at-a-time") and the requests (event name and
 * body). Each request is signed and laid out as HTTP/1.1 bytes before the
 * clock starts, then sent on a fresh connection (as GitHub delivers) with a
 * bare socket: fetch's own set-up per request (tens of milliseconds for a
 * burst of 60) would be measured otherwise. Each answer is timed from the
 * connect to the last byte of the response. Prints
 * `{ "answers": [{ "ms": …, "status": … }, …] }` on stdout, in input order.
 */
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { connect } from "node:net";

export interface SenderInput {
  url: string;
  secret: string;
  mode: "burst" | "one-at-a-time";
  requests: Array<{ event: string; body: string }>;
}

export interface Answer {
  ms: number;
  /** The HTTP status, or 0 when no answer came. */
  status: number;
}

export interface SenderOutput {
  answers: Answer[];
}

const HEAD_END = Buffer.from("\r\n\r\n");

/** An HTTP/1.1 request as bytes, ready to write. */
function layOut(url: URL, method: string, path: string, headers: Record<string, string>, body: string): Buffer {
  const content = Buffer.from(body, "utf8");
  const lines = [`${method} ${path} HTTP/1.1`, `host: ${url.host}`, "connection: close", `content-length: ${content.length}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), content]);
}

/** Sends `bytes` on a new connection; resolves once the whole response (headers and content-length bytes) is in. */
function exchange(url: URL, bytes: Buffer): Promise<Answer> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect({ host: url.hostname, port: Number(url.port), noDelay: true });
    let received = Buffer.alloc(0);
    let done = false;
    const finish = (status: number) => {
      if (done) return;
      done = true;
      resolve({ ms: performance.now() - started, status });
      socket.destroy();
    };
    const statusOf = () => Number(/^HTTP\/1\.[01] (\d{3})/.exec(received.subarray(0, 16).toString("latin1"))?.[1] ?? 0);
    socket.on("connect", () => socket.write(bytes));
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const headEnd = received.indexOf(HEAD_END);
      if (headEnd === -1) return;
      const length = /\r\ncontent-length: *(\d+)/i.exec(received.subarray(0, headEnd).toString("latin1"))?.[1];
      if (length !== undefined && received.length - (headEnd + HEAD_END.length) >= Number(length)) finish(statusOf());
    });
    // Without a content-length (chunked), the server's close after `connection: close` ends the answer.
    socket.on("end", () => finish(statusOf()));
    socket.on("error", () => finish(0));
  });
}

async function main(): Promise<void> {
  const input = JSON.parse(readFileSync(process.argv[2] as string, "utf8")) as SenderInput;
  const url = new URL(input.url);
  const requests = input.requests.map(({ event, body }) =>
    layOut(url, "POST", "/api/github/webhooks", {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": `sha256=${createHmac("sha256", input.secret).update(body).digest("hex")}`,
    }, body),
  );
  // One unmeasured request first: the process's first connection sets things up.
  await exchange(url, layOut(url, "GET", "/ping", {}, ""));
  let answers: Answer[];
  if (input.mode === "burst") {
    answers = await Promise.all(requests.map((bytes) => exchange(url, bytes)));
  } else {
    answers = [];
    for (const bytes of requests) answers.push(await exchange(url, bytes));
  }
  process.stdout.write(JSON.stringify({ answers } satisfies SenderOutput));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
