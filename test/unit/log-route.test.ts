/**
 * The log route over real HTTP: plain text for curl, the page for a
 * browser, signed links that expire, and the headers that keep the page's
 * signature and script its own.
 */
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { utimesSync } from "node:fs";
import type { LogChunk, LogInfo, LogStore } from "../../src/core/log-store.js";
import { logFilePath } from "../../src/engine/log-links.js";
import { tempDir } from "../helpers/git-repo.js";
import { metaOf, startLogServer, type LogServer } from "../helpers/log-server.js";

const KEY = "Codertocat/Hello-World/42";
const STAMP = "2026-11-22T14:03:04.123Z";
const LOG = `${STAMP} heaven: deployment 42\n${STAMP} <script>alert(1)</script>\n${STAMP} \u001b[32mgreen\u001b[0m\n`;
const HTML = { accept: "text/html,application/xhtml+xml,*/*;q=0.8" };

let tmp: ReturnType<typeof tempDir>;
let server: LogServer;
beforeEach(async () => {
  tmp = tempDir("heaven-log-route-");
  server = await startLogServer(tmp.path);
  server.writeLog(KEY, LOG);
  server.writeMeta(KEY, { state: "success", description: "script/deploy succeeded in 3 s", finished: true, finishedAt: Date.now() });
});
afterEach(async () => {
  await server.close();
  tmp.remove();
});

describe("the log as plain text", () => {
  it("is what curl gets (no text/html in Accept): the log as written", async () => {
    const answer = await fetch(server.link(KEY));
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
    expect(answer.headers.get("referrer-policy")).toBe("no-referrer");
    expect(await answer.text()).toBe(LOG);
  });

  it("is what ?raw gets, even from a browser", async () => {
    const answer = await fetch(`${server.link(KEY)}&raw`, { headers: HTML });
    expect(answer.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await answer.text()).toBe(LOG);
  });
});

describe("the log page", () => {
  it("shows repository, environment, ref and sha linked to GitHub, who, state and duration", async () => {
    const answer = await fetch(server.link(KEY), { headers: HTML });
    expect(answer.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const page = await answer.text();
    expect(page).toContain('<a href="https://github.com/Codertocat/Hello-World">Codertocat/Hello-World</a>');
    expect(page).toContain("<dt>environment</dt><dd>production</dd>");
    expect(page).toContain('<a href="https://github.com/Codertocat/Hello-World/tree/main">main</a>');
    expect(page).toContain('<a href="https://github.com/Codertocat/Hello-World/commit/0123456789abcdef0123456789abcdef01234567"><code>0123456</code></a>');
    expect(page).toContain("<dt>by</dt><dd>octocat</dd>");
    expect(page).toMatch(/<span id="state" class="state success">succeeded<\/span> <span id="about">script\/deploy succeeded in 3 s<\/span>/);
    expect(page).toMatch(/<dd id="duration">\d+ s<\/dd>/);
  });

  it("numbers each line with an anchor, and renders a line holding a script tag as text", async () => {
    const page = await (await fetch(server.link(KEY), { headers: HTML })).text();
    expect(page).toContain('<p id="L2"><a href="#L2">2</a>');
    expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page).not.toContain("<script>alert(1)");
    expect(page).toContain('<span style="color:rgb(0,187,0)">green</span>');
  });

  it("ends a finished deployment's page with the finished marker and opens no live tail", async () => {
    const page = await (await fetch(server.link(KEY), { headers: HTML })).text();
    expect(page).toContain('data-finished="true"');
    expect(page).toContain("Finished: succeeded (script/deploy succeeded in 3 s). End of log.</div>");
  });

  it("links to the raw text and the live tail relatively, carrying the signature, and shows no path on heaven's disk", async () => {
    const link = server.link(KEY, Math.floor(Date.now() / 1000) + 3_600);
    const query = new URL(link).search.slice(1).replaceAll("&", "&amp;");
    const page = await (await fetch(link, { headers: HTML })).text();
    expect(page).toContain(`<a id="raw" href="?${query}&amp;raw">raw text</a>`);
    expect(page).toContain(`data-stream="42/stream?${query}&amp;from=${Buffer.byteLength(LOG)}"`);
    expect(page).not.toContain(tmp.path);
    expect(page).not.toContain(".log");
  });

  it("allows only its own script and style, and sends no Referer that would carry the signature", async () => {
    const answer = await fetch(server.link(KEY), { headers: HTML });
    const policy = answer.headers.get("content-security-policy") ?? "";
    const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(policy)?.[1];
    expect(nonce).toBeDefined();
    expect(policy).toContain("default-src 'none'");
    expect(policy).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
    expect(answer.headers.get("referrer-policy")).toBe("no-referrer");
    const page = await answer.text();
    expect(page.match(/<script[^>]*>/g)).toEqual([`<script nonce="${nonce}">`]);
    // A fresh nonce for every page.
    const again = (await fetch(server.link(KEY), { headers: HTML })).headers.get("content-security-policy");
    expect(again).not.toBe(policy);
  });

  it("sends its header before the first line has been read from the store", async () => {
    let release: (chunk: LogChunk) => void = () => undefined;
    const info: LogInfo = { meta: metaOf(KEY), size: 10, updatedAt: Date.now() };
    const store: LogStore = {
      info: async () => info,
      read: () => new Promise<LogChunk>((resolve) => (release = resolve)),
    };
    const gated = await startLogServer(tmp.path, { store });
    try {
      const answer = await fetch(gated.link(KEY), { headers: HTML });
      const reader = answer.body?.getReader();
      const first = new TextDecoder().decode((await reader?.read())?.value);
      expect(first).toContain("<header>");
      expect(first).not.toContain('id="L1"');
      release({ text: "one\ntwo\n", next: 8, finished: true });
      let rest = "";
      for (let read = await reader?.read(); read !== undefined && !read.done; read = await reader?.read()) rest += new TextDecoder().decode(read.value);
      expect(rest).toContain('id="L2"');
    } finally {
      await gated.close();
    }
  });
});

describe("signed links", () => {
  it("answer 404 for a tampered signature, another deployment's key, or no signature, as for a missing log", async () => {
    const link = server.link(KEY);
    for (const url of [link.replace(/sig=[0-9a-f]{4}/, "sig=0000"), link.replace("/42?", "/43?"), link.replace(/\?.*$/, ""), server.link("Codertocat/Hello-World/404")]) {
      const answer = await fetch(url, { headers: HTML });
      expect({ url, status: answer.status }).toEqual({ url, status: 404 });
      expect(await answer.text()).toBe("no such log (check that the link is complete)\n");
    }
  });

  it("open until their expiry, then answer 410 with a sentence saying the link expired", async () => {
    expect((await fetch(server.link(KEY, Math.floor(Date.now() / 1000) + 60))).status).toBe(200);
    const expired = await fetch(server.link(KEY, Math.floor(Date.now() / 1000) - 60), { headers: HTML });
    expect(expired.status).toBe(410);
    expect(await expired.text()).toMatch(/^This log link expired on \d{4}-\d\d-\d\dT[\d:.]+Z/);
  });

  it("without exp: open for ever without a TTL; with a TTL, until TTL after the log was last written", async () => {
    const long = new Date(Date.now() - 40 * 86_400_000);
    utimesSync(logFilePath(tmp.path, KEY), long, long);
    server.writeMeta(KEY, { finished: true, state: "success", updatedAt: long.getTime() });
    expect((await fetch(server.link(KEY))).status).toBe(200);
    const withTtl = await startLogServer(tmp.path, { logLinkTtlSeconds: 30 * 86_400 });
    try {
      expect((await fetch(withTtl.link(KEY))).status).toBe(410);
      withTtl.writeLog("Codertocat/Hello-World/43", LOG);
      expect((await fetch(withTtl.link("Codertocat/Hello-World/43"))).status).toBe(200);
    } finally {
      await withTtl.close();
    }
  });

  it("answer HEAD with headers only, and other methods with 405", async () => {
    const head = await fetch(server.link(KEY), { method: "HEAD", headers: HTML });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await head.text()).toBe("");
    expect((await fetch(server.link(KEY), { method: "POST" })).status).toBe(405);
  });
});
