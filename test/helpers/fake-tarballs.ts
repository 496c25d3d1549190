/**
 * GitHub's tarball links, as the fake GitHub serves them: `GET
 * …/tarball/{ref}` answers 302 to a short-lived link carrying its own token
 * (codeload's), and the link serves `git archive --format=tar.gz` of the sha
 * with GitHub's `owner-repo-sha7/` prefix, to anyone holding it.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { promisify } from "node:util";

const run = promisify(execFile);
const LINK_LIFETIME_MS = 5 * 60_000;
const LINK_PATH = /^\/_codeload\/([^/]+\/[^/]+)\/legacy\.tar\.gz\/([0-9a-f]{40})$/;

export interface TarballDownload {
  repository: string;
  sha: string;
  status: number;
}

interface Link {
  repository: string;
  dir: string;
  sha: string;
  expires: number;
}

export class FakeTarballs {
  /** Every use of a link, oldest first. */
  readonly downloads: TarballDownload[] = [];
  /** Every link handed out, oldest first. */
  readonly links: string[] = [];
  private readonly tokens = new Map<string, Link>();

  /** A fresh link to the archive of `sha` in the origin `dir`. */
  link(origin: string, repository: string, dir: string, sha: string): string {
    const token = randomBytes(16).toString("hex");
    this.tokens.set(token, { repository, dir, sha, expires: Date.now() + LINK_LIFETIME_MS });
    const url = `${origin}/_codeload/${repository}/legacy.tar.gz/${sha}?token=${token}`;
    this.links.push(url);
    return url;
  }

  /** Answers a link's request; false when `path` is not a link. */
  async serve(path: string, token: string | undefined, res: ServerResponse): Promise<boolean> {
    const match = LINK_PATH.exec(path);
    if (match === null) return false;
    const [, repository = "", sha = ""] = match;
    const link = token === undefined ? undefined : this.tokens.get(token);
    const valid = link !== undefined && link.repository === repository && link.sha === sha && link.expires > Date.now();
    if (!valid) return this.answer(res, { repository, sha, status: 404 }, "text/plain", Buffer.from("Not Found"));
    const [owner, name] = repository.split("/");
    const prefix = `${owner}-${name}-${sha.slice(0, 7)}/`;
    try {
      const archive = await run("git", ["archive", "--format=tar.gz", `--prefix=${prefix}`, sha], {
        cwd: link.dir,
        encoding: "buffer",
        maxBuffer: 64 * 1024 * 1024,
        env: { PATH: process.env.PATH ?? "", HOME: link.dir, GIT_CONFIG_NOSYSTEM: "1" },
      });
      return this.answer(res, { repository, sha, status: 200 }, "application/x-gzip", archive.stdout);
    } catch (error) {
      return this.answer(res, { repository, sha, status: 500 }, "text/plain", Buffer.from(`fake GitHub: git archive failed: ${String(error)}`));
    }
  }

  private answer(res: ServerResponse, download: TarballDownload, type: string, body: Buffer): true {
    this.downloads.push(download);
    res.writeHead(download.status, { "content-type": type, "content-length": String(body.length) });
    res.end(body);
    return true;
  }
}
