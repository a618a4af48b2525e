/// The self-contained live dashboard served at `GET /`.
///
/// One HTML page with inline CSS, an inline script and hand-drawn SVG charts: nothing is fetched
/// from anywhere but this server (a Content-Security-Policy forbids it). The script polls
/// `api/overview` (``OverviewRenderer``) every second — `?interval=MS` overrides it, at least
/// 200 — computes the rates from the counters itself (5 s moving averages), keeps five minutes
/// of history in the page, and looks up live sessions at `sessions/{interactionId}`.
///
/// Elements that tests read have stable ids whose text is the plain number (or `–` before
/// the first data): `events-total`, `events-rate`, `events-rate-peak`, `summaries-total`,
/// `summaries-rate`, `summaries-rate-peak`, `open-sessions`, `dead-letters-total`,
/// `late-events`, `evictions`, `alerts-total`, `funnel-opened`, `funnel-started`,
/// `funnel-submitted`, `funnel-completed`, `outcome-<outcome>`, `dlq-<code>`, `error-ratio`,
/// `alert-threshold`, `alerts-recent-count`, `consumer-lag-total`, `watermark-lag-max`,
/// `partition-count`, `replaying-partitions`, `ready` (`ready`/`not ready`), `poll-count`,
/// `session-status` (`found`/`not found`/`error`).
public enum DashboardPage {
    public static let html: String = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:">
<link rel="icon" href="data:,">
<title>callback-stream</title>
<style>
:root {
  --bg: #0e1217; --panel: #161c24; --panel2: #1c2430; --border: #263142; --text: #dce3ec;
  --muted: #8694a7; --events: #4fc3f7; --summaries: #ffb74d; --good: #66bb6a; --bad: #ef5350;
  --warn: #ffca28; --violet: #b39ddb; --dim: #5c6b7e;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text);
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
header { display: flex; align-items: center; gap: 16px; padding: 12px 20px;
  border-bottom: 1px solid var(--border); background: var(--panel); }
header h1 { font-size: 18px; margin: 0; font-weight: 600; letter-spacing: .2px; }
header .spacer { flex: 1; }
.badge { padding: 2px 10px; border-radius: 999px; font-size: 12px; font-weight: 600;
  border: 1px solid var(--border); color: var(--muted); }
.badge.ok { background: rgba(102,187,106,.15); color: var(--good); border-color: rgba(102,187,106,.5); }
.badge.bad { background: rgba(239,83,80,.15); color: var(--bad); border-color: rgba(239,83,80,.5); }
.badge.warn { background: rgba(255,202,40,.12); color: var(--warn); border-color: rgba(255,202,40,.5); }
#status { color: var(--muted); font-size: 12px; }
#status.stale { color: var(--bad); font-weight: 600; }
main { padding: 16px 20px 24px; display: grid; gap: 16px; grid-template-columns: repeat(12, 1fr);
  max-width: 1600px; margin: 0 auto; }
.panel { background: var(--panel); border: 1px solid var(--border); border-radius: 8px; padding: 14px 16px;
  min-width: 0; }
.panel h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .8px; color: var(--muted);
  margin: 0 0 10px; font-weight: 600; }
.span12 { grid-column: span 12; } .span8 { grid-column: span 8; } .span6 { grid-column: span 6; }
.span4 { grid-column: span 4; }
@media (max-width: 1000px) { .span8, .span6, .span4 { grid-column: span 12; } }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; }
.tile { background: var(--panel); border: 1px solid var(--border); border-radius: 8px; padding: 10px 14px; }
.tile .label { font-size: 12px; color: var(--muted); }
.tile .value { font-size: 26px; font-weight: 600; font-variant-numeric: tabular-nums; }
.tile .sub { font-size: 12px; color: var(--muted); font-variant-numeric: tabular-nums; }
.tile.alerting .value { color: var(--bad); }
.num { font-variant-numeric: tabular-nums; }
.legend { display: flex; gap: 18px; font-size: 12px; color: var(--muted); margin-bottom: 6px; flex-wrap: wrap; }
.legend b { color: var(--text); font-variant-numeric: tabular-nums; }
.swatch { display: inline-block; width: 10px; height: 3px; vertical-align: middle; margin-right: 6px; }
#chart { width: 100%; height: 230px; display: block; }
#chart text { fill: var(--muted); font-size: 11px; }
.bars { display: grid; grid-template-columns: 170px 1fr 100px; gap: 6px 10px; align-items: center; }
.bars .name { color: var(--text); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.bars .track { background: var(--panel2); border-radius: 4px; height: 18px; overflow: hidden; }
.bars .fill { height: 100%; border-radius: 4px; width: 0; transition: width .4s ease; }
.bars .count { text-align: right; font-variant-numeric: tabular-nums; }
.bars .count small { color: var(--muted); margin-left: 4px; }
.note { color: var(--muted); font-size: 12px; margin-top: 8px; }
.big { font-size: 34px; font-weight: 600; font-variant-numeric: tabular-nums; }
.big.bad { color: var(--bad); } .big.good { color: var(--good); }
.gauge { position: relative; height: 14px; background: var(--panel2); border-radius: 7px; margin: 10px 0 4px; }
.gauge .fill { position: absolute; left: 0; top: 0; bottom: 0; border-radius: 7px; background: var(--good); width: 0; }
.gauge .fill.bad { background: var(--bad); }
.gauge .mark { position: absolute; top: -4px; bottom: -4px; width: 2px; background: var(--warn); }
.kv { display: grid; grid-template-columns: auto 1fr; gap: 2px 12px; font-size: 13px; }
.kv dt { color: var(--muted); } .kv dd { margin: 0; font-variant-numeric: tabular-nums; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--border); text-align: right; }
th { color: var(--muted); font-weight: 500; font-size: 12px; }
th:first-child, td:first-child { text-align: left; }
td.hot { color: var(--warn); }
.empty { color: var(--dim); font-style: italic; padding: 6px 0; }
#alerts-list { list-style: none; margin: 0; padding: 0; max-height: 300px; overflow-y: auto; }
#alerts-list li { border-left: 3px solid var(--bad); background: var(--panel2); border-radius: 4px;
  padding: 6px 10px; margin-bottom: 6px; }
#alerts-list .head { display: flex; gap: 12px; flex-wrap: wrap; }
#alerts-list .meta { color: var(--muted); font-size: 12px; }
.chip { display: inline-block; background: rgba(239,83,80,.15); color: #ffab91; border-radius: 4px;
  padding: 0 6px; margin: 2px 4px 0 0; font-size: 12px; }
form { display: flex; gap: 8px; }
input[type=text] { flex: 1; background: var(--panel2); color: var(--text); border: 1px solid var(--border);
  border-radius: 6px; padding: 6px 10px; font: inherit; }
button { background: #24425e; color: var(--text); border: 1px solid #2f5a80; border-radius: 6px;
  padding: 6px 14px; font: inherit; cursor: pointer; }
button.secondary { background: var(--panel2); border-color: var(--border); }
#session-result { background: var(--panel2); border-radius: 6px; padding: 10px; margin: 10px 0 0;
  max-height: 320px; overflow: auto; font: 12px/1.45 ui-monospace, "DejaVu Sans Mono", monospace; white-space: pre-wrap; }
#session-result:empty { display: none; }
footer { color: var(--dim); font-size: 11px; text-align: center; padding-bottom: 16px; }
</style>
</head>
<body>
<header>
  <h1>callback-stream</h1>
  <span id="ready" class="badge">–</span>
  <span class="badge" id="replaying-badge">replaying <span id="replaying-partitions" class="num">–</span></span>
  <span class="spacer"></span>
  <span id="status">connecting…</span>
</header>
<main>
  <section class="span12 tiles">
    <div class="tile"><div class="label">Events in</div><div class="value" id="events-total">–</div>
      <div class="sub"><span id="events-rate">–</span> /s</div></div>
    <div class="tile"><div class="label">Summaries out</div><div class="value" id="summaries-total">–</div>
      <div class="sub"><span id="summaries-rate">–</span> /s</div></div>
    <div class="tile"><div class="label">Open sessions</div><div class="value" id="open-sessions">–</div>
      <div class="sub"><span id="evictions">–</span> evicted</div></div>
    <div class="tile"><div class="label">Dead letters</div><div class="value" id="dead-letters-total">–</div>
      <div class="sub"><span id="late-events">–</span> late events</div></div>
    <div class="tile" id="alerts-tile"><div class="label">Alerts</div><div class="value" id="alerts-total">–</div>
      <div class="sub">threshold <span id="alert-threshold-tile">–</span></div></div>
    <div class="tile"><div class="label">Consumer lag</div><div class="value" id="consumer-lag-total">–</div>
      <div class="sub">watermark lag <span id="watermark-lag-max">–</span> s</div></div>
  </section>

  <section class="panel span8">
    <h2>Throughput, last 5 minutes (5 s averages)</h2>
    <div class="legend">
      <span><span class="swatch" style="background:var(--events)"></span>events/s in
        <b id="events-rate-now">–</b> (peak <b id="events-rate-peak">–</b>)</span>
      <span><span class="swatch" style="background:var(--summaries)"></span>summaries/s out
        <b id="summaries-rate-now">–</b> (peak <b id="summaries-rate-peak">–</b>)</span>
    </div>
    <svg id="chart" role="img" aria-label="events and summaries per second"></svg>
  </section>

  <section class="panel span4">
    <h2>Error ratio, last closed window</h2>
    <div class="big" id="error-ratio-pct">–</div>
    <div class="gauge"><div class="fill" id="error-gauge"></div><div class="mark" id="threshold-mark"></div></div>
    <div class="note" style="margin:0 0 10px">yellow mark: alert threshold; red when the last window is above it</div>
    <dl class="kv">
      <dt>errors / submissions</dt><dd id="error-ratio">–</dd>
      <dt>alert threshold</dt><dd id="alert-threshold">–</dd>
      <dt>elapsed p50 / p95 / p99</dt>
      <dd><span id="elapsed-p50">–</span> / <span id="elapsed-p95">–</span> / <span id="elapsed-p99">–</span> ms</dd>
      <dt>outputs acked</dt>
      <dd>summaries <span id="produced-summaries">–</span>, stats <span id="produced-stats">–</span>,
        alerts <span id="produced-alerts">–</span>, dlq <span id="produced-dlq">–</span></dd>
    </dl>
  </section>

  <section class="panel span6">
    <h2>Lifecycle funnel (summarized sessions)</h2>
    <div class="bars" id="funnel">
      <div class="name">opened</div><div class="track"><div class="fill" id="funnel-opened-bar" style="background:#4fc3f7"></div></div>
      <div class="count"><span id="funnel-opened">–</span><small id="funnel-opened-pct"></small></div>
      <div class="name">started</div><div class="track"><div class="fill" id="funnel-started-bar" style="background:#4dd0e1"></div></div>
      <div class="count"><span id="funnel-started">–</span><small id="funnel-started-pct"></small></div>
      <div class="name">submitted</div><div class="track"><div class="fill" id="funnel-submitted-bar" style="background:#4db6ac"></div></div>
      <div class="count"><span id="funnel-submitted">–</span><small id="funnel-submitted-pct"></small></div>
      <div class="name">completed</div><div class="track"><div class="fill" id="funnel-completed-bar" style="background:#66bb6a"></div></div>
      <div class="count"><span id="funnel-completed">–</span><small id="funnel-completed-pct"></small></div>
    </div>
    <div class="note">Percentages are of opened.</div>
  </section>

  <section class="panel span6">
    <h2>Outcomes</h2>
    <div class="bars" id="outcomes"><div class="empty">no summaries yet</div></div>
    <div class="note" id="close-reasons"></div>
  </section>

  <section class="panel span6">
    <h2>Recent alerts (<span id="alerts-recent-count">–</span>)</h2>
    <ul id="alerts-list"></ul>
  </section>

  <section class="panel span6">
    <h2>Dead letters by code</h2>
    <table><thead><tr><th>code</th><th>records</th></tr></thead><tbody id="dlq-rows"></tbody></table>
  </section>

  <section class="panel span6">
    <h2>Partitions (<span id="partition-count">–</span>)</h2>
    <table><thead><tr><th>partition</th><th>consumed</th><th>open sessions</th><th>watermark lag (s)</th><th>consumer lag</th></tr></thead>
      <tbody id="partition-rows"></tbody></table>
  </section>

  <section class="panel span6">
    <h2>Session lookup</h2>
    <form id="session-form" autocomplete="off">
      <input type="text" id="session-id" placeholder="interactionId" spellcheck="false">
      <button type="submit" id="session-lookup">Look up</button>
      <button type="button" class="secondary" id="session-clear">Clear</button>
    </form>
    <div class="note"><span id="session-status">Shows the live state of one open session, refreshed every poll.</span></div>
    <pre id="session-result"></pre>
  </section>
</main>
<footer>polls <span id="poll-count">0</span> · server time <span id="server-time">–</span></footer>
<script>
"use strict";
(() => {
  const params = new URLSearchParams(location.search);
  const interval = Math.max(200, Number(params.get("interval")) || 1000);
  const historyMs = 5 * 60 * 1000;
  const outcomeColors = { completed: "#66bb6a", failed: "#ef5350", abandonedForm: "#ffca28",
    cancelledBeforeStart: "#90a4ae", submittedUnconfirmed: "#b39ddb", notOpened: "#5c6b7e" };
  const $ = (id) => document.getElementById(id);
  const rateWindowMs = 5000;
  const history = [];      // {t, ev, su}: rates in records per second at server time t
  const counters = [];     // {t, consumed, summaries} of the polls within the rate window
  let polls = 0;
  let sessionId = null;

  const isNum = (v) => typeof v === "number" && Number.isFinite(v);
  const int = (v) => (isNum(v) ? String(Math.round(v)) : "–");
  const fixed = (v, digits) => (isNum(v) ? String(Number(v.toFixed(digits))) : "–");
  const rateText = (v) => (isNum(v) ? (v >= 100 ? String(Math.round(v)) : String(Number(v.toFixed(1)))) : "–");
  const pct = (v) => (isNum(v) ? (v * 100).toFixed(v < 0.1 ? 2 : 1) + "%" : "–");
  const obj = (v) => (v !== null && typeof v === "object" && !Array.isArray(v) ? v : {});
  const arr = (v) => (Array.isArray(v) ? v : []);
  const setText = (id, text) => { const e = $(id); if (e && e.textContent !== text) e.textContent = text; };
  const el = (tag, props, ...children) => {
    const e = document.createElement(tag);
    if (props) for (const [k, v] of Object.entries(props)) {
      if (k === "style") e.style.cssText = v; else if (k === "class") e.className = v; else e.setAttribute(k, v);
    }
    for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  };
  const safeId = (s) => String(s).replace(/[^A-Za-z0-9_-]/g, "_");
  const clock = (ms) => (isNum(ms) ? new Date(ms).toISOString().slice(11, 19) : "–");

  // Rates are averaged over the last `rateWindowMs` of polls, so that batchy consumption
  // does not turn the chart into spikes.
  function updateRates(o) {
    // Summaries out = delivered to the summaries topic (totals.summaries also counts the
    // notOpened sessions, which are only counted, not published, by default).
    const t = o.nowMs, consumed = obj(o.totals).consumed, summaries = obj(o.produced).summaries;
    if (!isNum(t) || !isNum(consumed) || !isNum(summaries)) return;
    const last = counters[counters.length - 1];
    if (last && (t <= last.t || consumed < last.consumed || summaries < last.summaries)) {
      counters.length = 0;   // a counter that went down (restart) or a clock step: start afresh
    }
    counters.push({ t, consumed, summaries });
    while (counters.length > 2 && counters[1].t <= t - rateWindowMs) counters.shift();
    if (counters.length > 1) {
      const base = counters[0], dt = (t - base.t) / 1000;
      history.push({ t, ev: (consumed - base.consumed) / dt, su: (summaries - base.summaries) / dt });
    }
    while (history.length && history[0].t < t - historyMs) history.shift();
  }

  function niceMax(v) {
    if (!(v > 0)) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
    return 10 * p;
  }

  function drawChart(nowMs) {
    const svg = $("chart");
    const w = Math.max(200, svg.clientWidth || 600), h = Math.max(120, svg.clientHeight || 230);
    const left = 44, right = 10, top = 8, bottom = 22;
    const peakEv = history.reduce((m, p) => Math.max(m, p.ev), 0);
    const peakSu = history.reduce((m, p) => Math.max(m, p.su), 0);
    const yMax = niceMax(Math.max(peakEv, peakSu) * 1.05);
    const end = isNum(nowMs) ? nowMs : Date.now(), start = end - historyMs;
    const x = (t) => left + (w - left - right) * (t - start) / historyMs;
    const y = (v) => top + (h - top - bottom) * (1 - v / yMax);
    const ns = "http://www.w3.org/2000/svg";
    const node = (tag, attrs, text) => {
      const e = document.createElementNS(ns, tag);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
      if (text !== undefined) e.textContent = text;
      return e;
    };
    const parts = [];
    for (let i = 0; i <= 4; i++) {
      const v = yMax * i / 4, yy = y(v);
      parts.push(node("line", { x1: left, x2: w - right, y1: yy, y2: yy, stroke: "#263142", "stroke-width": 1 }));
      parts.push(node("text", { x: left - 6, y: yy + 4, "text-anchor": "end" }, String(Number(v.toPrecision(3)))));
    }
    for (let m = 0; m <= 5; m++) {
      const t = end - m * 60000, xx = x(t);
      parts.push(node("text", { x: xx, y: h - 6, "text-anchor": m === 0 ? "end" : "middle" }, m === 0 ? "now" : "-" + m + "m"));
    }
    for (const [key, color] of [["ev", "#4fc3f7"], ["su", "#ffb74d"]]) {
      const pts = history.map((p) => x(p.t).toFixed(1) + "," + y(p[key]).toFixed(1)).join(" ");
      if (history.length > 1) parts.push(node("polyline", { points: pts, fill: "none", stroke: color, "stroke-width": 2, "stroke-linejoin": "round" }));
      if (history.length) {
        const last = history[history.length - 1];
        parts.push(node("circle", { cx: x(last.t), cy: y(last[key]), r: 3, fill: color }));
      }
    }
    if (!history.length) parts.push(node("text", { x: w / 2, y: h / 2, "text-anchor": "middle" }, "waiting for a second sample…"));
    svg.setAttribute("viewBox", "0 0 " + w + " " + h);
    svg.replaceChildren(...parts);
    const last = history[history.length - 1];
    setText("events-rate", last ? rateText(last.ev) : "–");
    setText("summaries-rate", last ? rateText(last.su) : "–");
    setText("events-rate-now", last ? rateText(last.ev) : "–");
    setText("summaries-rate-now", last ? rateText(last.su) : "–");
    setText("events-rate-peak", history.length ? rateText(peakEv) : "–");
    setText("summaries-rate-peak", history.length ? rateText(peakSu) : "–");
  }

  function renderBars(container, rows, total) {
    const nodes = [];
    for (const r of rows) {
      const width = total > 0 ? Math.min(100, 100 * r.count / total) : 0;
      nodes.push(el("div", { class: "name", title: r.name }, r.name));
      nodes.push(el("div", { class: "track" }, el("div", { class: "fill", style: "width:" + width + "%;background:" + r.color })));
      nodes.push(el("div", { class: "count" }, el("span", { id: r.id }, int(r.count)), el("small", null, r.note || "")));
    }
    if (!nodes.length) nodes.push(el("div", { class: "empty" }, "no summaries yet"));
    container.replaceChildren(...nodes);
  }

  function renderFunnel(funnel) {
    const opened = funnel.opened;
    for (const stage of ["opened", "started", "submitted", "completed"]) {
      const v = funnel[stage];
      setText("funnel-" + stage, int(v));
      setText("funnel-" + stage + "-pct", isNum(v) && opened > 0 ? " " + Math.round(100 * v / opened) + "%" : "");
      $("funnel-" + stage + "-bar").style.width = (isNum(v) && opened > 0 ? Math.min(100, 100 * v / opened) : 0) + "%";
    }
  }

  function renderOutcomes(summaries) {
    const byOutcome = new Map(), byReason = new Map();
    let total = 0;
    for (const s of arr(summaries).map(obj)) {
      if (!isNum(s.count)) continue;
      const outcome = String(s.outcome ?? "?"), reason = String(s.closeReason ?? "?");
      byOutcome.set(outcome, (byOutcome.get(outcome) || 0) + s.count);
      byReason.set(reason, (byReason.get(reason) || 0) + s.count);
      total += s.count;
    }
    const order = Object.keys(outcomeColors);
    const rows = [...byOutcome.entries()]
      .sort((a, b) => (order.indexOf(a[0]) + 1 || 99) - (order.indexOf(b[0]) + 1 || 99) || a[0].localeCompare(b[0]))
      .map(([name, count]) => ({ name, count, id: "outcome-" + safeId(name), color: outcomeColors[name] || "#78909c",
        note: total > 0 ? " " + Math.round(100 * count / total) + "%" : "" }));
    renderBars($("outcomes"), rows, total);
    setText("close-reasons", byReason.size
      ? "By close reason: " + [...byReason.entries()].sort().map(([r, n]) => r + " " + n).join(" · ") : "");
  }

  function renderWindow(win, alertsTotal) {
    const ratio = win.errorRatio, threshold = win.alertThreshold;
    setText("error-ratio", isNum(ratio) ? String(ratio) : "–");
    setText("alert-threshold", isNum(threshold) ? String(threshold) : "–");
    setText("alert-threshold-tile", isNum(threshold) ? pct(threshold) : "–");
    setText("error-ratio-pct", isNum(ratio) ? pct(ratio) : "no window yet");
    const over = isNum(ratio) && isNum(threshold) && threshold > 0 && ratio > threshold;
    $("error-ratio-pct").className = "big " + (isNum(ratio) ? (over ? "bad" : "good") : "");
    const scale = Math.max(isNum(threshold) ? threshold * 2 : 0, isNum(ratio) ? ratio * 1.1 : 0, 0.01);
    const gauge = $("error-gauge");
    gauge.style.width = (isNum(ratio) ? Math.min(100, 100 * ratio / scale) : 0) + "%";
    gauge.className = "fill" + (over ? " bad" : "");
    const mark = $("threshold-mark");
    mark.style.display = isNum(threshold) && threshold > 0 ? "" : "none";
    mark.style.left = (isNum(threshold) ? Math.min(100, 100 * threshold / scale) : 0) + "%";
    const e = obj(win.elapsedMs);
    setText("elapsed-p50", int(e.p50));
    setText("elapsed-p95", int(e.p95));
    setText("elapsed-p99", int(e.p99));
    $("alerts-tile").className = "tile" + (isNum(alertsTotal) && alertsTotal > 0 ? " alerting" : "");
  }

  function renderAlerts(alerts) {
    const list = arr(alerts).slice().reverse();   // newest first
    setText("alerts-recent-count", String(list.length));
    const items = list.map((raw) => {
      const a = obj(raw);
      if (typeof a.raw === "string" || !Object.keys(a).length) {
        return el("li", null, el("div", { class: "meta" }, "unreadable alert record"),
          String(typeof a.raw === "string" ? a.raw : JSON.stringify(raw)).slice(0, 300));
      }
      const when = isNum(a.windowStart) || isNum(a.windowEnd)
        ? clock(a.windowStart) + "–" + clock(a.windowEnd) + " UTC" : "window ?";
      const tenant = a.tenant === undefined || a.tenant === null ? "all tenants" : "tenant " + String(a.tenant);
      const head = el("div", { class: "head" },
        el("strong", null, isNum(a.ratio) ? pct(a.ratio) : "ratio ?"),
        el("span", null, tenant),
        el("span", { class: "meta" }, (isNum(a.submissionsWithErrors) ? a.submissionsWithErrors : "?") + " with errors / " +
          (isNum(a.submissions) ? a.submissions : "?") + " submissions" +
          (isNum(a.threshold) ? " · threshold " + pct(a.threshold) : "")),
        el("span", { class: "meta" }, when));
      const codes = arr(a.topErrorCodes).map(obj).filter((c) => c.code !== undefined)
        .map((c) => el("span", { class: "chip" }, String(c.code) + (isNum(c.count) ? " ×" + c.count : "")));
      return el("li", null, head, el("div", null, ...codes));
    });
    if (!items.length) items.push(el("li", { class: "empty", style: "border:none;background:none" }, "no alerts"));
    $("alerts-list").replaceChildren(...items);
  }

  function renderDeadLetters(byCode) {
    const rows = Object.entries(obj(byCode)).filter(([, n]) => isNum(n)).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([code, n]) => el("tr", null, el("td", null, code), el("td", { id: "dlq-" + safeId(code) }, int(n))));
    if (!rows.length) rows.push(el("tr", null, el("td", { class: "empty", colspan: "2" }, "none")));
    $("dlq-rows").replaceChildren(...rows);
  }

  function renderPartitions(partitions) {
    const list = arr(partitions).map(obj);
    let lagTotal = 0, lagSeen = false, wmMax = null;
    const rows = list.map((p) => {
      if (isNum(p.consumerLag)) { lagTotal += p.consumerLag; lagSeen = true; }
      if (isNum(p.watermarkLagSeconds)) wmMax = wmMax === null ? p.watermarkLagSeconds : Math.max(wmMax, p.watermarkLagSeconds);
      return el("tr", null, el("td", null, int(p.partition)), el("td", null, int(p.consumed)), el("td", null, int(p.openSessions)),
        el("td", { class: isNum(p.watermarkLagSeconds) && p.watermarkLagSeconds > 60 ? "hot" : "" }, fixed(p.watermarkLagSeconds, 1)),
        el("td", { class: isNum(p.consumerLag) && p.consumerLag > 1000 ? "hot" : "" }, int(p.consumerLag)));
    });
    if (!rows.length) rows.push(el("tr", null, el("td", { class: "empty", colspan: "5" }, "no partitions assigned")));
    $("partition-rows").replaceChildren(...rows);
    setText("partition-count", String(list.length));
    setText("consumer-lag-total", lagSeen ? String(lagTotal) : "–");
    setText("watermark-lag-max", wmMax === null ? "–" : fixed(wmMax, 1));
  }

  function render(o) {
    const totals = obj(o.totals), produced = obj(o.produced);
    updateRates(o);
    setText("events-total", int(totals.consumed));
    setText("summaries-total", int(produced.summaries));
    setText("open-sessions", int(totals.openSessions));
    setText("dead-letters-total", int(totals.deadLetters));
    setText("late-events", int(totals.lateEvents));
    setText("evictions", int(totals.evictions));
    setText("alerts-total", int(totals.alerts));
    for (const k of ["summaries", "stats", "alerts", "dlq"]) setText("produced-" + k, int(produced[k]));
    const ready = o.ready === true;
    setText("ready", ready ? "ready" : "not ready");
    $("ready").className = "badge " + (ready ? "ok" : "bad");
    setText("replaying-partitions", int(o.replayingPartitions));
    $("replaying-badge").className = "badge" + (isNum(o.replayingPartitions) && o.replayingPartitions > 0 ? " warn" : "");
    setText("server-time", isNum(o.nowMs) ? new Date(o.nowMs).toISOString() : "–");
    renderFunnel(obj(o.funnel));
    renderOutcomes(o.summaries);
    renderWindow(obj(o.window), totals.alerts);
    renderAlerts(o.recentAlerts);
    renderDeadLetters(o.deadLettersByCode);
    renderPartitions(o.partitions);
    drawChart(o.nowMs);
  }

  async function fetchJSON(url) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 5000);
    try {
      const response = await fetch(url, { cache: "no-store", signal: abort.signal });
      const text = await response.text();
      let body = null;
      try { body = JSON.parse(text); } catch (_) { body = text; }
      return { status: response.status, body };
    } finally {
      clearTimeout(timer);
    }
  }

  async function lookupSession() {
    if (sessionId === null) return;
    const id = sessionId;
    let result;
    try {
      result = await fetchJSON("sessions/" + encodeURIComponent(id));
    } catch (err) {
      if (id === sessionId) { setText("session-status", "error: " + String(err && err.message || err)); $("session-status").dataset.state = "error"; }
      return;
    }
    if (id !== sessionId) return;
    const found = result.status === 200;
    setText("session-status", found ? "found" : result.status === 404 ? "not found" : "error");
    $("session-status").dataset.state = found ? "found" : "missing";
    setText("session-result", found
      ? (typeof result.body === "string" ? result.body : JSON.stringify(result.body, null, 2))
      : "No open session " + JSON.stringify(id) + " (it may have closed, or live on another instance).");
  }

  async function tick() {
    try {
      let result;
      try {
        result = await fetchJSON("api/overview");
      } catch (err) {
        setText("status", "no data: " + String(err && err.message || err));
        $("status").className = "stale";
        return;
      }
      if (result.status !== 200 || typeof result.body !== "object" || result.body === null) {
        setText("status", "no data: HTTP " + result.status);
        $("status").className = "stale";
        return;
      }
      polls += 1;
      setText("poll-count", String(polls));
      render(result.body);
      setText("status", "live · updated " + new Date().toLocaleTimeString());
      $("status").className = "";
      await lookupSession();
    } finally {
      setTimeout(tick, interval);
    }
  }

  $("session-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const id = $("session-id").value.trim();
    sessionId = id === "" ? null : id;
    setText("session-result", "");
    setText("session-status", sessionId === null ? "Enter an interactionId." : "looking up…");
    lookupSession();
  });
  $("session-clear").addEventListener("click", () => {
    sessionId = null;
    $("session-id").value = "";
    setText("session-result", "");
    setText("session-status", "Shows the live state of one open session, refreshed every poll.");
  });
  window.addEventListener("resize", () => drawChart(counters.length ? counters[counters.length - 1].t : Date.now()));
  drawChart(Date.now());
  tick();
})();
</script>
</body>
</html>
"""#
}
