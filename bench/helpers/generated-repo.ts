/**
 * A large origin made in seconds with `git fast-import`: a bare repository
 * whose `main` has `commits` commits (the first adds `files` text files,
 * each later one rewrites one of them) and `branches` branches spread over
 * its history, packed with a bitmap and packed refs as GitHub keeps them.
 */
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";

const run = promisify(execFile);
const WORDS = "const let return if else for while function class import export from await async new this true false null value error result request response deploy commit branch".split(" ");

export interface GeneratedRepo {
  /** The bare repository. */
  dir: string;
  /** `main`'s tip. */
  head: string;
  /** Adds one commit to `main` (rewriting one file) and returns its sha: a push since the last deployment. */
  push(): Promise<string>;
}

export interface Shape {
  commits: number;
  branches: number;
  files: number;
}

function gitEnv(home: string): Record<string, string> {
  return { PATH: process.env.PATH ?? "", HOME: home, GIT_CONFIG_NOSYSTEM: "1" };
}

/** A file's text, different for each (file, version): lines of words from a small vocabulary, about 1.5 KB. */
function content(file: number, version: number): string {
  let seed = (file * 7919 + version * 104_729 + 1) >>> 0;
  const lines: string[] = [];
  for (let line = 0; line < 40; line++) {
    const words: string[] = [];
    for (let w = 0; w < 6; w++) {
      seed = (seed * 1_103_515_245 + 12_345) >>> 0;
      words.push(WORDS[seed % WORDS.length] as string);
    }
    lines.push(words.join(" "));
  }
  return `${lines.join("\n")}\n`;
}

const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
const path = (file: number) => `src/m${String(file % 50).padStart(2, "0")}/f${String(file).padStart(4, "0")}.txt`;

function* stream(shape: Shape): Generator<string> {
  const branchEvery = Math.max(1, Math.floor(shape.commits / shape.branches));
  for (let i = 0; i < shape.commits; i++) {
    const when = 1_700_000_000 + i * 60;
    let text = `commit refs/heads/main\nmark :${i + 1}\ncommitter Bench <bench@example.com> ${when} +0000\n${data(`change ${i}`)}`;
    if (i > 0) text += `from :${i}\n`;
    const touched = i === 0 ? Array.from({ length: shape.files }, (_, f) => f) : [i % shape.files];
    for (const f of touched) text += `M 100644 inline ${path(f)}\n${data(content(f, i))}`;
    yield `${text}\n`;
    const branch = Math.floor(i / branchEvery);
    if (i % branchEvery === branchEvery - 1 && branch < shape.branches) yield `reset refs/heads/topic/${String(branch).padStart(4, "0")}\nfrom :${i + 1}\n\n`;
  }
}

async function fastImport(dir: string, home: string, lines: Iterable<string>): Promise<void> {
  const child = spawn("git", ["fast-import", "--quiet", "--done"], { cwd: dir, env: gitEnv(home), stdio: ["pipe", "ignore", "inherit"] });
  const exited = once(child, "close");
  await pipeline(Readable.from((function* () {
    yield* lines;
    yield "done\n";
  })()), child.stdin);
  const [code] = (await exited) as [number | null];
  if (code !== 0) throw new Error(`git fast-import exited with ${code}`);
}

export async function generateRepo(parent: string, shape: Shape): Promise<GeneratedRepo> {
  const dir = join(parent, "generated.git");
  const home = join(parent, "generated-home");
  mkdirSync(home, { recursive: true });
  const git = async (...args: string[]) => (await run("git", args, { cwd: dir, env: gitEnv(home), maxBuffer: 64 * 1024 * 1024 })).stdout.trim();
  await run("git", ["init", "--quiet", "--bare", "--initial-branch=main", dir], { env: gitEnv(home) });
  await fastImport(dir, home, stream(shape));
  await git("repack", "-a", "-d", "-b", "--quiet");
  await git("pack-refs", "--all");
  let pushed = shape.commits;
  return {
    dir,
    head: await git("rev-parse", "refs/heads/main"),
    push: async () => {
      const i = pushed++;
      const when = 1_700_000_000 + i * 60;
      const commit = `commit refs/heads/main\ncommitter Bench <bench@example.com> ${when} +0000\n${data(`change ${i}`)}from refs/heads/main^0\nM 100644 inline ${path(i % shape.files)}\n${data(content(i % shape.files, i))}\n`;
      await fastImport(dir, home, [commit]);
      return git("rev-parse", "refs/heads/main");
    },
  };
}
