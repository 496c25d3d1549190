/**
 * Signed-in people's sessions, in memory: the user-to-server token stays
 * here, on the server, keyed by a random session id — the cookie only names
 * the id. A restart signs everyone out (they sign in again with one click);
 * nothing on disk ever holds a person's token.
 */
import { randomBytes } from "node:crypto";

export interface StoredSession {
  sessionId: string;
  login: string;
  /** The person's GitHub token: never logged, never sent to the browser. */
  token: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/** Beyond this many live sessions the oldest are dropped: memory stays bounded whatever arrives. */
const MAX_SESSIONS = 10_000;

export class SessionStore {
  private readonly sessions = new Map<string, StoredSession>();

  constructor(private readonly now: () => number = Date.now) {}

  create(login: string, token: string, expiresAt: number): StoredSession {
    this.sweep();
    const session = { sessionId: randomBytes(32).toString("base64url"), login, token, expiresAt };
    this.sessions.set(session.sessionId, session);
    for (const oldest of this.sessions.keys()) {
      if (this.sessions.size <= MAX_SESSIONS) break;
      this.sessions.delete(oldest);
    }
    return session;
  }

  /** The live session of that id; an expired one is forgotten. */
  get(sessionId: string): StoredSession | undefined {
    const session = this.sessions.get(sessionId);
    if (session !== undefined && session.expiresAt <= this.now()) {
      this.sessions.delete(sessionId);
      return undefined;
    }
    return session;
  }

  delete(sessionId: string): boolean {
    return this.sessions.delete(sessionId);
  }

  get size(): number {
    return this.sessions.size;
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, session] of this.sessions) if (session.expiresAt <= now) this.sessions.delete(id);
  }
}
