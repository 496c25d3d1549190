/** Where a deployment's narration and its provider's output go (engine/deployment-log writes it to disk). */

export type OutputStream = "stdout" | "stderr";

export interface LogSink {
  /** heaven's own narration: "fetching …", "CI green: ci/test". */
  note(text: string): void;
  output(chunk: Buffer, stream: OutputStream): Promise<void>;
  /** The last non-empty line the provider printed, masked. */
  lastLine(): string | undefined;
}
