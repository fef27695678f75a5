// Customer: credit master data, exposure against the limit, aging, open items, credit history,
// actions by authority, and the statement for a date range (printable, CSV).
import * as api from './api.js';
import * as auth from './auth.js';
import { esc, money, date, dateTime, parseMoney } from './fmt.js';
import { $, table, moneyCell, actionForm, gates } from './ui.js';
import { exposureBar, barChart } from './charts.js';

const BUCKETS = [['current', 'current'], ['d1_30', '1–30'], ['d31_60', '31–60'], ['d61_90', '61–90'], ['d90_plus', '90+']];

export default async function customer(root, [id]) {
  if (!id) return chooser(root);
  root.innerHTML = `<p class="muted">Loading ${esc(id)}…</p>`;
  let c;
  try {
    c = await api.get(`/customers/${api.enc(id)}`);
  } catch (e) {
    root.innerHTML = `<p class="error" role="alert">${esc(e.message)}</p><p><a href="#/customer">All customers</a></p>`;
    return null;
  }
  const [aging, items, history] = await Promise.all([
    api.get('/reports/aging', { customer: id }),
    api.get('/receivables/open-items', { customer: id }),
    api.get(`/customers/${api.enc(id)}/credit-history`),
  ]);
  const today = aging.as_of;
  const monthAgo = new Date(Date.parse(`${today}T00:00:00Z`) - 90 * 864e5).toISOString().slice(0, 10);
  root.innerHTML = `
    <div class="toolbar"><h1>${esc(c.name)} <span class="muted">${esc(c.customer)}</span></h1>
      <a href="#/customer" class="noprint">All customers</a></div>
    <div class="grid noprint-grid">
      <div class="card">
        <dl class="facts">
          <dt>Grade</dt><dd id="c-grade">${esc(c.grade)}</dd>
          <dt>Limit</dt><dd class="num" id="c-limit">${esc(money(c.credit_limit))}</dd>
          <dt>Available</dt><dd class="num" id="c-available">${esc(money(c.available))}</dd>
          <dt>Terms</dt><dd>${c.terms_days} days</dd>
          <dt>Status</dt><dd id="c-status">${esc(c.status)}${c.status_reason ? ` (${esc(c.status_reason)})` : ''}</dd>
          <dt>Review due</dt><dd>${esc(date(c.review_due))}</dd>
          <dt>Oldest overdue</dt><dd>${c.oldest_overdue_days} days</dd>
        </dl>
        <h3>Exposure</h3>${exposureBar(c)}
      </div>
      <div class="card"><h3>Aging (as of ${esc(date(aging.as_of))})</h3>
        <div id="c-aging">${barChart(BUCKETS.map(([k, label]) => ({ label, value: aging[k] || 0,
          color: k === 'current' ? '#4caf7a' : '#c0504d' })), { fmt: money })}</div>
        <p>Total open <b class="num" id="c-aging-total">${esc(money(aging.total))}</b></p>
      </div>
    </div>
    <div class="grid noprint">
      <form class="card" id="f-credit" data-need="credit"><h3>Limit and grade</h3>
        <label>Credit limit <input name="credit_limit" inputmode="decimal" placeholder="${esc(money(c.credit_limit))}"></label>
        <label>Grade <select name="grade"><option value="">unchanged</option>${['A', 'B', 'C', 'D'].map((g) => `<option>${g}</option>`).join('')}</select></label>
        <label>Reason <input name="reason"></label>
        <button type="submit" data-gate="credit">Change</button><p class="error" role="alert"></p><p class="ok"></p></form>
      <form class="card" id="f-status"><h3>Status</h3>
        <label>Status <select name="status">${['active', 'on_hold', 'blocked'].map((s) => `<option${s === c.status ? ' selected' : ''}>${s}</option>`).join('')}</select></label>
        <label>Reason <input name="reason" required></label>
        <button type="submit" data-gate="credit">Set status</button><p class="error" role="alert"></p><p class="ok"></p></form>
      <form class="card" id="f-payment"><h3>Record a payment</h3>
        <label>Amount <input name="amount" inputmode="decimal" placeholder="1,000.00" required></label>
        <label>Payment reference <input name="payment_ref" placeholder="BANK-2026-001" required></label>
        <button type="submit" data-gate="finance">Record payment</button><p class="error" role="alert"></p><p class="ok"></p></form>
      <form class="card" id="f-writeoff"><h3>Propose a write-off</h3>
        <label>Invoice <select name="invoice_no">${items.items.map((i) => `<option value="${i.invoice_no}">${i.invoice_no} (${esc(money(i.open))})</option>`).join('')}</select></label>
        <label>Criterion <select name="reason_code">${['bankrupt', 'deceased', 'uncollectible', 'settlement'].map((s) => `<option>${s}</option>`).join('')}</select></label>
        <label>Facts <input name="reason" required></label>
        <button type="submit" data-gate="writeOff">Propose</button><p class="error" role="alert"></p><p class="ok"></p></form>
    </div>
    <div class="card noprint"><h3>Open items</h3><div id="c-items">${table([
      { label: 'Invoice', get: (i) => i.invoice_no },
      { label: 'Order', get: (i) => `<a href="#/order/${i.order_no}">${i.order_no}</a>` },
      { label: 'Invoiced', get: (i) => esc(date(i.invoice_date)) },
      { label: 'Due', get: (i) => esc(date(i.due_date)) },
      { label: 'Days past due', num: true, get: (i) => i.days_past_due },
      { label: 'Amount', num: true, get: (i) => moneyCell(i.amount) },
      { label: 'Open', num: true, get: (i) => moneyCell(i.open) },
      { label: 'Stage', get: (i) => esc(i.stage) },
    ], items.items, { empty: 'No open items.' })}</div></div>
    <div class="card noprint"><h3>Credit history</h3>${table([
      { label: 'When', get: (h) => esc(dateTime(h.at)) },
      { label: 'What', get: (h) => esc(h.kind) },
      { label: 'By', get: (h) => `${esc(h.by)} (level ${h.level})` },
      { label: 'Change', get: (h) => ['credit_limit', 'grade', 'terms_days', 'status'].filter((k) => h[k])
        .map((k) => `${k}: ${esc(k === 'credit_limit' ? money(h[k].from) : h[k].from)} → ${esc(k === 'credit_limit' ? money(h[k].to) : h[k].to)}`).join('; ') },
      { label: 'Reason', get: (h) => esc(h.reason) },
    ], history.entries, { empty: 'No history.' })}</div>
    <div class="card statement">
      <form id="f-statement" class="noprint inline"><h3>Statement</h3>
        <label>From <input type="date" name="from" value="${monthAgo}" required></label>
        <label>To <input type="date" name="to" value="${today}" required></label>
        <button type="submit">Show</button>
        <button type="button" id="s-print">Print</button>
        <button type="button" id="s-csv">Download CSV</button>
        <p class="error" role="alert"></p></form>
      <div id="s-body"></div>
    </div>`;
  gates(root);
  const reload = () => setTimeout(() => customer(root, [id]), 600);
  actionForm($(root, '#f-credit'), (v) => {
    const body = { reason: v.reason };
    if (v.credit_limit.trim()) {
      body.credit_limit = parseMoney(v.credit_limit);
      if (Number.isNaN(body.credit_limit)) throw new Error('The limit must be an amount like 25,000.00');
    }
    if (v.grade) body.grade = v.grade;
    return api.post(`/customers/${api.enc(id)}/credit`, body);
  }, (r) => { if (r.status === 'proposed') return `Proposed (#${r.proposal_no}): needs level ${r.required_level} to approve.`; reload(); return 'Changed.'; });
  actionForm($(root, '#f-status'), (v) => api.post(`/customers/${api.enc(id)}/status`, { status: v.status, reason: v.reason }),
    () => { reload(); return 'Status set.'; });
  actionForm($(root, '#f-payment'), (v) => {
    const amount = parseMoney(v.amount);
    if (Number.isNaN(amount)) throw new Error('The amount must be like 1,250.00');
    return api.post(`/customers/${api.enc(id)}/payments`, { amount, payment_ref: v.payment_ref.trim() });
  }, (r) => { reload(); return `Payment ${r.payment_ref} of ${money(r.amount)} recorded; unapplied ${money(r.unapplied)}.`; });
  actionForm($(root, '#f-writeoff'), (v) => api.post(`/invoices/${v.invoice_no}/write-off-proposals`,
    { reason_code: v.reason_code, reason: v.reason }), (r) => `Write-off ${r.write_off_no} proposed.`);

  let statement = null;
  const sform = $(root, '#f-statement');
  actionForm(sform, async (v) => {
    statement = await api.get(`/customers/${api.enc(id)}/statement`, { from: v.from, to: v.to });
    $(root, '#s-body').innerHTML = statementHtml(c, statement);
  });
  $(root, '#s-print').addEventListener('click', () => window.print());
  $(root, '#s-csv').addEventListener('click', () => {
    if (!statement) { $(sform, '.error').textContent = 'Show the statement first.'; return; }
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([statementCsv(statement)], { type: 'text/csv' }));
    a.download = `statement-${statement.customer}-${statement.from}-${statement.to}.csv`;
    document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  });
  sform.requestSubmit();
  return null;
}

function statementHtml(c, s) {
  return `<div class="print-head"><h2>Statement of account</h2><p>${esc(c.name)} (${esc(c.customer)}) · ${esc(date(s.from))} – ${esc(date(s.to))}</p></div>
    <p>Opening balance <b class="num">${esc(money(s.opening_balance))}</b></p>
    ${table([
      { label: 'Date', get: (e) => esc(date(e.date)) },
      { label: 'Type', get: (e) => esc(e.type.replace('_', ' ')) },
      { label: 'Number', get: (e) => e.number ?? '' },
      { label: 'Reference', get: (e) => esc(e.ref ?? (e.order_no ? `order ${e.order_no}` : '')) },
      { label: 'Amount', num: true, get: (e) => moneyCell(e.amount) },
      { label: 'Balance', num: true, get: (e) => moneyCell(e.balance) },
    ], s.entries, { empty: 'No entries in this period.' })}
    <p>Closing balance <b class="num" id="s-closing">${esc(money(s.closing_balance))}</b></p>`;
}

// CSV (RFC 4180): amounts in major units with a point and two decimals, no separators.
export function statementCsv(s) {
  const q = (v) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v ?? ''));
  const m = (minor) => (minor < 0 ? '-' : '') + (Math.abs(minor) / 100).toFixed(2);
  const rows = [['customer', 'from', 'to', 'type', 'date', 'number', 'ref', 'order_no', 'amount', 'balance']];
  rows.push([s.customer, s.from, s.to, 'opening_balance', s.from, '', '', '', '', m(s.opening_balance)]);
  for (const e of s.entries)
    rows.push([s.customer, s.from, s.to, e.type, e.date, e.number ?? '', e.ref ?? '', e.order_no ?? '', m(e.amount), m(e.balance)]);
  rows.push([s.customer, s.from, s.to, 'closing_balance', s.to, '', '', '', '', m(s.closing_balance)]);
  return rows.map((r) => r.map(q).join(',')).join('\r\n') + '\r\n';
}

async function chooser(root) {
  root.innerHTML = `<div class="toolbar"><h1>Customers</h1>
    <label>Prefix <input id="c-prefix" size="8" placeholder="C10"></label></div>
    <p class="error" role="alert"></p><div id="c-list"></div>`;
  const load = async () => {
    try {
      const r = await api.get('/customers', { prefix: $(root, '#c-prefix').value.trim(), limit: 200 });
      $(root, '#c-list').innerHTML = table([
        { label: 'Customer', get: (x) => `<a href="#/customer/${esc(x.customer)}">${esc(x.customer)}</a>` },
        { label: 'Name', get: (x) => esc(x.name) },
        { label: 'Grade', get: (x) => esc(x.grade) },
        { label: 'Status', get: (x) => esc(x.status) },
        { label: 'Limit', num: true, get: (x) => moneyCell(x.credit_limit) },
        { label: 'Exposure', num: true, get: (x) => moneyCell(x.exposure) },
        { label: 'Available', num: true, get: (x) => moneyCell(x.available) },
      ], r.customers);
    } catch (e) { $(root, '.error').textContent = e.message; }
  };
  $(root, '#c-prefix').addEventListener('input', load);
  await load();
  return null;
}
