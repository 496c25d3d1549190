/**
 * Where polling the delivery log stands, on disk (`poll-cursor.jsonl`):
 * each delivery handled is appended (fsync'd) right after its handlers
 * returned, so a restart continues after the last one and handles nothing
 * twice. Compacted as it grows.
 */
import { z } from "zod";
import type { PollCursor } from "../decisions/next-deliveries.js";
import { AppendLog } from "../engine/append-log.js";
import { RecentKeys } from "../engine/recent-keys.js";

type CursorRecord = { t: "handled"; id: number; guid: string } | { t: "start"; id: number } | { t: "cursor"; lastId: number; guids: string[] };

const recordSchema = z.discriminatedUnion("t", [
  z.object({ t: z.literal("handled"), id: z.number().int(), guid: z.string() }),
  z.object({ t: z.literal("start"), id: z.number().int() }),
  z.object({ t: z.literal("cursor"), lastId: z.number().int(), guids: z.array(z.string()) }),
]);

const parse = (value: unknown) => {
  const parsed = recordSchema.safeParse(value);
  return parsed.success ? { ok: true as const, value: parsed.data as CursorRecord } : { ok: false as const, error: "not a cursor record" };
};

const COMPACT_AFTER_LINES = 2_000;

export class PollCursorFile {
  private lastId: number | undefined;
  private readonly guids = new RecentKeys();

  private constructor(private readonly log: AppendLog<CursorRecord>) {}

  static async open(file: string): Promise<{ cursor: PollCursorFile; skipped: string[] }> {
    const { log, records, skipped } = await AppendLog.open(file, parse);
    const cursor = new PollCursorFile(log);
    for (const record of records) cursor.apply(record);
    await cursor.compact();
    return { cursor, skipped };
  }

  get state(): PollCursor {
    return { lastId: this.lastId, handled: this.guids.view() };
  }

  /** A heaven that never polled starts here. */
  start(id: number): Promise<void> {
    return this.write({ t: "start", id });
  }

  handled(id: number, guid: string): Promise<void> {
    return this.write({ t: "handled", id, guid });
  }

  close(): Promise<void> {
    return this.log.close();
  }

  private async write(record: CursorRecord): Promise<void> {
    this.apply(record);
    await this.log.append(record);
    if (this.log.lines > COMPACT_AFTER_LINES) await this.compact();
  }

  private apply(record: CursorRecord): void {
    if (record.t === "cursor") {
      this.lastId = record.lastId;
      for (const guid of record.guids) this.guids.add(guid);
      return;
    }
    this.lastId = Math.max(this.lastId ?? 0, record.id);
    if (record.t === "handled") this.guids.add(record.guid);
  }

  private async compact(): Promise<void> {
    if (this.lastId === undefined) return;
    await this.log.rewrite([{ t: "cursor", lastId: this.lastId, guids: [...this.guids.view()] }]);
  }
}
