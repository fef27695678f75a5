// Today: the daily report (orders by status, holds by reason, shipments, payments) as charts,
// and live throughput and latency from the server's /metrics (Prometheus text), polled.
import * as api from './api.js';
import { esc, int, money, date } from './fmt.js';
import { $, table } from './ui.js';
import { barChart, sparkline } from './charts.js';

const STATUS_COLORS = { accepted: '#4caf7a', held: '#e0a526', rejected: '#c0504d', expired: '#999',
  cancelled: '#777', shipped: '#3b6fb6' };
const POLL_MS = 2000;

export default async function today(root) {
  const aging = await api.get('/reports/aging');
  root.innerHTML = `<div class="toolbar"><h1>Today</h1>
      <label>Day <input type="date" id="t-date" value="${aging.as_of}"></label></div>
    <p class="error" id="t-error" role="alert"></p>
    <div id="t-report"></div>
    <div class="grid">
      <div class="card"><h3>Throughput (requests/s)</h3><div id="t-rate"></div><p class="num big" id="t-rate-now"></p></div>
      <div class="card"><h3>Latency by op (from /metrics)</h3><div id="t-latency"></div></div>
    </div>`;
  const load = async () => {
    try {
      const d = $(root, '#t-date').value;
      const r = await api.get(`/reports/daily/${d}`);
      $(root, '#t-report').innerHTML = reportHtml(r);
      $(root, '#t-error').textContent = '';
    } catch (e) { $(root, '#t-error').textContent = e.message; }
  };
  $(root, '#t-date').addEventListener('change', load);
  await load();

  const rates = [];
  let last = null;
  const poll = async () => {
    try {
      const res = await fetch('/metrics', { cache: 'no-store' });
      const m = parseMetrics(await res.text());
      const t = performance.now();
      if (last) rates.push(Math.max(0, (m.requests - last.requests) / ((t - last.t) / 1000)));
      if (rates.length > 60) rates.shift();
      last = { requests: m.requests, t };
      $(root, '#t-rate').innerHTML = sparkline(rates);
      $(root, '#t-rate-now').textContent = rates.length ? `${rates[rates.length - 1].toFixed(1)} /s` : '…';
      $(root, '#t-latency').innerHTML = table([
        { label: 'Op', get: (x) => esc(x.op) },
        { label: 'Requests', num: true, get: (x) => int(x.count) },
        { label: 'Mean (ms)', num: true, get: (x) => (x.count ? ((x.sum / x.count) * 1000).toFixed(2) : '') },
        { label: 'p99 ≤ (ms)', num: true, get: (x) => (x.p99 == null ? '' : (x.p99 * 1000).toFixed(2)) },
      ], m.ops.sort((a, b) => b.count - a.count).slice(0, 12), { empty: 'No requests yet.' });
    } catch (e) { $(root, '#t-error').textContent = `metrics: ${e.message}`; }
  };
  await poll();
  const timer = setInterval(poll, POLL_MS);
  return () => clearInterval(timer);
}

function reportHtml(r) {
  const statuses = Object.keys(STATUS_COLORS);
  const holds = Object.entries(r.holds_by_reason || {});
  return `<div class="grid">
    <div class="card"><h3>Orders submitted ${esc(date(r.date))} by status now</h3>
      ${barChart(statuses.map((s) => ({ label: s, value: r.orders[s]?.count || 0, color: STATUS_COLORS[s] })), { id: 't-orders' })}
      ${table([{ label: 'Status', get: (s) => s }, { label: 'Orders', num: true, get: (s) => int(r.orders[s]?.count) },
        { label: 'Value', num: true, get: (s) => esc(money(r.orders[s]?.value)) }], statuses)}</div>
    <div class="card"><h3>Holds by reason</h3>
      ${holds.length ? barChart(holds.map(([k, v]) => ({ label: k.replace('_', ' ').toLowerCase(), value: v, color: '#e0a526' }))) : '<p class="empty">No holds that day.</p>'}
      <dl class="facts">
        <dt>Shipments</dt><dd class="num">${int(r.shipments)} · ${esc(money(r.shipped_value))}</dd>
        <dt>Payments</dt><dd class="num" id="t-payments">${int(r.payments)} · ${esc(money(r.payments_received))}</dd>
        <dt>Returns</dt><dd class="num">${int(r.returns)} · ${esc(money(r.returns_value))}</dd>
        <dt>Write-offs</dt><dd class="num">${int(r.write_offs)} · ${esc(money(r.written_off))}</dd>
        <dt>On time</dt><dd class="num">${r.on_time?.pct == null ? '—' : `${r.on_time.pct}%`}</dd>
      </dl></div></div>`;
}

// The Prometheus text: total requests, and per op the duration histogram's count, sum and p99.
export function parseMetrics(text) {
  let requests = 0;
  const ops = new Map();
  const op = (name) => ops.get(name) || ops.set(name, { op: name, count: 0, sum: 0, buckets: [] }).get(name);
  for (const line of text.split('\n')) {
    if (!line || line[0] === '#') continue;
    const m = /^([a-z_]+)\{([^}]*)\} ([0-9.eE+-]+|\+Inf|NaN)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[2].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    const v = Number(m[3]);
    if (m[1] === 'credo_requests_total') requests += v;
    else if (m[1] === 'credo_request_duration_seconds_count') op(labels.op).count = v;
    else if (m[1] === 'credo_request_duration_seconds_sum') op(labels.op).sum = v;
    else if (m[1] === 'credo_request_duration_seconds_bucket') op(labels.op).buckets.push([Number(labels.le), v]);
  }
  for (const o of ops.values()) {
    const want = o.count * 0.99;
    const b = o.buckets.sort((x, y) => x[0] - y[0]).find(([, c]) => c >= want && o.count > 0);
    o.p99 = b && Number.isFinite(b[0]) ? b[0] : null;
  }
  return { requests, ops: [...ops.values()] };
}
