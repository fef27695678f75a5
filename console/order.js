// Order lookup: by number, or by customer + client order id; the order with its event timeline.
import * as api from './api.js';
import { esc, money, dateTime } from './fmt.js';
import { $, table, moneyCell, actionForm } from './ui.js';

export default async function order(root, [no]) {
  root.innerHTML = `<div class="toolbar"><h1>Order lookup</h1></div>
    <form id="o-form" class="card inline">
      <label>Order number <input name="order_no" inputmode="numeric" size="10" value="${esc(no || '')}"></label>
      <span class="muted">or</span>
      <label>Customer <input name="customer" size="8"></label>
      <label>Client order id <input name="client_order_id" size="14"></label>
      <button type="submit">Find</button>
      <p class="error" role="alert"></p>
    </form>
    <div id="o-body"></div>`;
  const form = $(root, '#o-form');
  actionForm(form, async (v) => {
    let o;
    if (v.order_no.trim()) {
      if (!/^\d+$/.test(v.order_no.trim())) throw new Error('An order number is digits only.');
      o = await api.get(`/orders/${v.order_no.trim()}`);
      if (location.hash !== `#/order/${o.order_no}`) history.replaceState(null, '', `#/order/${o.order_no}`);
    } else {
      o = await lookupByClientId(v.customer.trim(), v.client_order_id.trim());
    }
    $(root, '#o-body').innerHTML = orderHtml(o);
  });
  if (no) form.requestSubmit();
  return null;
}

// get_order by customer + client_order_id: over HTTP the route needs an order_no in the path, so
// the ledger (list_orders, by customer) finds the number first.
async function lookupByClientId(customer, clientId) {
  if (!customer || !clientId) throw new Error('Give an order number, or a customer and a client order id.');
  let cursor;
  do {
    const r = await api.get('/orders', { customer, limit: 1000, cursor });
    const hit = (r.orders || []).find((x) => x.client_order_id === clientId);
    if (hit) return api.get(`/orders/${hit.order_no}`);
    cursor = r.next_cursor;
  } while (cursor);
  throw new Error(`No order ${clientId} of customer ${customer}.`);
}

function orderHtml(o) {
  return `<div class="card">
    <h2>Order ${o.order_no} <span class="tag" id="o-status">${esc(o.status)}</span></h2>
    <p><a href="#/customer/${esc(o.customer)}">${esc(o.customer)}</a> · ${esc(o.client_order_id)} · ${esc(o.payment)}
      · submitted by ${esc(o.submitted_by || '')} ${esc(dateTime(o.at))}</p>
    ${(o.reasons || []).length ? `<p>Held for ${o.reasons.map((r) => `<span class="tag">${esc(r.code)} ${r.required_level}</span>`).join(' ')}</p>` : ''}
    ${table([
      { label: 'SKU', get: (l) => esc(l.sku) },
      { label: 'Qty', num: true, get: (l) => l.qty },
      { label: 'Shipped', num: true, get: (l) => l.shipped },
      { label: 'Returned', num: true, get: (l) => l.returned },
      { label: 'Unit price', num: true, get: (l) => moneyCell(l.unit_price) },
      { label: 'Amount', num: true, get: (l) => moneyCell(l.amount) },
    ], o.lines)}
    <p class="total">Total <span class="num">${esc(money(o.total))}</span></p>
    <h3>Timeline</h3>
    <ol class="timeline" id="o-timeline">${(o.events || []).map((e) => `<li><b>${esc(e.event)}</b> by ${esc(e.by)}
      <span class="muted">${esc(dateTime(e.at))}</span>${e.amount != null && e.event !== 'approved' ? ` <span class="num">${esc(money(e.amount))}</span>` : ''}${e.text ? ` — ${esc(e.text)}` : ''}</li>`).join('')}</ol>
  </div>`;
}
