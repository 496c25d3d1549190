/** A sink that tells people: it takes an event at once and delivers it in the background. */
import type { EventSink } from "../core/events.js";
import type { Deliveries } from "./deliveries.js";
import type { NoticeTracker } from "./notice-tracker.js";

export interface NotificationSink extends EventSink {
  /** Resolves when every notification taken so far is delivered or given up on (the command line waits for it before it exits). */
  idle(): Promise<void>;
  /** Gives up what is under way and takes nothing more (a stopping server). */
  stop(): void;
}

/** What every notification sink shares: a tracker of its deployments and a background delivery queue. */
export abstract class BackgroundSink implements NotificationSink {
  constructor(
    protected readonly tracker: NoticeTracker,
    protected readonly deliveries: Deliveries,
  ) {}

  async idle(): Promise<void> {
    await this.deliveries.idle();
    await this.tracker.flushed();
  }

  stop(): void {
    this.deliveries.stop();
  }

  abstract publish(...args: Parameters<EventSink["publish"]>): Promise<void>;
}
