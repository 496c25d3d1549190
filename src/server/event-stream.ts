/** What every Server-Sent Events answer of heaven's shares: the live log tail and the dashboard's stream. */

/** Unbuffered by proxies (nginx: x-accel-buffering), never cached, never sniffed, no referrer. */
export const EVENT_STREAM_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-store",
  "x-accel-buffering": "no",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
} as const;

/** A comment this often keeps proxies from closing a quiet stream. */
export const KEEPALIVE_MS = 15_000;
export const KEEPALIVE = ": still here\n\n";

/** The first thing sent: a browser that lost the stream reconnects after 2 s. */
export const RETRY_FIELD = "retry: 2000\n\n";

/** One event; `id` is what a reconnecting EventSource sends back as Last-Event-ID. */
export function sseEvent(name: string, data: string, id?: number): string {
  return `${id === undefined ? "" : `id: ${id}\n`}event: ${name}\ndata: ${data}\n\n`;
}
