/**
 * git over smart HTTP for tests, as `git http-backend` run as a CGI per
 * request. `startGitHttpServer` serves every repository under `projectRoot`
 * at `/<path>` behind HTTP Basic auth `x-access-token:<token>`, as GitHub
 * expects from an installation token (requests without it get 401);
 * `serveGitCgi` answers one request from one repository, for a server of
 * one's own (the fake GitHub's).
 */
import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface GitHttpServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Authorization headers the server saw, in order (undefined: none sent). */
  authorizations: (string | undefined)[];
  close(): Promise<void>;
}

export interface GitHttpServerOptions {
  projectRoot: string;
  token: string;
  /** `x-access-token` unless told otherwise. */
  username?: string;
}

/** The 401 GitHub answers a git request without (valid) credentials with: git then asks its credential helper. */
export function challenge(req: IncomingMessage, res: ServerResponse, realm = "heaven-test"): void {
  req.resume();
  res.writeHead(401, { "WWW-Authenticate": `Basic realm="${realm}"`, "Content-Type": "text/plain" });
  res.end("authentication required\n");
}

export async function startGitHttpServer(options: GitHttpServerOptions): Promise<GitHttpServer> {
  const expected = `Basic ${Buffer.from(`${options.username ?? "x-access-token"}:${options.token}`).toString("base64")}`;
  const authorizations: (string | undefined)[] = [];

  const server = createServer((req, res) => {
    authorizations.push(req.headers.authorization);
    if (req.headers.authorization !== expected) return challenge(req, res);
    serveGitCgi(req, res, { projectRoot: options.projectRoot, pathInfo: decodeURIComponent(new URL(req.url ?? "/", "http://127.0.0.1").pathname) });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    authorizations,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export interface GitCgiOptions {
  /** The directory `pathInfo` is relative to: a repository itself when `pathInfo` is `/info/refs`, `/git-upload-pack`… */
  projectRoot: string;
  pathInfo: string;
  /** git configuration for the backend (e.g. `uploadpack.allowFilter`), through its environment. */
  config?: Record<string, string>;
}

/** Answers one smart-HTTP request with `git http-backend`, the request's body piped to it as it arrives. */
export function serveGitCgi(req: IncomingMessage, res: ServerResponse, options: GitCgiOptions): void {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const header = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(", ") : (value ?? "");
  };
  const config = Object.entries(options.config ?? {});
  const backend = spawn("git", ["http-backend"], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      GIT_CONFIG_NOSYSTEM: "1",
      HOME: options.projectRoot,
      GIT_PROJECT_ROOT: options.projectRoot,
      GIT_HTTP_EXPORT_ALL: "1",
      PATH_INFO: options.pathInfo,
      QUERY_STRING: url.search.replace(/^\?/, ""),
      REQUEST_METHOD: req.method ?? "GET",
      CONTENT_TYPE: header("content-type"),
      CONTENT_LENGTH: header("content-length"),
      HTTP_CONTENT_ENCODING: header("content-encoding"),
      GIT_PROTOCOL: header("git-protocol"),
      REMOTE_USER: "x-access-token",
      REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
      ...(config.length === 0 ? {} : { GIT_CONFIG_COUNT: String(config.length) }),
      ...Object.fromEntries(config.flatMap(([key, value], i) => [[`GIT_CONFIG_KEY_${i}`, key], [`GIT_CONFIG_VALUE_${i}`, value]])),
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  req.pipe(backend.stdin);
  backend.stdin.on("error", () => undefined);
  let stderr = "";
  backend.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));

  // CGI output: headers, a blank line, then the body.
  let head = Buffer.alloc(0);
  let headersSent = false;
  backend.stdout.on("data", (chunk: Buffer) => {
    if (headersSent) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf("\r\n\r\n");
    const endLf = head.indexOf("\n\n");
    const [at, sep] = end !== -1 && (endLf === -1 || end < endLf) ? [end, 4] : [endLf, 2];
    if (at === -1) return;
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of head.subarray(0, at).toString("latin1").split(/\r?\n/)) {
      const colon = line.indexOf(":");
      if (colon === -1) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === "status") status = Number.parseInt(value, 10);
      else headers[name] = value;
    }
    res.writeHead(status, headers);
    headersSent = true;
    res.write(head.subarray(at + sep));
  });
  backend.on("close", (code) => {
    if (!headersSent) {
      res.writeHead(500, { "Content-Type": "text/plain" });
      res.end(`git http-backend exited ${code}: ${stderr}`);
      return;
    }
    res.end();
  });
}
