/** How long each step of a deployment's start took, for one line of its log: where the time before the provider went. */
export class StepTimings {
  private readonly started = performance.now();
  private readonly steps: Array<[string, number]> = [];

  /** Times `work` from now until it settles, under `name`. */
  time<T>(name: string, work: Promise<T>): Promise<T> {
    const began = performance.now();
    const done = () => this.steps.push([name, performance.now() - began]);
    work.then(done, done);
    return work;
  }

  record(name: string, ms: number): void {
    this.steps.push([name, ms]);
  }

  /** `config 4 ms, lock 3 ms, ci 5 ms, checkout 83 ms; 95 ms in all` (steps that overlapped add up to more than the whole). */
  describe(): string {
    const steps = this.steps.map(([name, ms]) => `${name} ${Math.round(ms)} ms`);
    return `${steps.join(", ")}${steps.length > 0 ? "; " : ""}${Math.round(performance.now() - this.started)} ms in all`;
  }
}
