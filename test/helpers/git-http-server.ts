/**
 * A git smart-HTTP server on 127.0.0.1 for tests: `git http-backend` run as a
 * CGI per request, behind HTTP Basic auth `x-access-token:<token>` as GitHub
 * expects from an installation token. Every repository under `projectRoot`
 * is served at `/<path>`; requests without the right credentials get 401.
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

export async function startGitHttpServer(options: GitHttpServerOptions): Promise<GitHttpServer> {
  const expected = `Basic ${Buffer.from(`${options.username ?? "x-access-token"}:${options.token}`).toString("base64")}`;
  const authorizations: (string | undefined)[] = [];

  const server = createServer((req, res) => {
    authorizations.push(req.headers.authorization);
    if (req.headers.authorization !== expected) {
      req.resume();
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="heaven-test"', "Content-Type": "text/plain" });
      res.end("authentication required\n");
      return;
    }
    serveCgi(req, res, options.projectRoot);
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

function serveCgi(req: IncomingMessage, res: ServerResponse, projectRoot: string): void {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const header = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(", ") : (value ?? "");
  };
  const backend = spawn("git", ["http-backend"], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      GIT_CONFIG_NOSYSTEM: "1",
      HOME: projectRoot,
      GIT_PROJECT_ROOT: projectRoot,
      GIT_HTTP_EXPORT_ALL: "1",
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ""),
      REQUEST_METHOD: req.method ?? "GET",
      CONTENT_TYPE: header("content-type"),
      CONTENT_LENGTH: header("content-length"),
      HTTP_CONTENT_ENCODING: header("content-encoding"),
      GIT_PROTOCOL: header("git-protocol"),
      REMOTE_USER: "x-access-token",
      REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
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
