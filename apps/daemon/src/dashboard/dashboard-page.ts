import { createHash } from 'node:crypto';

// The page is static and holds no data: its script fetches `/api/dashboard` with the token the user
// typed (kept in localStorage). Everything is inline (the machines it runs on may have no internet),
// and the CSP allows exactly this script and this style by hash. The script builds the DOM with
// textContent and SVG attributes only: no innerHTML, no inline style attributes, no eval.

const style = `
:root { --bg: #f6f8fa; --card: #fff; --border: #d0d7de; --text: #1f2328; --muted: #656d76; --accent: #0969da;
  --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --iso: #8250df; --c1: #0969da; --c2: #bc4c00; --c3: #8250df; --c4: #1a7f37; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--text); }
header { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; justify-content: space-between; padding: 12px 20px; background: #24292f; color: #fff; }
header h1 { font-size: 18px; margin: 0; display: inline; }
header .muted { color: #d0d7de; }
.brand, .meta { display: flex; gap: 12px; align-items: baseline; flex-wrap: wrap; }
button { font: inherit; padding: 5px 12px; border-radius: 6px; border: 1px solid var(--border); background: #f6f8fa; color: var(--text); cursor: pointer; }
button.primary { background: var(--ok); border-color: var(--ok); color: #fff; }
main, .login, .banner { max-width: 1400px; margin: 16px auto; padding: 0 20px; }
.banner { padding: 10px 14px; border: 1px solid #d4a72c; background: #fff8c5; border-radius: 6px; }
.card { background: var(--card); border: 1px solid var(--border); border-radius: 8px; padding: 14px 16px; margin-bottom: 16px; }
.card h2 { font-size: 15px; margin: 0 0 10px; }
.login { max-width: 520px; }
.login form { display: flex; gap: 8px; }
.login input { flex: 1; font: inherit; padding: 6px 10px; border: 1px solid var(--border); border-radius: 6px; }
.error { color: var(--bad); }
.muted { color: var(--muted); }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 12px; margin-bottom: 16px; }
.tile { background: var(--card); border: 1px solid var(--border); border-radius: 8px; padding: 10px 14px; }
.tile .label { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.tile .value { font-size: 24px; font-weight: 600; font-variant-numeric: tabular-nums; }
.tile .sub { font-size: 12px; color: var(--muted); }
.providers { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 12px; }
.provider { border: 1px solid var(--border); border-radius: 8px; padding: 10px 12px; }
.provider-head { display: flex; justify-content: space-between; align-items: baseline; gap: 8px; }
.provider h3 { margin: 0; font-size: 15px; }
.group { font-size: 12px; color: var(--muted); margin: 8px 0 4px; }
.chips { display: flex; flex-wrap: wrap; gap: 6px; }
.chip { display: inline-flex; align-items: center; gap: 6px; border: 1px solid var(--border); border-radius: 999px; padding: 2px 10px 2px 8px; font-size: 12px; background: #fff; }
.chip .dot { width: 9px; height: 9px; border-radius: 50%; background: var(--muted); }
.pill { display: inline-flex; align-items: center; gap: 6px; border-radius: 999px; padding: 1px 10px; font-size: 12px; border: 1px solid var(--border); background: #fff; color: var(--text); }
.pill .dot { width: 8px; height: 8px; border-radius: 50%; background: var(--muted); }
.st-closed .dot, .st-up .dot, .st-success .dot, .st-ready .dot { background: var(--ok); }
.st-half-open .dot, .st-degraded .dot, .st-timeout .dot, .st-cancelled .dot, .st-draining .dot { background: var(--warn); }
.st-open .dot, .st-down .dot, .st-error .dot { background: var(--bad); }
.st-isolated .dot { background: var(--iso); }
.st-open, .st-down, .st-error { border-color: var(--bad); color: var(--bad); }
.st-half-open, .st-degraded, .st-draining { border-color: var(--warn); color: var(--warn); }
.st-isolated { border-color: var(--iso); color: var(--iso); }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 0 16px; }
.legend { display: flex; gap: 14px; font-size: 12px; color: var(--muted); margin-bottom: 4px; }
.sw { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
.sw-c1 { background: var(--c1); } .sw-c2 { background: var(--c2); } .sw-c3 { background: var(--c3); } .sw-c4 { background: var(--c4); }
svg.chart { width: 100%; height: auto; display: block; }
svg.chart text { font-size: 11px; fill: var(--muted); font-family: inherit; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #eaeef2; white-space: nowrap; }
th { font-size: 12px; color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; }
footer { text-align: center; font-size: 12px; padding: 8px 0 20px; }
footer a { color: var(--accent); }
`;

const script = `
(function () {
  'use strict';
  var TOKEN_KEY = 'exai.dashboard.token';
  var REFRESH_MS = 2000;
  var SVG = 'http://www.w3.org/2000/svg';
  var COLORS = { c1: '#0969da', c2: '#bc4c00', c3: '#8250df', c4: '#1a7f37' };
  var timer = null;

  function $(id) { return document.getElementById(id); }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function svg(tag, attributes) {
    var node = document.createElementNS(SVG, tag);
    for (var name in attributes) node.setAttribute(name, String(attributes[name]));
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function stateClass(state) { return 'st-' + String(state).replace(/[^a-z-]/g, ''); }
  function storedToken() { try { return localStorage.getItem(TOKEN_KEY) || ''; } catch (e) { return ''; } }
  function storeToken(value) { try { if (value) localStorage.setItem(TOKEN_KEY, value); else localStorage.removeItem(TOKEN_KEY); } catch (e) { /* private mode */ } }

  function ms(value) {
    if (value === null || value === undefined) return '–';
    if (value < 1000) return Math.round(value) + ' ms';
    if (value < 60000) return (value / 1000).toFixed(value < 10000 ? 2 : 1) + ' s';
    return (value / 60000).toFixed(1) + ' min';
  }
  function usd(value) {
    if (value === null || value === undefined) return '–';
    if (value === 0) return '$0';
    if (value < 0.01) return '$' + value.toPrecision(2);
    return '$' + value.toFixed(value < 100 ? 2 : 0);
  }
  function num(value, digits) { return value === null || value === undefined ? '–' : Number(value).toFixed(digits || 0); }
  function clock(t) { var d = new Date(t); return d.toLocaleTimeString([], { hour12: false }); }

  function chip(name, state, detail) {
    var node = el('span', 'chip ' + stateClass(state));
    node.appendChild(el('span', 'dot'));
    node.appendChild(el('span', '', name));
    node.appendChild(el('b', '', state));
    if (detail) node.title = detail;
    return node;
  }
  function tile(label, value, sub, id) {
    var node = el('div', 'tile');
    node.id = id;
    node.appendChild(el('div', 'label', label));
    node.appendChild(el('div', 'value', value));
    node.appendChild(el('div', 'sub', sub || ''));
    return node;
  }

  function showBanner(text) { var b = $('banner'); b.textContent = text; b.hidden = false; }
  function hideBanner() { $('banner').hidden = true; }

  function showLogin(message) {
    clearTimeout(timer);
    $('main').hidden = true;
    $('login').hidden = false;
    var line = $('login-error');
    line.textContent = message || '';
    line.hidden = !message;
    $('status-pill').hidden = true;
    $('forget').hidden = !storedToken();
    $('token').focus();
  }

  function schedule() { clearTimeout(timer); timer = setTimeout(refresh, REFRESH_MS); }

  async function refresh() {
    clearTimeout(timer);
    var token = storedToken();
    var headers = { Accept: 'application/json' };
    if (token) headers.Authorization = 'Bearer ' + token;
    var response;
    try {
      response = await fetch('/api/dashboard', { headers: headers, cache: 'no-store', credentials: 'omit' });
    } catch (error) {
      showBanner('The daemon is not answering (' + (error && error.message ? error.message : error) + '); retrying every 2 s.');
      schedule();
      return;
    }
    var body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (response.status === 401) {
      var reason = body && body.error && body.error.message ? body.error.message : 'authentication required';
      showLogin(token ? 'The token was refused: ' + reason : null);
      return;
    }
    if (!response.ok || !body) {
      var detail = body && body.error && body.error.message ? ': ' + body.error.message : '';
      showBanner('The daemon answered ' + response.status + detail + '; retrying every 2 s.');
      schedule();
      return;
    }
    hideBanner();
    $('login').hidden = true;
    $('main').hidden = false;
    $('forget').hidden = !token;
    render(body);
    schedule();
  }

  function render(state) {
    document.title = (state.draining ? '[draining] ' : '') + 'exai-daemon · ' + state.replica_id;
    $('version').textContent = 'v' + state.version;
    $('replica').textContent = 'replica ' + state.replica_id;
    $('uptime').textContent = 'up ' + state.uptime_human;
    var pill = $('status-pill');
    var status = state.draining ? 'draining' : state.storage.state === 'down' ? 'down' : 'ready';
    clear(pill);
    pill.className = 'pill ' + stateClass(status);
    pill.appendChild(el('span', 'dot'));
    pill.appendChild(el('span', '', status === 'down' ? 'storage down' : status));
    pill.hidden = false;
    renderTiles(state);
    renderProviders(state.providers);
    renderCharts(state.series);
    renderRecent(state.recent);
  }

  function renderTiles(state) {
    var tiles = $('tiles');
    clear(tiles);
    var load = state.load;
    var transports = Object.keys(load.sessions.by_transport).map(function (name) { return name + ' ' + load.sessions.by_transport[name]; }).join(' · ');
    tiles.appendChild(tile('In flight', num(load.calls_in_flight), 'model calls ' + load.model_calls_in_flight + (load.global_capacity !== null ? ' / ' + load.global_capacity : ''), 'tile-inflight'));
    tiles.appendChild(tile('Queued', num(load.queued), 'waiting for a slot', 'tile-queued'));
    tiles.appendChild(tile('Sessions', num(load.sessions.total), transports || 'none open', 'tile-sessions'));
    tiles.appendChild(tile('Requests/s', num(load.requests_per_second, 2), 'last 10 s', 'tile-rps'));
    tiles.appendChild(tile('Latency p50', ms(state.latency.p50_ms), 'p95 ' + ms(state.latency.p95_ms) + ' · last ' + state.latency.calls + ' calls', 'tile-latency'));
    tiles.appendChild(tile('Cost', usd(state.totals.cost_usd), state.totals.calls + ' calls · ' + state.totals.errors + ' failed since start', 'tile-cost'));
    var storage = tile('Storage', state.storage.kind, 'journal backlog ' + state.storage.journal_backlog, 'tile-storage');
    var value = storage.querySelector('.value');
    value.appendChild(document.createTextNode(' '));
    value.appendChild(chip('', state.storage.state, state.storage.last_error || ''));
    tiles.appendChild(storage);
  }

  function renderProviders(providers) {
    var box = $('providers');
    clear(box);
    if (providers.length === 0) box.appendChild(el('p', 'muted', 'No provider is configured (set GLM_API_KEY or KIMI_API_KEY).'));
    providers.forEach(function (provider) {
      var card = el('div', 'provider');
      card.setAttribute('data-provider', provider.provider);
      var head = el('div', 'provider-head');
      head.appendChild(el('h3', '', provider.provider));
      head.appendChild(el('span', 'muted', provider.configured
        ? 'in flight ' + provider.in_flight + (provider.limit !== null ? ' / ' + provider.limit : '') + ' · queued ' + provider.queued
        : 'not configured'));
      card.appendChild(head);
      card.appendChild(el('div', 'group', 'Keys'));
      var keys = el('div', 'chips keys');
      provider.keys.forEach(function (key) {
        var detail = 'in flight ' + key.in_flight + ', failures in a row ' + key.consecutive_failures +
          (key.isolated_by ? ', isolated: ' + key.isolated_by : '') +
          (key.retry_after_ms ? ', probe in ' + ms(key.retry_after_ms) : '') +
          (key.rate_limited_for_ms ? ', rate-limited for ' + ms(key.rate_limited_for_ms) : '');
        keys.appendChild(chip(key.name, key.state, detail));
      });
      if (provider.keys.length === 0) keys.appendChild(el('span', 'muted', 'no key'));
      card.appendChild(keys);
      card.appendChild(el('div', 'group', 'Models'));
      var models = el('div', 'chips models');
      provider.models.forEach(function (model) {
        models.appendChild(chip(model.name, model.state, 'failures in a row ' + model.consecutive_failures + (model.retry_after_ms ? ', probe in ' + ms(model.retry_after_ms) : '')));
      });
      if (provider.models.length === 0) models.appendChild(el('span', 'muted', 'no usable model'));
      card.appendChild(models);
      box.appendChild(card);
    });
  }

  function niceMax(value) {
    if (!(value > 0)) return 1;
    var power = Math.pow(10, Math.floor(Math.log10(value)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) if (value <= steps[i] * power) return steps[i] * power;
    return 10 * power;
  }

  function chart(node, samples, series, format, intervalMs) {
    clear(node);
    var W = 420, H = 190, L = 58, R = 8, T = 10, B = 22;
    var plotW = W - L - R, plotH = H - T - B;
    var max = 0;
    series.forEach(function (s) { samples.forEach(function (sample) { var v = s.value(sample); if (v !== null && v > max) max = v; }); });
    max = niceMax(max);
    for (var i = 0; i <= 2; i++) {
      var y = T + plotH * (1 - i / 2);
      node.appendChild(svg('line', { x1: L, x2: W - R, y1: y, y2: y, stroke: i === 0 ? '#afb8c1' : '#eaeef2', 'stroke-width': 1 }));
      var label = svg('text', { x: L - 6, y: y + 4, 'text-anchor': 'end' });
      label.textContent = format(max * i / 2);
      node.appendChild(label);
    }
    var slots = Math.max(samples.length, 30);
    var slot = plotW / slots;
    function x(index) { return L + plotW - (samples.length - index - 0.5) * slot; }
    function yOf(value) { return T + plotH * (1 - value / max); }
    series.forEach(function (s) {
      if (s.type === 'bar') {
        samples.forEach(function (sample, index) {
          var v = s.value(sample);
          if (v === null || v <= 0) return;
          var h = Math.max(1, plotH * v / max);
          node.appendChild(svg('rect', { x: x(index) - slot * 0.35, y: T + plotH - h, width: Math.max(1, slot * 0.7), height: h, fill: COLORS[s.color], opacity: sample.partial ? 0.5 : 0.85 }));
        });
        return;
      }
      // Intervals without a value (no call finished) are skipped: the line joins the points around them.
      var d = '';
      samples.forEach(function (sample, index) {
        var v = s.value(sample);
        if (v === null || v === undefined) return;
        d += (d ? 'L' : 'M') + x(index).toFixed(1) + ' ' + yOf(v).toFixed(1) + ' ';
        node.appendChild(svg('circle', { cx: x(index).toFixed(1), cy: yOf(v).toFixed(1), r: samples.length > 60 ? 1.2 : 2.2, fill: COLORS[s.color] }));
      });
      if (d) node.appendChild(svg('path', { d: d, fill: 'none', stroke: COLORS[s.color], 'stroke-width': 1.8, 'stroke-linejoin': 'round' }));
    });
    var last = svg('text', { x: W - R, y: H - 4, 'text-anchor': 'end' });
    last.textContent = 'now';
    node.appendChild(last);
    // The oldest point's time, where it does not crowd "now".
    if (samples.length > 1 && x(0) < W - R - 90) {
      var first = svg('text', { x: Math.max(L, x(0) - 4), y: H - 4, 'text-anchor': 'start' });
      first.textContent = clock(samples[0].t - intervalMs);
      node.appendChild(first);
    }
  }

  function legend(id, entries) {
    var box = $(id);
    clear(box);
    entries.forEach(function (entry) {
      var item = el('span', '');
      item.appendChild(el('span', 'sw sw-' + entry[0]));
      item.appendChild(document.createTextNode(entry[1]));
      box.appendChild(item);
    });
  }

  function renderCharts(series) {
    var samples = series.samples;
    var interval = series.interval_ms;
    legend('legend-load', [['c1', 'calls/s'], ['c2', 'in flight'], ['c3', 'queued']]);
    chart($('chart-load'), samples, [
      { color: 'c1', value: function (s) { return s.rps; } },
      { color: 'c2', value: function (s) { return s.in_flight; } },
      { color: 'c3', value: function (s) { return s.queued; } },
    ], function (v) { return v >= 10 ? v.toFixed(0) : v.toFixed(1); }, interval);
    legend('legend-latency', [['c1', 'p50'], ['c3', 'p95']]);
    chart($('chart-latency'), samples, [
      { color: 'c1', value: function (s) { return s.p50_ms; } },
      { color: 'c3', value: function (s) { return s.p95_ms; } },
    ], ms, interval);
    legend('legend-cost', [['c4', 'cost per ' + ms(interval)]]);
    chart($('chart-cost'), samples, [
      { color: 'c4', type: 'bar', value: function (s) { return s.cost_usd; } },
    ], usd, interval);
    var errors = samples.reduce(function (sum, s) { return sum + s.errors; }, 0);
    $('cost-note').textContent = 'since start ' + usd(samples.length ? samples[samples.length - 1].cost_total_usd : 0) + ' · failed calls in this window: ' + errors;
  }

  function renderRecent(calls) {
    var body = $('recent-body');
    clear(body);
    $('recent-empty').hidden = calls.length > 0;
    calls.forEach(function (call) {
      var row = el('tr', '');
      row.appendChild(el('td', '', clock(call.at)));
      row.appendChild(el('td', '', call.tool));
      var status = el('td', '');
      status.appendChild(chip('', call.status, call.error_code || ''));
      if (call.error_code) status.appendChild(el('span', 'muted', ' ' + call.error_code));
      row.appendChild(status);
      row.appendChild(el('td', '', call.model || '–'));
      row.appendChild(el('td', '', call.provider || '–'));
      row.appendChild(el('td', 'num', ms(call.duration_ms)));
      row.appendChild(el('td', 'num', usd(call.cost_usd)));
      body.appendChild(row);
    });
  }

  $('login-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var value = $('token').value.trim();
    if (!value) return;
    storeToken(value);
    $('token').value = '';
    refresh();
  });
  $('forget').addEventListener('click', function () { storeToken(''); refresh(); });
  refresh();
})();
`;

const body = `<header>
  <div class="brand"><h1>exai-daemon</h1><span id="version" class="muted"></span><span id="replica" class="muted"></span></div>
  <div class="meta"><span id="uptime" class="muted"></span><span id="status-pill" class="pill" hidden></span><button id="forget" type="button" hidden>Forget token</button></div>
</header>
<div id="banner" class="banner" role="status" hidden></div>
<section id="login" class="card login" hidden>
  <h2>Token required</h2>
  <p>This daemon shows its data to authenticated users. Paste a token (a JWT or a static token from <code>EXAI_WS_TOKEN</code>): it stays in this browser (localStorage) and is sent as a Bearer token.</p>
  <p id="login-error" class="error" hidden></p>
  <form id="login-form" autocomplete="off">
    <input id="token" type="password" placeholder="Token" aria-label="Token" required>
    <button class="primary" type="submit">Open dashboard</button>
  </form>
</section>
<main id="main" hidden>
  <section id="tiles" class="tiles"></section>
  <section class="card"><h2>Providers and breakers</h2><div id="providers" class="providers"></div></section>
  <section class="charts">
    <div class="card"><h2>Load</h2><div id="legend-load" class="legend"></div><svg id="chart-load" class="chart" viewBox="0 0 420 190" role="img" aria-label="Load over time"></svg></div>
    <div class="card"><h2>Latency</h2><div id="legend-latency" class="legend"></div><svg id="chart-latency" class="chart" viewBox="0 0 420 190" role="img" aria-label="Latency over time"></svg></div>
    <div class="card"><h2>Cost</h2><div id="legend-cost" class="legend"></div><svg id="chart-cost" class="chart" viewBox="0 0 420 190" role="img" aria-label="Cost over time"></svg><div id="cost-note" class="muted"></div></div>
  </section>
  <section class="card"><h2>Recent calls</h2>
    <table id="recent"><thead><tr><th>Time</th><th>Tool</th><th>Status</th><th>Model</th><th>Provider</th><th class="num">Duration</th><th class="num">Cost</th></tr></thead><tbody id="recent-body"></tbody></table>
    <p id="recent-empty" class="muted">No calls yet.</p>
  </section>
</main>
<footer class="muted">Refreshes every 2 s · <a href="/metrics">/metrics</a> · <a href="/readyz">/readyz</a> · <a href="/healthz">/healthz</a></footer>`;

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** The dashboard page and the headers it must be served with. */
export interface DashboardPage {
  html: string;
  headers: Record<string, string>;
}

/**
 * The dashboard's HTML: one self-contained page (inline CSS and script, hand-written SVG charts, no
 * external resource), with a strict Content-Security-Policy allowing its own script and style by hash.
 */
export function dashboardPage(): DashboardPage {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>exai-daemon</title>
<link rel="icon" href="data:,">
<style>${style}</style>
</head>
<body>
${body}
<script>${script}</script>
</body>
</html>
`;
  const csp = [
    "default-src 'self'",
    `script-src ${sha256(script)}`,
    `style-src ${sha256(style)}`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    html,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': csp,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    },
  };
}
