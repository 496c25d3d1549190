/** `heaven logs`: a deployment's log from this box's data directory, or a list of the recent ones. */
import { createReadStream, existsSync, readdirSync, statSync, watch } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { applyDotEnv, loadSettings } from "../settings.js";
import type { LogsArgs } from "./commands/logs.js";
import { EXIT } from "./exit-codes.js";

interface LogFile {
  id: string;
  repository: string;
  path: string;
  modified: Date;
}

/** The pipeline's last line: `heaven: <state>: <description>`. */
const FINAL = /heaven: (success|failure|error): /;

/** logs/<owner>/<repo>/<id>.log, as engine/log-links.ts lays them out. */
export function listLogs(dataDir: string): LogFile[] {
  const root = join(dataDir, "logs");
  const folders = (dir: string) => (existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name) : []);
  const files: LogFile[] = [];
  for (const owner of folders(root)) {
    for (const repo of folders(join(root, owner))) {
      for (const name of readdirSync(join(root, owner, repo)).filter((file) => file.endsWith(".log"))) {
        const path = join(root, owner, repo, name);
        files.push({ id: name.slice(0, -".log".length), repository: `${owner}/${repo}`, path, modified: statSync(path).mtime });
      }
    }
  }
  return files.sort((a, b) => b.modified.getTime() - a.modified.getTime());
}

async function lastLine(path: string): Promise<string> {
  const lines = (await readFile(path, "utf8")).trimEnd().split("\n");
  // Drop the timestamp: the list has its own column for when.
  return (lines.at(-1) ?? "").replace(/^\S+Z /, "");
}

async function printList(files: LogFile[], limit: number): Promise<number> {
  if (files.length === 0) {
    console.log("heaven: no deployment logs here yet");
    return EXIT.success;
  }
  for (const file of files.slice(0, limit)) {
    const last = await lastLine(file.path);
    console.log(`${file.id}  ${file.modified.toISOString().slice(0, 19).replace("T", " ")}  ${file.repository}  ${FINAL.test(last) ? last.replace(/^.*heaven: /, "") : "(running or stopped)"}`);
  }
  return EXIT.success;
}

/** Prints what is there, then what is appended until the final line is written (or Ctrl-C). */
function follow(path: string): Promise<number> {
  return new Promise((resolve) => {
    let offset = 0;
    // The end of what was printed: the final line may arrive split over two reads.
    let recent = "";
    let reading = false;
    let done = false;
    const watcher = watch(path);
    const finish = () => {
      done = true;
      watcher.close();
      resolve(EXIT.success);
    };
    const readMore = () => {
      if (reading || done) return;
      reading = true;
      let text = "";
      createReadStream(path, { start: offset, encoding: "utf8" })
        .on("data", (chunk) => {
          text += chunk;
          offset += Buffer.byteLength(chunk);
          process.stdout.write(chunk);
        })
        .on("end", () => {
          reading = false;
          recent = (recent + text).slice(-4096);
          if (FINAL.test(recent)) finish();
          else if (statSync(path).size > offset) readMore();
        });
    };
    watcher.on("change", readMore);
    readMore();
  });
}

export async function showLogs(args: LogsArgs): Promise<number> {
  applyDotEnv(process.env);
  const { dataDir } = loadSettings(process.env);
  const files = listLogs(dataDir);
  if (args.id === undefined) return printList(files, args.limit);
  const file = files.find((candidate) => candidate.id === args.id);
  if (file === undefined) {
    const recent = files.slice(0, 5).map((candidate) => candidate.id);
    console.error(`heaven: error: no log of deployment "${args.id}" in ${join(dataDir, "logs")}${recent.length === 0 ? "" : ` (recent: ${recent.join(", ")}; heaven logs lists more)`}`);
    return EXIT.error;
  }
  if (args.follow) return follow(file.path);
  process.stdout.write(await readFile(file.path));
  return EXIT.success;
}
