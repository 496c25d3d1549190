/**
 * A Server-Sent Events client for tests, reading events as EventSource
 * would (id, event, data; comments and `retry` skipped), one at a time, so a
 * test can wait for the event it expects and then act.
 */
export interface StreamEvent {
  event: string;
  data: string;
  id: string | undefined;
}

export interface EventStream {
  status: number;
  headers: Headers;
  /** The next event; undefined once the server has ended the stream. */
  next(): Promise<StreamEvent | undefined>;
  /** Events up to and including the first that `test` accepts (rejects if the stream ends first). */
  until(test: (event: StreamEvent) => boolean): Promise<StreamEvent[]>;
  /** Events until `count` more log lines have come (however the server cut them into events). */
  lines(count: number): Promise<StreamEvent[]>;
  close(): void;
}

export async function openEventStream(url: string, headers: Record<string, string> = {}): Promise<EventStream> {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { accept: "text/event-stream", ...headers }, signal: abort.signal });
  const reader = response.body?.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  const next = async (): Promise<StreamEvent | undefined> => {
    for (;;) {
      const end = buffered.indexOf("\n\n");
      if (end !== -1) {
        const block = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const event = parseBlock(block);
        if (event !== undefined) return event;
        continue;
      }
      const read = await reader?.read();
      if (read === undefined || read.done) return undefined;
      buffered += decoder.decode(read.value, { stream: true });
    }
  };
  return {
    status: response.status,
    headers: response.headers,
    next,
    until: async (test) => {
      const seen: StreamEvent[] = [];
      for (;;) {
        const event = await next();
        if (event === undefined) throw new Error(`the stream ended before the event waited for; it sent ${JSON.stringify(seen)}`);
        seen.push(event);
        if (test(event)) return seen;
      }
    },
    lines: async (count) => {
      const seen: StreamEvent[] = [];
      while (seen.flatMap(eventLines).length < count) {
        const event = await next();
        if (event === undefined) throw new Error(`the stream ended before ${count} lines came; it sent ${JSON.stringify(seen)}`);
        seen.push(event);
      }
      return seen;
    },
    close: () => abort.abort(),
  };
}

function parseBlock(block: string): StreamEvent | undefined {
  let event = "message";
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
    else if (field === "id") id = value;
  }
  return data.length === 0 ? undefined : { event, data: data.join("\n"), id };
}

/** The text of a rendered line (what a reader sees), from the live tail's HTML. */
export function lineText(html: string): string {
  return html
    .replace(/<[^>]*>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

/** The lines a `lines` event carries, as text. */
export function eventLines(event: StreamEvent): string[] {
  return event.event === "lines" ? (JSON.parse(event.data) as string[]).map(lineText) : [];
}
