/** Writing to a reader at the reader's pace: a slow one holds the next read back, not heaven's memory. */
import type { ServerResponse } from "node:http";

/** Resolves once `res` can take more, or once the reader has gone (then `res.destroyed` is true). */
export function writeOrWait(res: ServerResponse, text: string): Promise<void> {
  if (res.destroyed || res.write(text)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
