/**
 * The log page's style and its one script, sent inline with the page's nonce
 * (the Content-Security-Policy allows nothing else). The script follows the
 * live tail: it opens the stream at the byte offset the page ended at, adds
 * each line the server rendered under the next number, keeps the newest line
 * in view until the reader scrolls up, and shows the finished state.
 */

export const PAGE_STYLE = `
:root { color-scheme: dark; --bg: #0d1117; --fg: #d1d7e0; --dim: #8b949e; --line: #21262d; --hl: #3b3010; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, sans-serif; }
a { color: #58a6ff; }
header { position: sticky; top: 0; background: #161b22; border-bottom: 1px solid var(--line); padding: 10px 16px; z-index: 1; }
h1 { font-size: 16px; margin: 0 0 6px; }
dl { display: flex; flex-wrap: wrap; gap: 4px 20px; margin: 0; }
dl div { display: flex; gap: 6px; }
dt { color: var(--dim); }
dd { margin: 0; }
code, #log { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.state { font-weight: 600; }
.success { color: #3fb950; } .failure, .error { color: #f85149; } .in_progress, .queued, .pending { color: #d29922; }
#log { font-size: 12.5px; padding: 8px 0; white-space: pre-wrap; overflow-wrap: anywhere; }
/* A long line wraps under its text, not under its number. */
#log p { margin: 0; padding: 0 16px 0 7em; text-indent: -7em; min-height: 1.45em; }
#log p:hover { background: #161b22; }
#log p:target, #log p.hl { background: var(--hl); }
#log p > a:first-child { display: inline-block; width: 6em; margin-right: 1em; text-indent: 0; text-align: right; color: var(--dim); text-decoration: none; user-select: none; }
#log time { color: var(--dim); }
.h { color: #a5d6ff; }
.k { color: #d2a8ff; }
.end { margin: 8px 16px 24px; padding: 8px 12px; border: 1px solid var(--line); border-radius: 6px; }
.live::before { content: "● "; color: #d29922; }
#follow { position: fixed; right: 16px; bottom: 16px; padding: 6px 12px; border: 1px solid var(--line); border-radius: 6px; background: #21262d; color: var(--fg); cursor: pointer; }
#follow[hidden] { display: none; }
`;

export const PAGE_SCRIPT = `
(() => {
  "use strict";
  const log = document.getElementById("log");
  const end = document.getElementById("end");
  const state = document.getElementById("state");
  const about = document.getElementById("about");
  const duration = document.getElementById("duration");
  let lines = Number(end.dataset.lines);
  const root = document.documentElement;
  const atBottom = () => window.innerHeight + window.scrollY >= root.scrollHeight - 40;
  // The newest line stays in view until the reader scrolls away from it (or came for one line);
  // then a button offers to follow again.
  const button = document.getElementById("follow");
  let follow = true;
  const setFollow = (value) => {
    follow = value;
    button.hidden = value || end.dataset.finished === "true";
  };
  setFollow(location.hash === "");
  window.addEventListener("scroll", () => setFollow(atBottom()), { passive: true });
  button.addEventListener("click", () => { window.scrollTo(0, root.scrollHeight); setFollow(true); });
  const highlight = () => {
    for (const old of document.querySelectorAll("#log p.hl")) old.classList.remove("hl");
    const target = /^#L\\d+$/.test(location.hash) ? document.getElementById(location.hash.slice(1)) : null;
    if (target !== null) target.classList.add("hl");
    return target;
  };
  window.addEventListener("hashchange", () => { if (highlight() !== null) setFollow(false); });
  const shown = highlight();
  if (shown !== null) shown.scrollIntoView({ block: "center" });
  const show = (view) => {
    state.textContent = view.label;
    state.className = "state " + view.state;
    about.textContent = view.description;
    duration.textContent = view.duration;
  };
  const add = (html) => {
    lines += 1;
    const row = document.createElement("p");
    row.id = "L" + lines;
    const number = document.createElement("a");
    number.href = "#L" + lines;
    number.textContent = String(lines);
    row.append(number);
    // Rendered and escaped by the server, as the page's own lines are.
    row.insertAdjacentHTML("beforeend", html);
    log.append(row);
    if (location.hash === "#" + row.id) { row.classList.add("hl"); row.scrollIntoView({ block: "center" }); }
  };
  const stop = (text, finished) => {
    end.textContent = text;
    end.className = finished ? "end finished" : "end";
    end.dataset.finished = String(finished);
    button.hidden = true;
  };
  // Finished while the page was sent: the header says how it ended too.
  if (end.dataset.finished === "true") { show(JSON.parse(end.dataset.view)); return; }
  if (follow) window.scrollTo(0, root.scrollHeight);
  const source = new EventSource(end.dataset.stream);
  source.addEventListener("lines", (event) => {
    for (const html of JSON.parse(event.data)) add(html);
    if (follow) window.scrollTo(0, root.scrollHeight);
  });
  source.addEventListener("state", (event) => show(JSON.parse(event.data)));
  source.addEventListener("finished", (event) => {
    source.close();
    const view = JSON.parse(event.data);
    show(view);
    stop(view.marker, true);
  });
  source.addEventListener("expired", () => { source.close(); stop("This link has expired: live updates stopped.", false); });
  source.addEventListener("error", () => {
    if (source.readyState === EventSource.CLOSED) stop("Live updates stopped: reload the page to see more.", false);
  });
})();
`;
