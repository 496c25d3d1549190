/** A sink that tells people: it takes an event at once and delivers it in the background. */
import type { EventSink } from "../core/events.js";

export interface NotificationSink extends EventSink {
  /** Resolves when every notification taken so far is delivered or given up on (the command line waits for it before it exits). */
  idle(): Promise<void>;
  /** Gives up what is under way and takes nothing more (a stopping server). */
  stop(): void;
}
