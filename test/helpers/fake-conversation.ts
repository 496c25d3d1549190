/**
 * The fake GitHub's pull-request conversation: issue comments with their
 * edit history (each body a comment had, in order), reactions, and the reads
 * of fake-pulls.ts. State lives per repository (`fake.repo(name).pulls`,
 * `.permissions`, `.permissionErrors`, `.comments`); comment ids are unique
 * across the fake, and larger than 2^31 as GitHub's are today.
 *
 * A comment the API creates is heaven's (`heaven[bot]`) and sends no
 * webhook: a person's comment is `addComment` plus a webhook the test sends
 * (test/helpers/comment-events.ts).
 */
import { githubTime, routePullReads, userJson, type FakePermission, type FakePull, type FakeTeams } from "./fake-pulls.js";

export type { FakePermission, FakePull, FakeTeams } from "./fake-pulls.js";

export type Reply = (status: number, data: unknown, headers?: Record<string, string>) => void;
export type FakeGit = (dir: string, args: string[]) => { ok: boolean; stdout: string; status: number };

export interface FakeReaction {
  id: number;
  content: string;
  user: string;
}

export interface FakeComment {
  id: number;
  issue: number;
  /** The body now. */
  body: string;
  /** Every body it had, oldest first: created with the first, edited to each next. */
  bodies: string[];
  user: { login: string; type: string };
  createdAt: string;
  updatedAt: string;
  reactions: FakeReaction[];
}

export interface ConversationState {
  /** Pull requests by number. */
  pulls: Map<number, FakePull>;
  /** Collaborators' roles by login (any case); someone absent is not a collaborator (404). */
  permissions: Map<string, FakePermission>;
  /** The permission API answers this HTTP status for the login: to test failing closed. */
  permissionErrors: Map<string, number>;
  /** Comments by issue (pull request) number, oldest first. */
  comments: Map<number, FakeComment[]>;
}

export interface ConversationRepo extends ConversationState {
  registered: { dir: string; defaultBranch: string } | undefined;
}

export const conversationState = (): ConversationState => ({ pulls: new Map(), permissions: new Map(), permissionErrors: new Map(), comments: new Map() });

export const APP_BOT = { login: "heaven[bot]", type: "Bot" };
const REACTIONS = ["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"];

export class FakeConversation {
  /** Team members by `org/team-slug`, e.g. `teams.set("acme/deployers", { alice: "active" })`. */
  readonly teams: FakeTeams = new Map();
  private nextId = 3_000_000_001;
  private nextReactionId = 1;

  constructor(private readonly github: { repo: (fullName: string) => ConversationRepo; host: () => string; git: FakeGit }) {}

  /** A comment as someone writes it on GitHub (no webhook: send one with comment-events.ts). */
  addComment(fullName: string, issue: number, fields: { body: string; user: { login: string; type?: string }; createdAt?: string | Date; id?: number }): FakeComment {
    const at = githubTime(fields.createdAt ?? new Date());
    const comment: FakeComment = {
      id: fields.id ?? this.nextId++,
      issue,
      body: fields.body,
      bodies: [fields.body],
      user: { login: fields.user.login, type: fields.user.type ?? "User" },
      createdAt: at,
      updatedAt: at,
      reactions: [],
    };
    const repo = this.github.repo(fullName);
    repo.comments.set(issue, [...(repo.comments.get(issue) ?? []), comment]);
    return comment;
  }

  /** Comments on the issue, oldest first; `by` keeps one author's (e.g. `heaven[bot]`, the replies). */
  commentsOn(fullName: string, issue: number, by?: string): FakeComment[] {
    return (this.github.repo(fullName).comments.get(issue) ?? []).filter((c) => by === undefined || c.user.login === by);
  }

  /** Removes a comment, as its author deleting it does; true when there was one. */
  remove(fullName: string, id: number): boolean {
    const { comments } = this.github.repo(fullName);
    for (const [issue, list] of comments) {
      if (!list.some((c) => c.id === id)) continue;
      comments.set(issue, list.filter((c) => c.id !== id));
      return true;
    }
    return false;
  }

  find(fullName: string, id: number): FakeComment | undefined {
    for (const list of this.github.repo(fullName).comments.values()) {
      const found = list.find((c) => c.id === id);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** GitHub's JSON for an issue comment. */
  commentJson(fullName: string, c: FakeComment) {
    const base = `http://${this.github.host()}`;
    return {
      id: c.id,
      node_id: `IC_fake${c.id}`,
      url: `${base}/api/v3/repos/${fullName}/issues/comments/${c.id}`,
      html_url: `${base}/${fullName}/pull/${c.issue}#issuecomment-${c.id}`,
      issue_url: `${base}/api/v3/repos/${fullName}/issues/${c.issue}`,
      body: c.body,
      user: userJson(c.user.login, c.user.type),
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      author_association: c.user.type === "Bot" ? "NONE" : "CONTRIBUTOR",
      performed_via_github_app: null,
    };
  }

  /** Answers the conversation routes; false when `path` is none of them. */
  route(method: string, path: string, query: Record<string, string>, body: Record<string, unknown> | undefined, reply: Reply): boolean {
    const apiBase = `http://${this.github.host()}/api/v3`;
    if (routePullReads({ apiBase, repo: this.github.repo, teams: this.teams, git: this.github.git }, method, path, reply)) return true;
    const match = /^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+\/comments|comments\/\d+|comments\/\d+\/reactions)$/.exec(path);
    if (match === null) return false;
    const fullName = match[1] as string;
    const [first = "", second = "", third] = (match[2] as string).split("/");
    const notFound = () => reply(404, { message: "Not Found" });
    const text = typeof body?.body === "string" ? body.body : undefined;
    if (second === "comments") {
      const issue = Number(first);
      const repo = this.github.repo(fullName);
      if (!repo.pulls.has(issue) && !repo.comments.has(issue)) notFound();
      else if (method === "GET") this.list(fullName, issue, query, reply);
      else if (method !== "POST") return false;
      else if (text === undefined) reply(422, { message: "Invalid request.\n\n\"body\" wasn't supplied." });
      else reply(201, this.commentJson(fullName, this.addComment(fullName, issue, { body: text, user: APP_BOT })));
      return true;
    }
    const comment = this.find(fullName, Number(second));
    const isReaction = third === "reactions";
    if (isReaction ? method !== "POST" : method !== "GET" && method !== "PATCH") return false;
    if (comment === undefined) notFound();
    else if (isReaction) this.react(comment, body, reply);
    else if (method === "GET") reply(200, this.commentJson(fullName, comment));
    else if (text === undefined) reply(422, { message: "Invalid request.\n\n\"body\" wasn't supplied." });
    else {
      comment.body = text;
      comment.bodies.push(text);
      comment.updatedAt = githubTime(new Date());
      reply(200, this.commentJson(fullName, comment));
    }
    return true;
  }

  /** heaven reacts to a comment; GitHub answers 200 (and adds nothing) when it already reacted so. */
  private react(comment: FakeComment, body: Record<string, unknown> | undefined, reply: Reply): void {
    const content = typeof body?.content === "string" ? body.content : "";
    if (!REACTIONS.includes(content)) return reply(422, { message: `Validation Failed: content ${JSON.stringify(content)}` });
    const existing = comment.reactions.find((r) => r.content === content && r.user === APP_BOT.login);
    const reaction = existing ?? { id: this.nextReactionId++, content, user: APP_BOT.login };
    if (existing === undefined) comment.reactions.push(reaction);
    reply(existing === undefined ? 201 : 200, { id: reaction.id, content, user: userJson(reaction.user, "Bot"), created_at: githubTime(new Date()) });
  }

  /** `GET …/issues/:n/comments`: oldest first, paged by `per_page`/`page` with a `Link` header as GitHub's. */
  private list(fullName: string, issue: number, query: Record<string, string>, reply: Reply): void {
    const perPage = Math.min(Number(query.per_page ?? 30) || 30, 100);
    const page = Math.max(Number(query.page ?? 1) || 1, 1);
    const all = this.commentsOn(fullName, issue);
    const more = all.length > page * perPage;
    const next = `<http://${this.github.host()}/api/v3/repos/${fullName}/issues/${issue}/comments?per_page=${perPage}&page=${page + 1}>; rel="next"`;
    reply(200, all.slice((page - 1) * perPage, page * perPage).map((c) => this.commentJson(fullName, c)), more ? { link: next } : {});
  }
}
