/**
 * Work that must not overlap and need not run once per call: reading what
 * is new after a NOTIFY (the event relay, the shared outbox). A call while
 * a run is under way asks for one more run after it, however many calls
 * came; the promise a call gets settles after a run that began after it.
 */
export class OneAtATime {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(private readonly work: () => Promise<void>) {}

  run(): Promise<void> {
    if (this.running !== undefined) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.work();
        } while (this.again);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** Resolves once no run is under way (a failed one included). */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }
}
