/**
 * The fake GitHub's webhook deliveries, kept the way GitHub keeps them for an
 * App's webhook: every attempt with its answer, listed newest first by
 * `GET /app/hook/deliveries` (cursor pages, a `Link` header), shown one by one
 * with the request and response, and sent again by
 * `POST /app/hook/deliveries/{id}/attempts` with the same GUID.
 */
import { randomUUID } from "node:crypto";

/** What heaven answered; a `Response` also gives its headers and body to the delivery's record. */
export type DeliverAnswer = { status: number } & Partial<Pick<Response, "headers" | "text">>;
/** Sends a webhook to heaven (heaven-server's `webhook`), with GitHub's GUID as `X-GitHub-Delivery`. */
export type Deliver = (event: string, payload: unknown, guid: string) => Promise<DeliverAnswer>;

/** One delivery attempt, as `GET /app/hook/deliveries` lists it. */
export interface HookDelivery {
  id: number;
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  /** Seconds. */
  duration: number;
  /** "OK", or a short failure text ("failed to connect", "Invalid HTTP Response: 503"). */
  status: string;
  /** The HTTP status heaven answered; 0 when it could not be reached. */
  status_code: number;
  event: string;
  action: string | null;
  installation_id: number | null;
  repository_id: number | null;
}

interface Attempt extends HookDelivery {
  request: { headers: Record<string, string>; payload: unknown };
  response: { headers: Record<string, string>; payload: string | null };
}

type Reply = (status: number, data: unknown, headers?: Record<string, string>) => void;
/** Not a delivery route, or answered (with a redelivery to send after the answer). */
export type RouteResult = { handled: false } | { handled: true; after?: () => Promise<unknown> };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const idOf = (value: unknown): number | null => (isObject(value) && typeof value.id === "number" ? value.id : null);
const CURSOR = /^v1_(\d+)$/;

export class DeliveryLog {
  /** Deliveries heaven did not answer with 2xx, while `deliver` was set (FakeGitHub's `failedDeliveries`). */
  readonly failed: Array<{ event: string; status: number | string }> = [];
  private readonly attempts: Attempt[] = [];
  private nextId = 1;

  constructor(private readonly io: { deliver: () => Deliver | undefined; recorded: () => void }) {}

  /** Every attempt, oldest first. */
  list(): HookDelivery[] {
    return this.attempts.map(listed);
  }

  /**
   * Sends one webhook and records the attempt. Without a `deliver`, or when it
   * throws (heaven down), the attempt failed to connect: status_code 0.
   */
  async send(event: string, payload: unknown, options: { guid?: string; redelivery?: boolean } = {}): Promise<HookDelivery> {
    const guid = options.guid ?? randomUUID();
    const deliveredAt = new Date().toISOString();
    const started = performance.now();
    const deliver = this.io.deliver();
    let answer: { code: number; status: string; headers: Record<string, string>; body: string | null };
    try {
      if (deliver === undefined) throw new Error("no deliver set");
      const reply = await deliver(event, payload, guid);
      const body = reply.text === undefined ? null : await reply.text().catch(() => null);
      const ok = reply.status >= 200 && reply.status < 300;
      answer = { code: reply.status, status: ok ? "OK" : `Invalid HTTP Response: ${reply.status}`, headers: Object.fromEntries(reply.headers?.entries() ?? []), body };
      if (reply.status >= 300) this.failed.push({ event, status: reply.status });
    } catch (error) {
      answer = { code: 0, status: "failed to connect", headers: {}, body: null };
      if (deliver !== undefined) this.failed.push({ event, status: error instanceof Error ? error.message : String(error) });
    }
    const fields = isObject(payload) ? payload : {};
    const attempt: Attempt = {
      id: this.nextId++,
      guid,
      delivered_at: deliveredAt,
      redelivery: options.redelivery ?? false,
      duration: Math.round(performance.now() - started) / 1000,
      status: answer.status,
      status_code: answer.code,
      event,
      action: typeof fields.action === "string" ? fields.action : null,
      installation_id: idOf(fields.installation),
      repository_id: idOf(fields.repository),
      request: { headers: { "Content-Type": "application/json", "X-GitHub-Delivery": guid, "X-GitHub-Event": event }, payload },
      response: { headers: answer.headers, payload: answer.body },
    };
    this.attempts.push(attempt);
    this.io.recorded();
    return listed(attempt);
  }

  /** Forgets every attempt before delivery `id`, as GitHub's retention (a few days) does. */
  expire(beforeId: number): void {
    const kept = this.attempts.filter((attempt) => attempt.id >= beforeId);
    this.attempts.splice(0, this.attempts.length, ...kept);
  }

  /** Sends delivery `id` again with its GUID, as "Redeliver" does (in GitHub's UI, or `POST …/attempts`); returns the new attempt. */
  redeliver(id: number): Promise<HookDelivery> {
    const attempt = this.attempts.find((a) => a.id === id);
    if (attempt === undefined) return Promise.reject(new Error(`fake GitHub: no webhook delivery ${id}`));
    return this.send(attempt.event, attempt.request.payload, { guid: attempt.guid, redelivery: true });
  }

  /** The App webhook delivery routes (`path` without /api/v3); `selfUrl` is where this fake answers. */
  route(method: string, path: string, query: Record<string, string>, reply: Reply, selfUrl: string, ifNoneMatch?: string): RouteResult {
    if (method === "GET" && path === "/app/hook/deliveries") {
      // Like GitHub: the list has an ETag, and asking with it while nothing changed is a 304.
      const etag = `W/"deliveries-${this.attempts.length}"`;
      if (query.cursor === undefined && ifNoneMatch === etag) {
        reply(304, "", { etag });
        return { handled: true };
      }
      const perPage = Math.min(100, Math.max(1, Number(query.per_page ?? 30) || 30));
      const cursor = query.cursor === undefined ? undefined : CURSOR.exec(query.cursor);
      if (cursor === null) {
        reply(422, { message: `Invalid cursor: ${query.cursor}` });
        return { handled: true };
      }
      const before = cursor === undefined ? Number.POSITIVE_INFINITY : Number(cursor[1]);
      const older = this.attempts.filter((a) => a.id < before).reverse();
      const page = older.slice(0, perPage);
      const last = page[page.length - 1];
      const headers: Record<string, string> = query.cursor === undefined ? { etag } : {};
      if (last !== undefined && older.length > page.length) {
        headers.link = `<${selfUrl}/app/hook/deliveries?per_page=${perPage}&cursor=v1_${last.id}>; rel="next"`;
      }
      reply(200, page.map((a) => ({ ...listed(a), throttled_at: null })), headers);
      return { handled: true };
    }
    const match = /^\/app\/hook\/deliveries\/(\d+)(\/attempts)?$/.exec(path);
    if (match === null) return { handled: false };
    const attempt = this.attempts.find((a) => a.id === Number(match[1]));
    if (attempt === undefined) {
      reply(404, { message: "Not Found" });
      return { handled: true };
    }
    if (method === "GET" && match[2] === undefined) {
      reply(200, { ...attempt, throttled_at: null });
      return { handled: true };
    }
    if (method === "POST" && match[2] !== undefined) {
      reply(202, {});
      return { handled: true, after: () => this.redeliver(attempt.id) };
    }
    return { handled: false };
  }
}

/** The public fields of an attempt (the payload stays private to `GET …/deliveries/{id}`). */
function listed(attempt: Attempt): HookDelivery {
  const { request: _request, response: _response, ...delivery } = attempt;
  return delivery;
}
