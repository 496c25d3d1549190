/**
 * The fake GitHub's git over smart HTTP, as GitHub serves it: a repository
 * registered with `gitOverHttp` is cloned from `http://<host>/<owner>/<repo>.git`,
 * answered by `git http-backend` from its origin on disk. A request without
 * credentials gets 401 with `WWW-Authenticate: Basic` (git then asks its
 * credential helper and tries again); only Basic `x-access-token:<token>` for
 * an installation token the fake minted and has not revoked gets through.
 * Every request is recorded, so a benchmark can count round trips.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { challenge, serveGitCgi } from "./git-http-server.js";

export interface GitRequest {
  /** `owner/name` */
  repository: string;
  method: string;
  /** What follows `<owner>/<repo>.git`: `/info/refs`, `/git-upload-pack`. */
  path: string;
  /** Whether it carried an Authorization header (a 401 challenge answers the ones that did not). */
  withCredentials: boolean;
  /** The HTTP status the fake answered. */
  status: number;
}

const GIT_PATH = /^\/([^/]+\/[^/]+?)\.git(\/.*)$/;
/** What GitHub lets a fetch ask for beyond the advertised refs: any reachable commit, and partial clones. */
const UPLOAD_PACK_CONFIG = { "uploadpack.allowReachableSHA1InWant": "true", "uploadpack.allowFilter": "true" };

export class FakeGitHttp {
  /** Every git HTTP request, oldest first. */
  readonly requests: GitRequest[] = [];

  constructor(
    private readonly io: {
      /** The origin on disk of a repository served over HTTP; undefined: not one. */
      originOf: (fullName: string) => string | undefined;
      isValidToken: (token: string) => boolean;
    },
  ) {}

  /** Whether `pathname` is a git request's (`/<owner>/<repo>.git/…`) rather than an API route's. */
  static matches(pathname: string): boolean {
    return GIT_PATH.test(pathname);
  }

  /** Answers a git request (`FakeGitHttp.matches` its path). */
  serve(req: IncomingMessage, res: ServerResponse): void {
    const pathname = decodeURIComponent(new URL(req.url ?? "/", "http://fake.invalid").pathname);
    const [, repository = "", path = ""] = GIT_PATH.exec(pathname) ?? [];
    const authorization = req.headers.authorization;
    const recorded: GitRequest = { repository, method: req.method ?? "GET", path, withCredentials: authorization !== undefined, status: 0 };
    this.requests.push(recorded);
    res.once("finish", () => (recorded.status = res.statusCode));

    const origin = this.io.originOf(repository);
    if (origin === undefined) {
      req.resume();
      res.writeHead(404, { "Content-Type": "text/plain" });
      res.end("Repository not found.\n");
      return;
    }
    if (!this.allows(authorization)) return challenge(req, res, "GitHub");
    serveGitCgi(req, res, { projectRoot: origin, pathInfo: path, config: UPLOAD_PACK_CONFIG });
  }

  private allows(authorization: string | undefined): boolean {
    const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? "")?.[1];
    if (basic === undefined) return false;
    const decoded = Buffer.from(basic, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return colon !== -1 && decoded.slice(0, colon) === "x-access-token" && this.io.isValidToken(decoded.slice(colon + 1));
  }
}
