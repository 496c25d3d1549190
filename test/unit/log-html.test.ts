import { describe, expect, it } from "@jest/globals";
import { escapeHtml, LineRenderer, splitLines } from "../../src/server/log-html.js";

const STAMP = "2026-11-22T14:03:04.123Z";
const render = (line: string) => new LineRenderer().body(line);

describe("LineRenderer.body", () => {
  it("renders a line holding a script tag as text, not as markup", () => {
    const html = render(`${STAMP} <script>alert("pwned")</script> & <img src=x onerror=alert(1)>`);
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;");
  });

  it("escapes markup inside coloured text too", () => {
    const html = render(`${STAMP} \u001b[31m<b>red</b>\u001b[0m`);
    expect(html).toBe(`<time>${STAMP}</time> <span style="color:rgb(187,0,0)">&lt;b&gt;red&lt;/b&gt;</span>`);
  });

  it("turns ANSI colours and bold into spans, and drops the escape codes", () => {
    const html = render(`${STAMP} ok \u001b[1;32mpassed\u001b[0m \u001b[38;5;196m256\u001b[0m`);
    expect(html).toBe(
      `<time>${STAMP}</time> ok <span style="font-weight:bold;color:rgb(0,187,0)">passed</span> <span style="color:rgb(255,0,0)">256</span>`,
    );
    expect(html).not.toContain("\u001b");
  });

  it("starts every line without colour: a colour left on does not reach the next line", () => {
    const renderer = new LineRenderer();
    expect(renderer.body(`${STAMP} \u001b[31mred, never reset`)).toContain('<span style="color:rgb(187,0,0)">red, never reset</span>');
    expect(renderer.body(`${STAMP} plain`)).toBe(`<time>${STAMP}</time> plain`);
  });

  it("drops cursor movement and an escape cut off at the end of the line", () => {
    expect(render(`${STAMP} \u001b[2Kcleared\u001b[1A up \u001b[`)).not.toContain("\u001b");
  });

  it("keeps only links to http(s) that a program printed as terminal hyperlinks", () => {
    const link = render(`${STAMP} see \u001b]8;;https://example.com/build\u0007the build\u001b]8;;\u0007`);
    expect(link).toContain('<a href="https://example.com/build">the build</a>');
    const script = render(`${STAMP} \u001b]8;;javascript:alert(1)\u0007click\u001b]8;;\u0007`);
    expect(script).not.toContain("javascript:");
    expect(script).not.toContain("<a");
  });

  it("sets heaven's own notes apart", () => {
    expect(render(`${STAMP} heaven: provider shell, timeout 300 s`)).toBe(`<time>${STAMP}</time> <span class="h">heaven: provider shell, timeout 300 s</span>`);
  });

  it("sets a host's label apart on multi-host output, escaping it", () => {
    expect(render(`${STAMP} web-1 | restarting`)).toBe(`<time>${STAMP}</time> <span class="k">web-1</span> | restarting`);
    expect(render(`${STAMP} <b> | x`)).toBe(`<time>${STAMP}</time> <span class="k">&lt;b&gt;</span> | x`);
  });

  it("shows what a carriage return left, as a terminal would (progress bars)", () => {
    expect(render(`${STAMP} 10%\r50%\r100%\r`)).toBe(`<time>${STAMP}</time> 100%`);
  });

  it("never puts a line break in a line (the live tail sends one line per entry)", () => {
    expect(render(`${STAMP} a\rb\u001b[31m\rc`)).not.toMatch(/[\r\n]/);
  });

  it("renders a line without a timestamp as it is", () => {
    expect(render("no stamp <here>")).toBe("no stamp &lt;here&gt;");
  });
});

describe("LineRenderer.lines", () => {
  it("numbers lines from `first`, each with an anchor that links to it", () => {
    const { html, count } = new LineRenderer().lines(`${STAMP} one\n${STAMP} two\n`, 120);
    expect(count).toBe(2);
    expect(html).toBe(
      `<p id="L120"><a href="#L120">120</a><time>${STAMP}</time> one</p>` +
        `<p id="L121"><a href="#L121">121</a><time>${STAMP}</time> two</p>`,
    );
  });

  it("keeps empty lines, so numbers match the raw text's lines", () => {
    expect(new LineRenderer().lines("a\n\nb\n", 1).count).toBe(3);
  });

  it("keeps a finished log's last line that has no line break", () => {
    expect(new LineRenderer().lines("a\nlast", 1).count).toBe(2);
  });

  it("renders nothing for no text", () => {
    expect(new LineRenderer().lines("", 1)).toEqual({ html: "", count: 0 });
  });
});

describe("splitLines and escapeHtml", () => {
  it("split a chunk into its lines", () => {
    expect(splitLines("a\n\nb\n")).toEqual(["a", "", "b"]);
    expect(splitLines("")).toEqual([]);
  });

  it("escape every character that could open markup or close an attribute", () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  });
});
