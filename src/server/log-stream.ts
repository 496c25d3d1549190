/**
 * The live tail: Server-Sent Events from a byte offset of the log. Each
 * `lines` event carries the whole lines of one store read (a long backlog
 * goes out in pieces), rendered as the page renders them (a JSON array of
 * HTML, one per line), and its id is the byte offset after
 * them, so a reconnecting EventSource (`Last-Event-ID`) goes on exactly where
 * it stopped: no line twice, none missed. `state` says when the deployment's
 * state changes; `finished` comes once it has finished and every line is
 * sent, and ends the stream. The store may be another worker's: a store
 * that can tell when a log changes (`changed`, PostgreSQL's NOTIFY) wakes
 * the stream at once, looked at again every NOTIFIED_POLL_MS in case a
 * notification was missed; any other store is polled every `pollMs`.
 */
import type { ServerResponse } from "node:http";
import { setTimeout as delay } from "node:timers/promises";
import type { LogStore } from "../core/log-store.js";
import { LineRenderer, splitLines } from "./log-html.js";
import { stateView, type StateView } from "./log-view.js";
import { EVENT_STREAM_HEADERS, KEEPALIVE, KEEPALIVE_MS, RETRY_FIELD, sseEvent } from "./event-stream.js";
import { writeOrWait } from "./log-write.js";

/** How often a quiet log is looked at anyway when its store notifies writes. */
const NOTIFIED_POLL_MS = 5_000;

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

const stateData = (view: StateView) => JSON.stringify(view);

export async function writeLogStream(res: ServerResponse, stream: LogStreamRequest): Promise<void> {
  const { store, key, now } = stream;
  res.writeHead(200, EVENT_STREAM_HEADERS);
  const gone = new AbortController();
  res.on("close", () => gone.abort());
  await writeOrWait(res, RETRY_FIELD);
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
    // Listening before the read: a write between the read and the wait still wakes it.
    const waited = new AbortController();
    const stopWaiting = () => waited.abort();
    gone.signal.addEventListener("abort", stopWaiting, { once: true });
    const changed = store.changed?.(key, waited.signal);
    try {
      if (!(await step(changed, waited.signal))) break;
    } finally {
      gone.signal.removeEventListener("abort", stopWaiting);
      waited.abort();
    }
  }
  res.end();

  /** One read and what it calls for; false: the stream is over. */
  async function step(changed: Promise<void> | undefined, waiting: AbortSignal): Promise<boolean> {
    if (stream.endsAt !== undefined && now() >= stream.endsAt) {
      await send(sseEvent("expired", "{}"));
      return false;
    }
    const chunk = await store.read(key, next);
    if (chunk === undefined) {
      await send(sseEvent("gone", "{}"));
      return false;
    }
    if (chunk.text !== "") {
      next = chunk.next;
      await send(sseEvent("lines", JSON.stringify(splitLines(chunk.text).map((line) => renderer.body(line))), next));
    }
    if (chunk.finished) {
      await send(sseEvent("finished", stateData(stateView((await store.info(key))?.meta, now()))));
      return false;
    }
    if (chunk.text !== "") return true;
    const view = stateView((await store.info(key))?.meta, now());
    const stands = `${view.state} ${view.description}`;
    if (stands !== told) await send(sseEvent("state", stateData(view)));
    told = stands;
    if (now() - wrote >= KEEPALIVE_MS) await send(KEEPALIVE);
    const quiet = delay(changed === undefined ? stream.pollMs : NOTIFIED_POLL_MS, undefined, { signal: waiting }).catch(() => undefined);
    await (changed === undefined ? quiet : Promise.race([changed, quiet]));
    // Whichever came first, the other wait ends as the step does (its signal aborts).
    return true;
  }
}
