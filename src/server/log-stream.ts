/**
 * The live tail: Server-Sent Events from a byte offset of the log. Each
 * `lines` event carries the whole lines of one store read (a long backlog
 * goes out in pieces), rendered as the page renders them (a JSON array of
 * HTML, one per line), and its id is the byte offset after
 * them, so a reconnecting EventSource (`Last-Event-ID`) goes on exactly where
 * it stopped: no line twice, none missed. `state` says when the deployment's
 * state changes; `finished` comes once it has finished and every line is
 * sent, and ends the stream. The store is polled: it may be another worker's.
 */
import type { ServerResponse } from "node:http";
import { setTimeout as delay } from "node:timers/promises";
import type { LogStore } from "../core/log-store.js";
import { LineRenderer, splitLines } from "./log-html.js";
import { stateView, type StateView } from "./log-view.js";
import { writeOrWait } from "./log-write.js";

/** A comment this often keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

export interface LogStreamRequest {
  store: LogStore;
  key: string;
  from: number;
  /** Epoch ms the link stops opening (undefined: never): the stream ends then with `expired`. */
  endsAt: number | undefined;
  /** How often a quiet log is looked at again. */
  pollMs: number;
  now: () => number;
  /** The server is shutting down: an open stream would keep it from closing. The reader reconnects to the next heaven. */
  closing: () => boolean;
}

const event = (name: string, data: string, id?: number) => `${id === undefined ? "" : `id: ${id}\n`}event: ${name}\ndata: ${data}\n\n`;
const stateData = (view: StateView) => JSON.stringify(view);

export async function writeLogStream(res: ServerResponse, stream: LogStreamRequest): Promise<void> {
  const { store, key, now } = stream;
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    "x-accel-buffering": "no",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
  });
  const gone = new AbortController();
  res.on("close", () => gone.abort());
  await writeOrWait(res, "retry: 2000\n\n");
  const renderer = new LineRenderer();
  let next = stream.from;
  /** The state the reader was last told (the page showed one, but it may have moved since). */
  let told = "";
  let wrote = now();
  const send = async (text: string) => {
    await writeOrWait(res, text);
    wrote = now();
  };
  while (!res.destroyed && !stream.closing()) {
    if (stream.endsAt !== undefined && now() >= stream.endsAt) {
      await send(event("expired", "{}"));
      break;
    }
    const chunk = await store.read(key, next);
    if (chunk === undefined) {
      await send(event("gone", "{}"));
      break;
    }
    if (chunk.text !== "") {
      next = chunk.next;
      await send(event("lines", JSON.stringify(splitLines(chunk.text).map((line) => renderer.body(line))), next));
    }
    if (chunk.finished) {
      await send(event("finished", stateData(stateView((await store.info(key))?.meta, now()))));
      break;
    }
    if (chunk.text !== "") continue;
    const view = stateView((await store.info(key))?.meta, now());
    const stands = `${view.state} ${view.description}`;
    if (stands !== told) await send(event("state", stateData(view)));
    told = stands;
    if (now() - wrote >= KEEPALIVE_MS) await send(": still here\n\n");
    await delay(stream.pollMs, undefined, { signal: gone.signal }).catch(() => undefined);
  }
  res.end();
}
