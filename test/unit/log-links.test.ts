import { join, relative, sep } from "node:path";
import { describe, expect, it } from "@jest/globals";
import { checkLogLink, isLogKey, linkEndsAt, logFilePath, logKey, logMetaPath, logUrl, signLogKey, verifyLogKey } from "../../src/engine/log-links.js";

const SECRET = "a-log-secret-of-enough-length";
const KEY = "Codertocat/Hello-World/145988746";

describe("signLogKey and verifyLogKey", () => {
  it("verifies the signature it made for the same key and secret", () => {
    expect(verifyLogKey(SECRET, KEY, signLogKey(SECRET, KEY))).toBe(true);
  });

  it("signs with a hex SHA-256 HMAC that is the same every time", () => {
    expect(signLogKey(SECRET, KEY)).toMatch(/^[0-9a-f]{64}$/);
    expect(signLogKey(SECRET, KEY)).toBe(signLogKey(SECRET, KEY));
  });

  it("rejects a signature with one character changed", () => {
    const signature = signLogKey(SECRET, KEY);
    const last = signature.at(-1) === "0" ? "1" : "0";
    expect(verifyLogKey(SECRET, KEY, `${signature.slice(0, -1)}${last}`)).toBe(false);
  });

  it("rejects a signature cut short", () => {
    const signature = signLogKey(SECRET, KEY);
    expect(verifyLogKey(SECRET, KEY, signature.slice(0, 32))).toBe(false);
    expect(verifyLogKey(SECRET, KEY, "")).toBe(false);
  });

  it("rejects a signature that is not hex without throwing", () => {
    expect(verifyLogKey(SECRET, KEY, "z".repeat(64))).toBe(false);
    expect(verifyLogKey(SECRET, KEY, "not a signature")).toBe(false);
  });

  it("rejects another deployment's key with this deployment's signature", () => {
    const signature = signLogKey(SECRET, KEY);
    expect(verifyLogKey(SECRET, "Codertocat/Hello-World/145988747", signature)).toBe(false);
    expect(verifyLogKey(SECRET, "Codertocat/Other-Repo/145988746", signature)).toBe(false);
  });

  it("rejects a signature made with another secret", () => {
    expect(verifyLogKey(SECRET, KEY, signLogKey("another-secret-entirely", KEY))).toBe(false);
  });
});

describe("isLogKey", () => {
  it.each(["Codertocat/Hello-World/145988746", "local/my.app/1", "o/r/d", "a_b/c-d/e.f"])("accepts %s", (key) => {
    expect(isLogKey(key)).toBe(true);
  });

  it.each([
    ["a parent directory as a segment", "a/../b"],
    ["only a parent directory", ".."],
    ["a parent directory at the end", "owner/repo/.."],
    ["two dots inside a segment", "owner/repo/1..2"],
    ["a current directory segment", "owner/./1"],
    ["four segments", "a/b/c/d"],
    ["two segments", "owner/repo"],
    ["an empty segment", "owner//1"],
    ["an absolute path", "/etc/passwd/x"],
    ["a trailing slash", "owner/repo/1/"],
    ["a backslash", "owner/repo/..\\..\\x"],
    ["a hidden name", ".git/repo/1"],
    ["a leading dash", "owner/-repo/1"],
    ["a space", "owner/my repo/1"],
    ["a line break at the end", "owner/repo/1\n"],
    ["an encoded slash", "owner/repo%2F..%2F/1"],
    ["a segment over 100 characters", `owner/${"r".repeat(101)}/1`],
    ["the empty string", ""],
  ])("rejects %s (%j)", (_what, key) => {
    expect(isLogKey(key)).toBe(false);
  });

  it("accepts a segment of exactly 100 characters, GitHub's longest repository name", () => {
    expect(isLogKey(`owner/${"r".repeat(100)}/1`)).toBe(true);
  });
});

describe("logKey", () => {
  it("joins owner, repository and deployment id", () => {
    expect(logKey("Codertocat/Hello-World", "145988746")).toBe("Codertocat/Hello-World/145988746");
  });

  it("replaces characters that are not plain name characters", () => {
    expect(logKey("octo cat/hello world", "local:42")).toBe("octo_cat/hello_world/local_42");
  });

  it("does not let a name climb out of the logs directory", () => {
    const logs = join("/var/lib/heaven", "logs");
    for (const [fullName, id] of [["../..", ".."], ["../../etc", "passwd"], ["owner/repo", "../../../x"], ["..", "/etc/x"]]) {
      const key = logKey(fullName ?? "", id ?? "");
      const file = logFilePath("/var/lib/heaven", key);
      expect({ key, escapes: relative(logs, file).split(sep).includes("..") }).toEqual({ key, escapes: false });
      expect(key.split("/")).toHaveLength(3);
    }
  });

  it("turns runs of dots into one underscore", () => {
    expect(logKey("a..b/c...d", "1")).toBe("a_b/c_d/1");
  });

  it("strips leading dots, dashes and underscores", () => {
    expect(logKey(".hidden/-repo", "_1")).toBe("hidden/repo/1");
  });

  it("still makes three segments when the repository name is missing", () => {
    const key = logKey("just-owner", "7");
    expect(key.split("/")).toHaveLength(3);
    expect(key.startsWith("just-owner/")).toBe(true);
    expect(key.endsWith("/7")).toBe(true);
  });

  it("always makes a key that isLogKey accepts", () => {
    const names = [
      ["Codertocat/Hello-World", "145988746"],
      ["../../etc", "passwd"],
      ["owner/repo/extra", "1"],
      ["ünïcödé/rëpo", "ünï"],
      ["owner/.git", "-1"],
      ["a\nb/c\td", "1\n"],
      ["...", "..."],
      ["._-/-_.", ".-_"],
      ["owner/repo", "1/../../x"],
      ["owner", "1"],
      ["", ""],
      ["owner/___", "1"],
    ];
    const refused = names
      .map(([fullName = "", id = ""]) => ({ fullName, id, key: logKey(fullName, id) }))
      .filter(({ key }) => !isLogKey(key));
    expect(refused).toEqual([]);
  });
});

describe("logFilePath", () => {
  it("puts the log under the data directory's logs folder", () => {
    expect(logFilePath("/var/lib/heaven", KEY)).toBe(join("/var/lib/heaven", "logs", "Codertocat", "Hello-World", "145988746.log"));
  });
});

describe("logMetaPath", () => {
  it("puts the metadata beside the log", () => {
    expect(logMetaPath("/var/lib/heaven", KEY)).toBe(join("/var/lib/heaven", "logs", "Codertocat", "Hello-World", "145988746.meta.json"));
  });
});

describe("links that expire", () => {
  const EXP = 1_900_000_000;
  const query = (url: string) => new URL(url).searchParams;

  it("carry exp beside sig, and verify for their key and expiry", () => {
    const url = logUrl("https://heaven.example.com", SECRET, KEY, EXP);
    expect(url).toBe(`https://heaven.example.com/logs/${KEY}?exp=${EXP}&sig=${signLogKey(SECRET, KEY, EXP)}`);
    expect(checkLogLink(SECRET, KEY, query(url))).toEqual({ kind: "valid", expiresAt: EXP });
  });

  it("sign the expiry: a link whose exp is moved later, or dropped, no longer verifies", () => {
    const url = new URL(logUrl("https://heaven.example.com", SECRET, KEY, EXP));
    url.searchParams.set("exp", String(EXP + 86_400));
    expect(checkLogLink(SECRET, KEY, url.searchParams)).toEqual({ kind: "forged" });
    url.searchParams.delete("exp");
    expect(checkLogLink(SECRET, KEY, url.searchParams)).toEqual({ kind: "forged" });
  });

  it("refuse an exp that is not a whole number of seconds", () => {
    const params = new URLSearchParams({ exp: "1e12", sig: signLogKey(SECRET, KEY) });
    expect(checkLogLink(SECRET, KEY, params)).toEqual({ kind: "forged" });
  });

  it("leave links without exp (made before expiry existed) verifying as they did", () => {
    const url = logUrl("https://heaven.example.com", SECRET, KEY);
    expect(url).not.toContain("exp=");
    expect(checkLogLink(SECRET, KEY, query(url))).toEqual({ kind: "valid", expiresAt: undefined });
  });

  it("do not lend one deployment's signature to another", () => {
    const url = logUrl("https://heaven.example.com", SECRET, KEY, EXP);
    expect(checkLogLink(SECRET, "Codertocat/Hello-World/145988747", query(url))).toEqual({ kind: "forged" });
  });
});

describe("linkEndsAt", () => {
  const DAY = 86_400;
  const written = Date.parse("2026-03-01T00:00:00Z");

  it("ends a link with exp at exp, whatever the TTL", () => {
    expect(linkEndsAt(1_900_000_000, 30 * DAY, written)).toBe(1_900_000_000_000);
    expect(linkEndsAt(1_900_000_000, undefined, written)).toBe(1_900_000_000_000);
  });

  it("never ends a link without exp when no TTL is set", () => {
    expect(linkEndsAt(undefined, undefined, written)).toBeUndefined();
  });

  it("ends a link without exp a TTL after its log was last written when a TTL is set", () => {
    expect(linkEndsAt(undefined, 30 * DAY, written)).toBe(Date.parse("2026-03-31T00:00:00Z"));
  });
});

describe("logUrl", () => {
  it("links to /logs/<key> with the key's signature", () => {
    expect(logUrl("https://heaven.example.com", SECRET, KEY)).toBe(
      `https://heaven.example.com/logs/Codertocat/Hello-World/145988746?sig=${signLogKey(SECRET, KEY)}`,
    );
  });

  it("does not double the slash after a base URL that ends in one", () => {
    expect(logUrl("https://example.com/heaven//", SECRET, KEY)).toBe(
      `https://example.com/heaven/logs/${KEY}?sig=${signLogKey(SECRET, KEY)}`,
    );
  });

  it("gives a link whose signature verifies for its key", () => {
    const url = new URL(logUrl("http://localhost:3000", SECRET, KEY));
    const key = url.pathname.replace(/^\/logs\//, "");
    expect(key).toBe(KEY);
    expect(verifyLogKey(SECRET, key, url.searchParams.get("sig") ?? "")).toBe(true);
  });
});
