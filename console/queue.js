// Held orders: the credit desk's work queue (list_held, oldest first), refreshed by polling;
// one open order with its lines, the customer's credit, overdue items and history, and the
// approve / release / reject actions.
import * as api from './api.js';
import * as auth from './auth.js';
import { esc, money, dateTime, duration, date } from './fmt.js';
import { $, $$, table, moneyCell, actionForm } from './ui.js';
import { exposureBar } from './charts.js';

const REASONS = ['CREDIT_LIMIT', 'CREDIT_GRADE', 'OVERDUE', 'CUSTOMER_ON_HOLD', 'PRICE_APPROVAL',
  'AMOUNT_APPROVAL', 'OUT_OF_STOCK'];
const HOLD_TTL_MS = 72 * 3600 * 1000;  // the policy's default hold_ttl_hours
const POLL_MS = 4000;

export default async function queue(root) {
  root.innerHTML = `
    <div class="toolbar">
      <h1>Held orders</h1>
      <label>Reason <select id="f-reason"><option value="">all</option>
        ${REASONS.map((r) => `<option>${r}</option>`).join('')}</select></label>
      <label>Customer <input id="f-customer" size="8" placeholder="C1001"></label>
      <span class="muted" id="q-updated"></span>
    </div>
    <p class="error" id="q-error" role="alert"></p>
    <div class="split">
      <div id="q-list" class="list" tabindex="0" aria-label="Held orders (arrow keys, Enter)"></div>
      <div id="q-detail" class="detail"><p class="empty">Select an order (↑/↓ or j/k, Enter).</p></div>
    </div>`;
  let orders = [];
  let selected = null;
  let open = null;
  let timer = null;

  const list = $(root, '#q-list');
  let serverDay = 0;
  // The server's business time (a manual clock in tests): its day, or the newest hold if later.
  const now = () => Math.max(serverDay, ...orders.map((o) => Date.parse(o.at)));

  async function refresh() {
    try {
      const filters = { reason: $(root, '#f-reason').value, customer: $(root, '#f-customer').value.trim() };
      const [held, aging] = await Promise.all([api.get('/held', filters), api.get('/reports/aging')]);
      serverDay = Date.parse(`${aging.as_of}T00:00:00Z`);
      orders = held.orders;
      $(root, '#q-error').textContent = '';
      $(root, '#q-updated').textContent = `${orders.length} held · updated ${new Date().toLocaleTimeString()}`;
      render();
    } catch (e) {
      $(root, '#q-error').textContent = e.message;
    }
  }

  function render() {
    const t = now();
    list.innerHTML = table([
      { label: 'Order', get: (o) => `<a href="#/order/${o.order_no}">${o.order_no}</a>` },
      { label: 'Customer', get: (o) => `<a href="#/customer/${esc(o.customer)}">${esc(o.customer)}</a>` },
      { label: 'Total', num: true, get: (o) => moneyCell(o.total) },
      { label: 'Reasons (level)', get: (o) => (o.open_reasons || o.reasons).map((r) =>
        `<span class="tag" title="needs level ${r.required_level}">${esc(r.code)} ${r.required_level}</span>`).join(' ') },
      { label: 'Age', num: true, get: (o) => duration(t - Date.parse(o.at)) },
      { label: 'Expires in', num: true, get: (o) => duration(Date.parse(o.at) + HOLD_TTL_MS - t) },
    ], orders, {
      empty: 'No held orders. The queue refreshes by itself.',
      rowAttrs: (o) => `data-order="${o.order_no}" class="${o.order_no === selected ? 'selected' : ''}"`,
    });
  }

  function select(no, scroll = true) {
    selected = no;
    for (const tr of $$(list, 'tr[data-order]')) {
      const on = Number(tr.dataset.order) === no;
      tr.classList.toggle('selected', on);
      if (on && scroll) tr.scrollIntoView({ block: 'nearest' });
    }
  }

  list.addEventListener('click', (ev) => {
    if (ev.target.closest('a')) return;
    const tr = ev.target.closest('tr[data-order]');
    if (!tr) return;
    select(Number(tr.dataset.order));
    showOrder(Number(tr.dataset.order));
  });
  list.addEventListener('keydown', (ev) => {
    if (ev.target !== list) return;
    const i = orders.findIndex((o) => o.order_no === selected);
    if (ev.key === 'ArrowDown' || ev.key === 'j') {
      ev.preventDefault();
      if (orders.length) select(orders[Math.min(orders.length - 1, i + 1)].order_no);
    } else if (ev.key === 'ArrowUp' || ev.key === 'k') {
      ev.preventDefault();
      if (orders.length) select(orders[Math.max(0, i - 1)].order_no);
    } else if (ev.key === 'Enter' && selected != null) {
      ev.preventDefault();
      showOrder(selected);
    }
  });
  $(root, '#f-reason').addEventListener('change', refresh);
  $(root, '#f-customer').addEventListener('change', refresh);

  async function showOrder(no) {
    const detail = $(root, '#q-detail');
    open = no;
    try {
      const order = await api.get(`/orders/${no}`);
      const held = orders.find((o) => o.order_no === no) || {};
      order.open_reasons = order.open_reasons || held.open_reasons || order.reasons;
      order.approvals = order.approvals || held.approvals || [];
      const [cust, items] = await Promise.all([
        api.get(`/customers/${api.enc(order.customer)}`),
        api.get('/receivables/open-items', { customer: order.customer }),
      ]);
      if (open !== no) return;
      detail.innerHTML = orderDetail(order, cust, items.items.filter((i) => i.days_past_due > 0));
      wireActions(detail, order);
    } catch (e) {
      detail.innerHTML = `<p class="error" role="alert">${esc(e.message)}</p>`;
    }
  }

  function wireActions(detail, order) {
    const form = $(detail, '#q-actions');
    auth.gate($(form, '[value=approve]'), auth.approveAny(order));
    auth.gate($(form, '[value=release]'), auth.release(order));
    auth.gate($(form, '[value=reject]'), auth.reject(order));
    const whys = ['approve', 'release', 'reject'].map((v) => $(form, `[value=${v}]`))
      .filter((b) => b.disabled).map((b) => `${b.textContent}: ${b.title}`);
    $(form, '.why').textContent = whys.length ? `Not for you — ${whys.join('; ')}` : '';
    actionForm(form, async (v) => {
      const note = v.note.trim();
      const path = `/orders/${order.order_no}`;
      if (v._button === 'reject') {
        if (!note) throw new Error('A rejection needs a reason: write it in the note.');
        return api.post(`${path}/reject`, { reason: note });
      }
      const body = note ? { note } : {};
      return api.post(`${path}/${v._button === 'release' ? 'release' : 'approvals'}`, body);
    }, (r) => {
      setTimeout(() => { refresh(); if (r.status !== 'held') $(root, '#q-detail').innerHTML = `<p class="ok">Order ${r.order_no} is ${r.status}.</p>`; else showOrder(order.order_no); }, 0);
      return `Order ${r.order_no} is ${r.status}.`;
    });
  }

  await refresh();
  timer = setInterval(refresh, POLL_MS);
  list.focus();
  return () => clearInterval(timer);
}

function orderDetail(o, c, overdue) {
  const missing = o.open_reasons.map((r) => `<li>${esc(r.code)}: level ${r.required_level}
    ${auth.approveReason(o, r) ? `<span class="muted">(${esc(auth.approveReason(o, r))})</span>` : ''}</li>`).join('');
  const approvals = o.approvals.map((a) => `<li>${esc(a.code)} by ${esc(a.by)} (level ${a.level})${a.note ? ` — ${esc(a.note)}` : ''}</li>`).join('');
  return `
    <h2>Order ${o.order_no} <span class="tag">${esc(o.status)}</span></h2>
    <p>${esc(o.customer)} · ${esc(o.client_order_id)} · submitted by ${esc(o.submitted_by || '')} · ${esc(dateTime(o.at))}</p>
    ${table([
      { label: 'SKU', get: (l) => esc(l.sku) },
      { label: 'Qty', num: true, get: (l) => l.qty },
      { label: 'Unit price', num: true, get: (l) => moneyCell(l.unit_price) },
      { label: 'Amount', num: true, get: (l) => moneyCell(l.amount) },
    ], o.lines)}
    <p class="total">Total <span class="num">${esc(money(o.total))}</span></p>
    <h3>Approvals still missing</h3><ul id="q-missing">${missing || '<li>none</li>'}</ul>
    ${approvals ? `<h3>Approved</h3><ul>${approvals}</ul>` : ''}
    <form id="q-actions" class="actions">
      <label>Note <textarea name="note" rows="2" placeholder="why (required to reject)"></textarea></label>
      <div class="buttons">
        <button type="submit" value="approve">Approve</button>
        <button type="submit" value="release" class="primary">Release</button>
        <button type="submit" value="reject" class="danger">Reject</button>
      </div>
      <p class="why muted"></p><p class="error" role="alert"></p><p class="ok"></p>
    </form>
    <h3>Customer credit — <a href="#/customer/${esc(c.customer)}">${esc(c.name)}</a></h3>
    <p>Grade ${esc(c.grade)} · ${esc(c.status)} · limit <span class="num">${esc(money(c.credit_limit))}</span>
      · available <b class="num">${esc(money(c.available))}</b></p>
    ${exposureBar(c)}
    <h3>Overdue items</h3>
    ${table([
      { label: 'Invoice', get: (i) => i.invoice_no },
      { label: 'Due', get: (i) => esc(date(i.due_date)) },
      { label: 'Days past due', num: true, get: (i) => i.days_past_due },
      { label: 'Open', num: true, get: (i) => moneyCell(i.open) },
    ], overdue, { empty: 'No overdue items.' })}
    <h3>History</h3>
    <ol class="timeline">${(o.events || []).map((e) => `<li><b>${esc(e.event)}</b> by ${esc(e.by)}
      <span class="muted">${esc(dateTime(e.at))}</span>${e.text ? ` — ${esc(e.text)}` : ''}</li>`).join('')}</ol>`;
}
