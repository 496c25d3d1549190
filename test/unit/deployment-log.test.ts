import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeploymentLog, type DeploymentLogOptions } from "../../src/engine/deployment-log.js";

const STAMP = "2024-05-06T07:08:09.010Z";
const now = () => new Date(STAMP);

let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "heaven-log-"));
  path = join(dir, "logs", "octo", "app", "42.log");
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function open(options: Partial<DeploymentLogOptions> = {}) {
  return DeploymentLog.open(path, { secrets: [], now, ...options });
}

/** The file's lines without their timestamps (each checked to carry one). */
function linesOf(file = path): string[] {
  const text = readFileSync(file, "utf8");
  expect(text.endsWith("\n") || text === "").toBe(true);
  const lines = text.split("\n").slice(0, -1);
  expect(lines.filter((line) => !line.startsWith(`${STAMP} `))).toEqual([]);
  return lines.map((line) => line.slice(STAMP.length + 1));
}

const out = (text: string) => Buffer.from(text, "utf8");

describe("DeploymentLog", () => {
  it("keeps going when the disk is full: no hang, no crash, the deployment still sees its output", async () => {
    // Writes to /dev/full fail with ENOSPC, as a full disk would.
    const echoed: string[] = [];
    const log = await DeploymentLog.open("/dev/full", { secrets: [], echo: (line) => echoed.push(line) });
    const chunk = Buffer.from(`${"x".repeat(1023)}\n`.repeat(1024));
    for (let i = 0; i < 8; i++) await log.output(chunk, "stdout");
    await log.output(Buffer.from("migration failed\n"), "stderr");
    await log.close();
    expect(log.lastLine()).toBe("migration failed");
    expect(echoed).toHaveLength(8 * 1024 + 1);
  });

  it("creates missing directories and a file only its owner can read", async () => {
    const log = await open();
    await log.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it("stamps every line with the injected clock, the lines of one chunk with the time it arrived", async () => {
    let tick = 0;
    const log = await open({ now: () => new Date(Date.UTC(2024, 0, 1, 0, 0, tick++)) });
    log.note("starting");
    await log.output(out("one\ntwo\n"), "stdout");
    await log.output(out("three\n"), "stdout");
    await log.close();
    expect(readFileSync(path, "utf8")).toBe(
      "2024-01-01T00:00:00.000Z heaven: starting\n2024-01-01T00:00:01.000Z one\n2024-01-01T00:00:01.000Z two\n" +
        "2024-01-01T00:00:02.000Z three\n",
    );
  });

  it("stamps each of many lines of a chunk, and stamps anew once the clock has moved", async () => {
    let clock = Date.UTC(2024, 0, 1, 12, 0, 0, 999);
    const log = await open({ now: () => new Date(clock) });
    const chunk = out(Array.from({ length: 1000 }, (_, i) => `line ${i}\n`).join(""));
    await log.output(chunk, "stdout");
    clock += 1;
    await log.output(chunk, "stdout");
    await log.close();
    const lines = readFileSync(path, "utf8").split("\n").slice(0, -1);
    const expected = Array.from({ length: 1000 }, (_, i) => `line ${i}`);
    expect(lines).toEqual([
      ...expected.map((line) => `2024-01-01T12:00:00.999Z ${line}`),
      ...expected.map((line) => `2024-01-01T12:00:01.000Z ${line}`),
    ]);
  });

  it("appends to an existing log rather than replacing it", async () => {
    const first = await open();
    first.note("first run");
    await first.close();
    const second = await open();
    second.note("second run");
    await second.close();
    expect(linesOf()).toEqual(["heaven: first run", "heaven: second run"]);
  });

  it("prefixes heaven's own notes and splits multi-line notes into lines", async () => {
    const log = await open();
    log.note("fetching\nchecked out");
    await log.close();
    expect(linesOf()).toEqual(["heaven: fetching", "heaven: checked out"]);
  });

  describe("secrets", () => {
    it("masks known secrets in provider output and in notes", async () => {
      const log = await open({ secrets: ["hunter22"] });
      log.note("token hunter22 in a note");
      await log.output(out("password=hunter22 and again hunter22\n"), "stderr");
      await log.close();
      expect(linesOf()).toEqual(["heaven: token ******** in a note", "password=******** and again ********"]);
      expect(readFileSync(path, "utf8")).not.toContain("hunter22");
    });

    it("masks a secret added after the log was opened", async () => {
      const log = await open();
      await log.output(out("before ghs_minted\n"), "stdout");
      log.addSecret("ghs_minted");
      await log.output(out("after ghs_minted\n"), "stdout");
      await log.close();
      expect(linesOf()).toEqual(["before ghs_minted", "after ********"]);
    });

    it("masks a secret that contains another one whole", async () => {
      const log = await open({ secrets: ["abcd"] });
      log.addSecret("xxabcdyy");
      await log.output(out("long xxabcdyy short abcd\n"), "stdout");
      await log.close();
      expect(linesOf()).toEqual(["long ******** short ********"]);
    });

    it("masks a secret split across two chunks of output", async () => {
      const log = await open({ secrets: ["hunter22"] });
      await log.output(out("pass=hun"), "stdout");
      await log.output(out("ter22\n"), "stdout");
      await log.close();
      expect(linesOf()).toEqual(["pass=********"]);
    });

    it("masks a secret split mid-line between two long chunks of many lines", async () => {
      const log = await open({ secrets: ["hunter22"] });
      const many = (from: number) => Array.from({ length: 500 }, (_, i) => `line ${from + i}`);
      await log.output(out(`${many(0).join("\n")}\npass=hun`), "stdout");
      await log.output(out(`ter22 more\n${many(500).join("\n")}\n`), "stdout");
      await log.close();
      expect(linesOf()).toEqual([...many(0), "pass=******** more", ...many(500)]);
    });

    it("masks a secret split across chunks inside a line too long to hold, and cuts the line before it", async () => {
      const secret = "ghs_0123456789abcdef";
      const log = await open({ secrets: [secret] });
      // The first chunk alone is past the 64 KiB cut, and ends inside the secret.
      const before = "x".repeat(64 * 1024 - 2);
      const after = "y".repeat(70_000);
      await log.output(out(`${before}${secret.slice(0, 5)}`), "stdout");
      await log.output(out(`${secret.slice(5)}${after}`), "stdout");
      await log.output(out("\n"), "stdout");
      await log.close();
      const lines = linesOf();
      expect(lines.length).toBeGreaterThan(1);
      expect(lines.every((line) => Buffer.byteLength(line) <= 64 * 1024)).toBe(true);
      expect(lines.join("")).toBe(`${before}********${after}`);
    });

    it("ignores secrets too short to mask without destroying the log", async () => {
      const log = await open({ secrets: ["a", ""] });
      await log.output(out("a banana\n"), "stdout");
      await log.close();
      expect(linesOf()).toEqual(["a banana"]);
    });
  });

  describe("lines", () => {
    it("joins a line that arrives across several chunks", async () => {
      const log = await open();
      await log.output(out("hel"), "stdout");
      await log.output(out("lo\nwor"), "stdout");
      await log.output(out("ld\n"), "stdout");
      await log.close();
      expect(linesOf()).toEqual(["hello", "world"]);
    });

    it("writes a line that arrives in pieces as one line with one timestamp", async () => {
      let tick = 0;
      const log = await open({ now: () => new Date(Date.UTC(2024, 0, 1, 0, 0, tick++)) });
      await log.output(out("hel"), "stdout");
      await log.output(out("lo wor"), "stdout");
      await log.output(out("ld\n"), "stdout");
      await log.close();
      expect(readFileSync(path, "utf8")).toBe("2024-01-01T00:00:00.000Z hello world\n");
    });

    it("keeps stdout's and stderr's unfinished lines apart", async () => {
      const log = await open();
      await log.output(out("out-a"), "stdout");
      await log.output(out("err-a"), "stderr");
      await log.output(out("out-b\n"), "stdout");
      await log.output(out("err-b\n"), "stderr");
      await log.close();
      expect(linesOf()).toEqual(["out-aout-b", "err-aerr-b"]);
    });

    it("decodes a multibyte character split across chunks", async () => {
      const bytes = out("prix: 10 € 🚀\n");
      const euro = bytes.indexOf(0xe2);
      const rocket = bytes.indexOf(0xf0);
      const log = await open();
      await log.output(bytes.subarray(0, euro + 1), "stdout");
      await log.output(bytes.subarray(euro + 1, rocket + 2), "stdout");
      await log.output(bytes.subarray(rocket + 2), "stdout");
      await log.close();
      expect(linesOf()).toEqual(["prix: 10 € 🚀"]);
    });

    it("drops the carriage return of CRLF line endings", async () => {
      const log = await open();
      await log.output(out("windows\r\n"), "stdout");
      await log.output(out("split\r"), "stdout");
      await log.output(out("\nafter\r\n"), "stdout");
      await log.close();
      expect(linesOf()).toEqual(["windows", "split", "after"]);
    });

    it("writes a line longer than 64 KiB in pieces instead of holding it", async () => {
      const echoed: string[] = [];
      const log = await open({ echo: (line) => echoed.push(line) });
      const huge = "x".repeat(3 * 64 * 1024 + 100);
      await log.output(out(huge), "stdout");
      // Before the line ends, the full 64 KiB pieces are already out.
      expect(echoed.map((line) => line.length)).toEqual([65536, 65536, 65536]);
      await log.output(out("y\n"), "stdout");
      await log.close();
      expect(linesOf().map((line) => line.length)).toEqual([65536, 65536, 65536, 101]);
      expect(linesOf().join("")).toBe(`${huge}y`);
    });

    it("does not cut a four-byte character in half when splitting a long line", async () => {
      const log = await open();
      await log.output(out(`${"x".repeat(64 * 1024 - 1)}🚀 and more`), "stdout");
      await log.output(out("\n"), "stdout");
      await log.close();
      expect(readFileSync(path, "utf8").includes("\uFFFD")).toBe(false);
      expect(linesOf().join("")).toBe(`${"x".repeat(64 * 1024 - 1)}🚀 and more`);
    });

    it("does not split a long line through a secret", async () => {
      const secret = "ghs_0123456789abcdef";
      const log = await open({ secrets: [secret] });
      const before = "x".repeat(64 * 1024 - 5);
      await log.output(out(`${before}${secret} tail`), "stdout");
      await log.output(out("\n"), "stdout");
      await log.close();
      const text = readFileSync(path, "utf8");
      expect(text.includes("ghs_0")).toBe(false);
      expect(text.includes("cdef")).toBe(false);
      expect(linesOf().join("")).toBe(`${before}******** tail`);
    });

    it("writes out an unterminated last line on close", async () => {
      const log = await open();
      await log.output(out("done\nno newline"), "stdout");
      await log.output(out("err no newline"), "stderr");
      await log.close();
      expect(linesOf()).toEqual(["done", "no newline", "err no newline"]);
    });

    it("writes every line when a provider prints megabytes in a burst", async () => {
      const log = await open();
      const line = `${"z".repeat(99)}\n`;
      const chunk = out(line.repeat(1000));
      for (let i = 0; i < 50; i++) await log.output(chunk, "stdout");
      await log.close();
      const lines = linesOf();
      expect(lines.length).toBe(50_000);
      expect(lines.every((l) => l === "z".repeat(99))).toBe(true);
    });
  });

  describe("lastLine", () => {
    it("is undefined before the provider printed anything", async () => {
      const log = await open();
      log.note("heaven talking");
      expect(log.lastLine()).toBeUndefined();
      await log.close();
    });

    it("is the last non-empty provider line, masked, and ignores heaven's notes", async () => {
      const log = await open({ secrets: ["s3cr3t!"] });
      await log.output(out("first\n"), "stdout");
      await log.output(out("migration failed with s3cr3t!\n\n   \n"), "stderr");
      log.note("script/deploy exited 3");
      expect(log.lastLine()).toBe("migration failed with ********");
      await log.close();
    });

    it("counts an unterminated line once the log is closed", async () => {
      const log = await open();
      await log.output(out("one\ntwo"), "stdout");
      expect(log.lastLine()).toBe("one");
      await log.close();
      expect(log.lastLine()).toBe("two");
    });
  });

  describe("size cap", () => {
    const CAP = 10 * 1024;
    /** 1 MB of numbered lines, every tenth holding the secret, cut into chunks that split lines. */
    const LINES = Array.from({ length: 90_000 }, (_, i) => `line ${i}${i % 10 === 0 ? " token=s3cr3t!" : ""}`);
    const flood = out(LINES.map((line) => `${line}\n`).join(""));
    const feed = async (log: DeploymentLog, from: number, to: number) => {
      for (let at = from; at < to; at += 4093) {
        await log.output(flood.subarray(at, Math.min(at + 4093, to)), "stdout");
        if (log.cap !== undefined) expect(log.cap.tailBytes).toBeLessThanOrEqual(log.cap.tailBudget);
      }
    };
    const stamped = (line: string) => Buffer.byteLength(`${STAMP} ${line}\n`);
    const masked = (line: string) => line.replace("s3cr3t!", "********");

    it("keeps the head and the tail, every line stamped and masked, and says exactly how much was dropped", async () => {
      expect(flood.length).toBeGreaterThan(1_000_000);
      const log = await open({ secrets: ["s3cr3t!"], maxBytes: CAP });
      log.note("deployment 42");
      await feed(log, 0, flood.length);
      log.note("success: deployed");
      await log.close();
      expect(log.lastLine()).toBe(LINES[LINES.length - 1]);
      const lines = linesOf();
      expect(readFileSync(path, "utf8")).not.toContain("s3cr3t!");
      const marker = lines.findIndex((line) => line.startsWith("heaven: … "));
      const head = lines.slice(1, marker);
      const tail = lines.slice(marker + 1, -1);
      expect([lines[0], lines[lines.length - 1]]).toEqual(["heaven: deployment 42", "heaven: success: deployed"]);
      // The head is the first lines, the tail the last, and what lies between is what the marker counts.
      expect(head).toEqual(LINES.slice(0, head.length).map(masked));
      expect(tail).toEqual(LINES.slice(LINES.length - tail.length).map(masked));
      const gone = LINES.slice(head.length, LINES.length - tail.length);
      const bytes = gone.reduce((sum, line) => sum + stamped(masked(line)), 0);
      expect(lines[marker]).toBe(`heaven: … ${bytes} bytes (${gone.length} lines) of output dropped here: the log is capped at HEAVEN_LOG_MAX_BYTES=${CAP}`);
      expect(gone.length).toBeGreaterThan(80_000);
      expect(statSync(path).size).toBeLessThanOrEqual(CAP + 200);
      expect(Buffer.byteLength(tail.map((line) => `${STAMP} ${line}\n`).join(""))).toBeGreaterThan(CAP / 2 - 100);
    });

    it("writes every note, in order, even one the tail window has passed", async () => {
      const log = await open({ maxBytes: CAP });
      await feed(log, 0, 500_000);
      log.note("provider heroku, timeout 300 s");
      await feed(log, 500_000, flood.length);
      log.note("failure: script/deploy exited 3");
      await log.close();
      const notes = linesOf().filter((line) => line.startsWith("heaven: "));
      expect(notes).toEqual(["heaven: provider heroku, timeout 300 s", expect.stringMatching(/^heaven: … \d+ bytes/), "heaven: failure: script/deploy exited 3"]);
    });

    it("holds no more of the tail than its budget, at most 4 MiB however large the cap", async () => {
      const log = await open({ maxBytes: 50_000_000 });
      expect(log.cap?.tailBudget).toBe(4 * 1024 * 1024);
      const small = await DeploymentLog.open(join(dir, "small.log"), { secrets: [], now, maxBytes: CAP });
      // One chunk far larger than the whole cap.
      await small.output(flood, "stdout");
      expect(small.cap?.tailBytes).toBeLessThanOrEqual(CAP / 2);
      await Promise.all([log.close(), small.close()]);
      expect(linesOf(join(dir, "small.log")).at(-1)).toBe(LINES[LINES.length - 1]);
    });

    it("writes everything when there is no cap, and nothing past a full disk", async () => {
      const log = await open({ maxBytes: 0 });
      await feed(log, 0, flood.length);
      await log.close();
      expect(log.cap).toBeUndefined();
      expect(linesOf()).toHaveLength(LINES.length);
      const full = await DeploymentLog.open("/dev/full", { secrets: [], maxBytes: CAP });
      await full.output(flood, "stdout");
      full.note("success: deployed");
      await full.close();
      expect(full.lastLine()).toBe(LINES[LINES.length - 1]);
    });
  });

  it("hands each finished, masked line to echo without a timestamp", async () => {
    const echoed: string[] = [];
    const log = await open({ secrets: ["tok3n"], echo: (line) => echoed.push(line) });
    log.note("hello");
    await log.output(out("tok3n here\npart"), "stdout");
    expect(echoed).toEqual(["heaven: hello", "******** here"]);
    await log.close();
    expect(echoed).toEqual(["heaven: hello", "******** here", "part"]);
  });

  it("rejects when the log directory cannot be created, leaving what is there alone", async () => {
    writeFileSync(join(dir, "logs"), "not a directory");
    await expect(open()).rejects.toThrow();
    expect(readFileSync(join(dir, "logs"), "utf8")).toBe("not a directory");
  });
});
