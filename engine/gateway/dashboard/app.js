// The ztrade dashboard: REST for the first picture, the /v1/stream WebSocket for live updates.
// The token is kept for this tab only (sessionStorage) or given in the address as #token=...
"use strict";

const $ = (id) => document.getElementById(id);
const state = { token: "", symbol: "", ws: null, updates: 0, orders: new Map(), positions: new Map(),
                lastBarTime: 0, last: null, chart: null, candles: null, emaFast: null, emaSlow: null };

function fmt(v, digits = 2) {
  return v === null || v === undefined || Number.isNaN(v) ? "–" : Number(v).toFixed(digits);
}

async function api(path, options = {}) {
  const headers = Object.assign({ Authorization: "Bearer " + state.token }, options.headers || {});
  const r = await fetch(path, Object.assign({}, options, { headers }));
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error((body.error && body.error.message) || ("HTTP " + r.status));
  return body;
}

function setConn(live) {
  const c = $("conn");
  c.textContent = live ? "live" : "disconnected";
  c.dataset.state = live ? "live" : "disconnected";
  c.className = "badge " + (live ? "on" : "off");
}

function countUpdate() {
  state.updates += 1;
  document.body.dataset.updates = String(state.updates);
  $("updates").textContent = state.updates + " updates";
}

function makeChart() {
  const chart = LightweightCharts.createChart($("chart"), {
    autoSize: true, layout: { background: { color: "#1b1f25" }, textColor: "#c9d1d9" },
    grid: { vertLines: { color: "#262c33" }, horzLines: { color: "#262c33" } },
    timeScale: { timeVisible: true, secondsVisible: false },
  });
  state.chart = chart;
  state.candles = chart.addCandlestickSeries();
  state.emaFast = chart.addLineSeries({ color: "#f0b429", lineWidth: 1 });
  state.emaSlow = chart.addLineSeries({ color: "#4dabf7", lineWidth: 1 });
}

function candle(b) {
  return { time: Math.floor(b.ts_ns / 1e9), open: b.open, high: b.high, low: b.low, close: b.close };
}

// The chart's times are whole seconds: bars shorter than a second are shown merged into
// one-second candles (asked of the gateway aggregated, then merged here as they arrive).
async function loadSymbol(symbol) {
  state.symbol = symbol;
  state.lastBarTime = 0;
  state.last = null;
  const path = "/v1/bars/" + encodeURIComponent(symbol);
  let data = await api(path + "?limit=1000");
  if (data.bars.length && data.bars[0].interval_ns < 1e9 && 1e9 % data.bars[0].interval_ns === 0) {
    data = await api(path + "?limit=1000&interval=1");
  }
  const bars = data.bars.map(candle);
  state.candles.setData(bars);
  state.emaFast.setData([]);
  state.emaSlow.setData([]);
  if (bars.length) { state.last = bars[bars.length - 1]; state.lastBarTime = state.last.time; }
  document.body.dataset.bars = String(bars.length);
  state.chart.timeScale().fitContent();
  subscribe();
}

function onBar(symbol, b) {
  if (symbol !== state.symbol) return;
  const c = candle(b);
  if (c.time < state.lastBarTime) return;  // the chart takes bars in time order only
  if (state.last && c.time === state.last.time) {
    const l = state.last;
    Object.assign(c, { open: l.open, high: Math.max(l.high, c.high), low: Math.min(l.low, c.low) });
  } else {
    document.body.dataset.bars = String(Number(document.body.dataset.bars || 0) + 1);
  }
  state.last = c;
  state.lastBarTime = c.time;
  state.candles.update(c);
}

function onFeatures(symbol, f) {
  if (symbol !== state.symbol || !f.ready) return;
  const time = Math.floor(f.bar_ns / 1e9);
  if (time < state.lastBarTime) return;
  const v = f.values;
  if (Number.isFinite(v.ema_fast)) state.emaFast.update({ time, value: v.ema_fast });
  if (Number.isFinite(v.ema_slow)) state.emaSlow.update({ time, value: v.ema_slow });
  $("rsi").textContent = fmt(v.rsi, 1);
}

function rows(tbody, items, cells) {
  tbody.replaceChildren(...items.map((item) => {
    const tr = document.createElement("tr");
    for (const text of cells(item)) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.appendChild(td);
    }
    return tr;
  }));
}

const OPEN = new Set(["sent", "new", "accepted", "partial_fill", "partially_filled", "pending_cancel"]);

function renderOrders() {
  const all = [...state.orders.values()].sort((a, b) => b.updated_ns - a.updated_ns);
  rows($("open-orders").tBodies[0], all.filter((o) => OPEN.has(o.status)),
       (o) => [o.client_order_id, o.symbol, o.side, fmt(o.quantity, 4), o.status]);
  const fills = all.filter((o) => o.filled > 0).slice(0, 100);
  rows($("fills").tBodies[0], fills,
       (o) => [o.client_order_id, o.symbol, o.side, fmt(o.filled, 4), fmt(o.avg_price)]);
  document.body.dataset.fills = String(fills.length);
}

function renderPositions() {
  rows($("positions").tBodies[0], [...state.positions.values()],
       (p) => [p.symbol, fmt(p.quantity, 4), fmt(p.avg_price), fmt(p.mark), fmt(p.unrealized)]);
}

const SCANS = [["gainers", "Top gainers", "change_pct"], ["losers", "Top losers", "change_pct"],
               ["most_active", "Most active", "volume"], ["unusual_volume", "Unusual volume", "ratio"],
               ["breakouts", "Breakouts", "level"], ["breakdowns", "Breakdowns", "level"],
               ["overbought", "RSI overbought", "rsi"], ["oversold", "RSI oversold", "rsi"],
               ["macd_bullish", "MACD bullish cross", "macd"], ["macd_bearish", "MACD bearish cross", "macd"]];

function renderScanner(s) {
  let filled = 0;
  $("scanner").replaceChildren(...SCANS.map(([key, title, field]) => {
    const div = document.createElement("div");
    div.className = "list";
    div.dataset.list = key;
    const h = document.createElement("h3");
    h.textContent = title;
    div.appendChild(h);
    for (const row of s[key] || []) {
      const p = document.createElement("div");
      p.textContent = row.symbol + "  " + fmt(row[field]);
      div.appendChild(p);
      filled += 1;
    }
    return div;
  }));
  document.body.dataset.scannerRows = String(filled);
}

function subscribe(previous) {
  const ws = state.ws;
  if (!ws || ws.readyState !== WebSocket.OPEN) return;
  if (previous) ws.send(JSON.stringify({ action: "unsubscribe", channels: ["bars", "features"], symbols: [previous] }));
  ws.send(JSON.stringify({ action: "subscribe", channels: ["bars", "features"], symbols: [state.symbol] }));
}

function connectStream() {
  const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/v1/stream");
  state.ws = ws;
  ws.onopen = () => {
    ws.send(JSON.stringify({ action: "auth", token: state.token }));
    ws.send(JSON.stringify({ action: "subscribe", channels: ["orders", "positions", "scanner"], symbols: ["*"] }));
    subscribe();
    setConn(true);
  };
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data);
    if (Array.isArray(m)) { m.forEach(onUpdate); return; }  // updates come in arrays
    if (m.type === "error") $("login-error").textContent = m.message;  // else an ack
  };
  ws.onclose = () => { setConn(false); setTimeout(connectStream, 2000); };
}

function onUpdate(m) {
  countUpdate();
  if (m.type === "bar") onBar(m.symbol, m.data);
  else if (m.type === "features") onFeatures(m.symbol, m.data);
  else if (m.type === "order") { state.orders.set(m.data.client_order_id, m.data); renderOrders(); }
  else if (m.type === "position") { state.positions.set(m.data.symbol, m.data); renderPositions(); }
  else if (m.type === "scanner") renderScanner(m.data);
}

async function refresh() {
  try {
    const [summary, pnl] = await Promise.all([api("/v1/summary"), api("/v1/pnl")]);
    const lat = summary.tick_to_order_us || {};
    $("lat-p50").textContent = fmt(lat.p50, 0) + " µs";
    $("lat-p90").textContent = fmt(lat.p90, 0) + " µs";
    $("lat-p99").textContent = fmt(lat.p99, 0) + " µs";
    $("lat-count").textContent = String(lat.count || 0);
    $("risk-state").textContent = summary.risk_state || "?";
    document.body.dataset.riskState = summary.risk_state || "";
    $("pnl-realized").textContent = fmt(pnl.realized);
    $("pnl-unrealized").textContent = fmt(pnl.unrealized);
    $("pnl-total").textContent = fmt(pnl.total);
  } catch (e) { /* the next refresh tries again */ }
}

async function control(command) {
  const token = $("operator-token").value;
  try {
    const r = await fetch("/v1/control", { method: "POST", body: JSON.stringify({ command }),
      headers: { Authorization: "Bearer " + token, "Content-Type": "application/json" } });
    const body = await r.json();
    $("control-result").textContent = r.ok ? body.reply : body.error.message;
  } catch (e) { $("control-result").textContent = String(e); }
  refresh();
}

async function start() {
  try {
    const symbols = await api("/v1/symbols");
    $("login").hidden = true;
    $("app").hidden = false;
    sessionStorage.setItem("ztrade-token", state.token);
    const select = $("symbol");
    select.replaceChildren(...symbols.map((s) => new Option(s.symbol + (s.venue ? " · " + s.venue : ""), s.symbol)));
    select.onchange = () => { const prev = state.symbol; loadSymbol(select.value).then(() => subscribe(prev)); };
    if (!state.chart) makeChart();
    if (symbols.length) await loadSymbol(symbols[0].symbol);
    const orders = await api("/v1/orders?limit=500");
    for (const o of orders) state.orders.set(o.client_order_id, o);
    renderOrders();
    for (const p of await api("/v1/positions")) state.positions.set(p.symbol, p);
    renderPositions();
    renderScanner(await api("/v1/scanner"));
    connectStream();
    refresh();
    setInterval(refresh, 2000);
    document.body.dataset.ready = "true";
  } catch (e) {
    $("login").hidden = false;
    $("login-error").textContent = e.message;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  for (const b of document.querySelectorAll("button[data-command]")) b.onclick = () => control(b.dataset.command);
  $("login-form").onsubmit = (e) => { e.preventDefault(); state.token = $("token").value; start(); };
  const fromHash = new URLSearchParams(location.hash.slice(1)).get("token");
  if (fromHash) history.replaceState(null, "", location.pathname);  // not left in the address bar
  state.token = fromHash || sessionStorage.getItem("ztrade-token") || "";
  if (state.token) start(); else $("login").hidden = false;
});
