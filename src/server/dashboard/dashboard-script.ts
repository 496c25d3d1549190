/**
 * The dashboard's one script (sent inline with the page's nonce): it follows
 * /dashboard/stream and, when a deployment moves, shows the new state at
 * once in the environment's badges (from the event), then reads the page's
 * live region again (`X-Dashboard-Live: 1`) and swaps it in — the server
 * renders it, the script never builds markup from data. GitHub's records may lag an event (the
 * API's short cache, the outbox's writes): a badge the event already moved
 * on is kept as told, and read again after `data-settle` ms until GitHub
 * agrees. Event data only ever reaches the page as textContent.
 */
export const DASHBOARD_SCRIPT = `(() => {
  const live = document.getElementById("live");
  const said = document.getElementById("live-state");
  const settle = Number(live.dataset.settle) || 6000;
  const rank = (state) => (["success", "failure", "error", "inactive"].includes(state) ? 3 : state === "in_progress" ? 2 : state === "none" ? 0 : 1);
  const told = new Map();
  let soon = 0, later = 0, tries = 0;
  const badges = (key) => [...live.querySelectorAll('[data-env="' + CSS.escape(key) + '"] .state')];
  const behind = (badge, t) => {
    const seen = Number(badge.dataset.deployment || 0);
    return seen < t.deploymentId || (seen === t.deploymentId && rank(badge.dataset.state) < rank(t.state));
  };
  const show = (key, t) => {
    for (const badge of badges(key)) {
      if (!behind(badge, t)) continue;
      badge.dataset.state = t.state;
      badge.dataset.deployment = String(t.deploymentId);
      badge.textContent = t.state.replace("_", " ");
    }
  };
  async function refresh() {
    soon = 0;
    try {
      const answer = await fetch(location.href, { headers: { accept: "text/html", "x-dashboard-live": "1" }, credentials: "same-origin", cache: "no-store" });
      if (answer.redirected || answer.status === 401) return location.reload();
      if (!answer.ok) return;
      live.innerHTML = await answer.text();
    } catch {
      return;
    }
    let lagging = false;
    for (const [key, t] of told) {
      if (badges(key).some((badge) => behind(badge, t))) {
        show(key, t);
        lagging = true;
      } else told.delete(key);
    }
    if (lagging && tries++ < 10) settleLater();
    else tries = 0;
  }
  const refreshSoon = () => { if (soon === 0) soon = setTimeout(refresh, 250); };
  const settleLater = () => { if (later === 0) later = setTimeout(() => { later = 0; refresh(); }, settle); };
  // Just back from an action: its record may have been handled before this page listened, and the first read
  // may have come from the API's short cache; read again once GitHub's answer is fresh.
  if (document.getElementById("notice") !== null) settleLater();
  const source = new EventSource(live.dataset.stream);
  // Whatever moved between the page's rendering and the stream's (re)opening was told to nobody: read again.
  source.onopen = () => {
    document.body.dataset.live = "connected";
    said.textContent = "live";
    refreshSoon();
  };
  source.onerror = () => {
    document.body.dataset.live = "reconnecting";
    said.textContent = "reconnecting…";
  };
  source.addEventListener("deployment", (message) => {
    const event = JSON.parse(message.data);
    if (event.deploy) {
      const key = (event.repository + ":" + event.environment).toLowerCase();
      const t = { deploymentId: Number(event.deploymentId), state: String(event.state) };
      const before = told.get(key);
      if (before === undefined || before.deploymentId <= t.deploymentId) told.set(key, t);
      show(key, told.get(key));
    }
    refreshSoon();
    settleLater();
  });
})();`;
