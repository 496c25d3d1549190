/** Notifications in the background: retried within bounds, in order per deployment, logged without secrets, stoppable. */
import { describe, expect, it } from "@jest/globals";
import { Deliveries, type AttemptAnswer, type DeliveryPolicy } from "../../src/notify/deliveries.js";

const FAST: DeliveryPolicy = { attempts: 3, firstDelayMs: 1, maxDelayMs: 100, timeoutMs: 60_000, maxPending: 10 };
const URL = "https://hooks.slack.com/services/T0/B0/secret-token";

function logger() {
  const lines: Array<{ level: string; fields: Record<string, unknown>; message: string }> = [];
  const at = (level: string) => (fields: object, message: string) => void lines.push({ level, fields: fields as Record<string, unknown>, message });
  return { log: { warn: at("warn"), error: at("error") }, lines };
}

const failure = (status: number | undefined, message = `answered ${status}`): AttemptAnswer => ({ ok: false, status, retryAfter: undefined, message });

describe("Deliveries", () => {
  it("retries a failed notification, logs each failure with the URL masked, and stops once delivered", async () => {
    const { log, lines } = logger();
    const deliveries = new Deliveries(FAST, log);
    const answers = [failure(503, `503 from ${URL}`), failure(undefined, `connect ECONNREFUSED for /services/T0/B0/secret-token`), { ok: true } as const];
    let calls = 0;
    deliveries.send({ order: "job-1", about: { channel: "slack" }, secrets: [URL, "/services/T0/B0/secret-token"], attempt: async () => answers[calls++]! });
    await deliveries.idle();
    expect(calls).toBe(3);
    expect(lines).toEqual([
      { level: "warn", fields: { channel: "slack", attempt: 1, status: 503, error: "503 from ***" }, message: "notification not delivered yet: answered 503: attempt 2 of 3 in 0 s" },
      { level: "warn", fields: { channel: "slack", attempt: 2, error: "connect ECONNREFUSED for ***" }, message: "notification not delivered yet: no answer: attempt 3 of 3 in 0 s" },
    ]);
  });

  it("gives up after the last attempt, and at once on an answer that will not change", async () => {
    const { log, lines } = logger();
    const deliveries = new Deliveries(FAST, log);
    let calls = 0;
    deliveries.send({ order: "a", about: {}, secrets: [], attempt: async () => (calls++, failure(500)) });
    deliveries.send({ order: "b", about: {}, secrets: [], attempt: async () => (calls++, failure(404)) });
    await deliveries.idle();
    expect(calls).toBe(4);
    expect(lines.filter((l) => l.level === "error").map((l) => l.message)).toEqual([
      "notification not delivered: answered 404: will not change by retrying",
      "notification not delivered: answered 500 after 3 attempts: giving up",
    ]);
  });

  it("counts an attempt that throws as no answer", async () => {
    const { log, lines } = logger();
    const deliveries = new Deliveries({ ...FAST, attempts: 1 }, log);
    deliveries.send({ order: "a", about: {}, secrets: [URL], attempt: async () => Promise.reject(new TypeError("fetch failed", { cause: new Error(`getaddrinfo ENOTFOUND ${URL}`) })) });
    await deliveries.idle();
    expect(lines).toEqual([{ level: "error", fields: { attempt: 1, error: "fetch failed: getaddrinfo ENOTFOUND ***" }, message: "notification not delivered: no answer after 1 attempt: giving up" }]);
  });

  it("sends one deployment's notifications in order: the end waits for its start", async () => {
    const deliveries = new Deliveries(FAST, logger().log);
    const sent: string[] = [];
    let releaseStart: () => void = () => undefined;
    const startHeld = new Promise<void>((resolve) => (releaseStart = resolve));
    deliveries.send({ order: "job-1", about: {}, secrets: [], attempt: async () => (await startHeld, sent.push("job-1 start"), { ok: true }) });
    deliveries.send({ order: "job-1", about: {}, secrets: [], attempt: async () => (sent.push("job-1 success"), { ok: true }) });
    deliveries.send({ order: "job-2", about: {}, secrets: [], attempt: async () => (sent.push("job-2 start"), { ok: true }) });
    await new Promise<void>((resolve) => deliveries.send({ order: "job-3", about: {}, secrets: [], attempt: async () => (resolve(), { ok: true }) }));
    // Another deployment's notification is not held up by job-1's.
    expect(sent).toEqual(["job-2 start"]);
    releaseStart();
    await deliveries.idle();
    expect(sent).toEqual(["job-2 start", "job-1 start", "job-1 success"]);
  });

  it("gives an attempt that hangs up after its timeout, and tries again", async () => {
    const deliveries = new Deliveries({ ...FAST, timeoutMs: 20 }, logger().log);
    const signals: AbortSignal[] = [];
    deliveries.send({
      order: "a",
      about: {},
      secrets: [],
      attempt: (signal) => {
        signals.push(signal);
        if (signals.length > 1) return Promise.resolve({ ok: true });
        return new Promise((resolve) => signal.addEventListener("abort", () => resolve(failure(undefined, "aborted"))));
      },
    });
    await deliveries.idle();
    expect(signals.map((s) => s.aborted)).toEqual([true, false]);
  });

  it("stops what is under way and sends nothing after stop", async () => {
    const deliveries = new Deliveries(FAST, logger().log);
    let attempted = 0;
    const hung = new Promise<AbortSignal>((resolve) =>
      deliveries.send({ order: "a", about: {}, secrets: [], attempt: (signal) => (attempted++, resolve(signal), new Promise((done) => signal.addEventListener("abort", () => done(failure(undefined))))) }),
    );
    const signal = await hung;
    deliveries.stop();
    await deliveries.idle();
    expect(signal.aborted).toBe(true);
    deliveries.send({ order: "b", about: {}, secrets: [], attempt: async () => (attempted++, { ok: true }) });
    await deliveries.idle();
    expect(attempted).toBe(1);
  });

  it("drops notifications beyond the bound instead of piling them up, and says so", async () => {
    const { log, lines } = logger();
    const deliveries = new Deliveries({ ...FAST, maxPending: 2 }, log);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    for (const order of ["a", "b", "c"]) deliveries.send({ order, about: { order }, secrets: [], attempt: async () => (await held, { ok: true }) });
    expect(lines).toEqual([{ level: "error", fields: { order: "c" }, message: "notification dropped: 2 are already waiting to be sent" }]);
    release();
    await deliveries.idle();
  });
});
