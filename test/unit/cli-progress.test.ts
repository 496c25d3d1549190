import { describe, expect, it } from "@jest/globals";
import { formatElapsed, ProgressLine, stepOf } from "../../src/cli/progress-line.js";

function output(isTTY: boolean) {
  const written: string[] = [];
  return { written, stream: { isTTY, columns: 80, write: (text: string) => written.push(text) } };
}

describe("the terminal's progress", () => {
  it("reads the current step from the log's notes, a host's prefix kept", () => {
    expect(stepOf("heaven: running script/deploy")).toBe("running script/deploy");
    expect(stepOf("[fe1] heaven: running git reset")).toBe("[fe1] running git reset");
    expect(stepOf("heaven: resolving main of /srv/hubot")).toBe("resolving main of /srv/hubot");
    expect(stepOf("running script/deploy")).toBeUndefined();
    expect(formatElapsed(4_200)).toBe("4 s");
    expect(formatElapsed(125_000)).toBe("2 min 05 s");
  });

  it("writes plain lines only when not a terminal", () => {
    const { written, stream } = output(false);
    const progress = new ProgressLine(stream, () => 0, stream);
    progress.line("heaven: running script/deploy");
    progress.line("deploying");
    progress.stop();
    expect(written.join("")).toBe("heaven: running script/deploy\ndeploying\n");
  });

  it("keeps a status line with the step and the elapsed time below the log on a terminal, and clears it at the end", () => {
    let now = 0;
    const { written, stream } = output(true);
    const progress = new ProgressLine(stream, () => now, stream);
    progress.line("heaven: running script/deploy");
    now = 12_000;
    progress.line("step 1");
    progress.stop();
    expect(written.join("")).toBe(
      "heaven: running script/deploy\n… running script/deploy (0 s)" + "\r\x1b[2Kstep 1\n… running script/deploy (12 s)" + "\r\x1b[2K",
    );
  });
});
