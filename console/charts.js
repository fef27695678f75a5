// Hand-written SVG charts: the exposure stacked bar and plain bar charts.
import { esc, money, int } from './fmt.js';

const COLORS = { open_orders: '#3b6fb6', held: '#e0a526', receivables: '#7a4fb0', unapplied: '#4caf7a' };
const LABELS = { open_orders: 'open orders', held: 'held', receivables: 'receivables', unapplied: 'unapplied' };

// The customer's exposure parts stacked against the limit (a dashed line).
export function exposureBar(c) {
  const e = c.exposure;
  const parts = ['open_orders', 'held', 'receivables'].map((k) => [k, Math.max(0, e[k])]);
  const total = parts.reduce((s, [, v]) => s + v, 0);
  const scale = Math.max(total, c.credit_limit, 1);
  const W = 600; const H = 34;
  let x = 0;
  const rects = parts.map(([k, v]) => {
    const w = (v / scale) * W;
    const r = `<rect x="${x.toFixed(1)}" y="4" width="${w.toFixed(1)}" height="22" fill="${COLORS[k]}"><title>${LABELS[k]}: ${esc(money(v))}</title></rect>`;
    x += w;
    return r;
  }).join('');
  const lx = (c.credit_limit / scale) * W;
  const legend = ['open_orders', 'held', 'receivables', 'unapplied'].map((k) =>
    `<li><i style="background:${COLORS[k]}"></i>${LABELS[k]} <span class="num">${esc(money(e[k]))}</span></li>`).join('');
  return `<figure class="chart exposure">
    <svg viewBox="0 0 ${W} ${H}" role="img" aria-label="exposure ${esc(money(e.total))} of limit ${esc(money(c.credit_limit))}">
      <rect x="0" y="4" width="${W}" height="22" fill="#eef1f5"/>${rects}
      <line x1="${lx.toFixed(1)}" x2="${lx.toFixed(1)}" y1="0" y2="${H}" stroke="#c62828" stroke-width="2" stroke-dasharray="4 2"><title>limit ${esc(money(c.credit_limit))}</title></line>
    </svg>
    <figcaption><ul class="legend">${legend}<li>total <b class="num">${esc(money(e.total))}</b> of limit <b class="num">${esc(money(c.credit_limit))}</b></li></ul></figcaption>
  </figure>`;
}

// Vertical bars: items = [{label, value, color?}]; fmt formats a value.
export function barChart(items, { fmt = int, id = '' } = {}) {
  const W = 520; const H = 180; const pad = 24;
  const max = Math.max(1, ...items.map((i) => i.value));
  const bw = (W - pad) / Math.max(1, items.length);
  const bars = items.map((it, i) => {
    const h = (it.value / max) * (H - 2 * pad);
    const x = pad / 2 + i * bw + bw * 0.15;
    const y = H - pad - h;
    return `<g data-label="${esc(it.label)}" data-value="${it.value}">
      <rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(bw * 0.7).toFixed(1)}" height="${h.toFixed(1)}" fill="${it.color || '#3b6fb6'}"><title>${esc(it.label)}: ${esc(fmt(it.value))}</title></rect>
      <text x="${(x + bw * 0.35).toFixed(1)}" y="${(y - 4).toFixed(1)}" text-anchor="middle" class="v">${esc(fmt(it.value))}</text>
      <text x="${(x + bw * 0.35).toFixed(1)}" y="${H - 8}" text-anchor="middle">${esc(it.label)}</text></g>`;
  }).join('');
  return `<figure class="chart"${id ? ` id="${id}"` : ''}><svg viewBox="0 0 ${W} ${H}" role="img">
    <line x1="0" x2="${W}" y1="${H - pad}" y2="${H - pad}" stroke="#999"/>${bars}</svg></figure>`;
}

// A sparkline of recent values.
export function sparkline(values, { W = 240, H = 40 } = {}) {
  if (values.length < 2) return `<svg viewBox="0 0 ${W} ${H}" class="spark"></svg>`;
  const max = Math.max(1e-9, ...values);
  const pts = values.map((v, i) => `${((i / (values.length - 1)) * W).toFixed(1)},${(H - 2 - (v / max) * (H - 4)).toFixed(1)}`);
  return `<svg viewBox="0 0 ${W} ${H}" class="spark" preserveAspectRatio="none"><polyline fill="none" stroke="#3b6fb6" stroke-width="2" points="${pts.join(' ')}"/></svg>`;
}
