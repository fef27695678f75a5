// Products: stock on hand, reserved, available; receive stock and stocktake (warehouse role).
import * as api from './api.js';
import { esc, int, money } from './fmt.js';
import { $, table, actionForm, gates } from './ui.js';

export default async function products(root) {
  root.innerHTML = `<div class="toolbar"><h1>Products</h1>
      <label>Prefix <input id="p-prefix" size="10" placeholder="BOLT"></label></div>
    <p class="error" id="p-error" role="alert"></p>
    <div class="split">
      <div id="p-list" class="list"></div>
      <div class="detail">
        <form class="card" id="f-receive"><h3>Receive stock</h3>
          <label>SKU <input name="sku" required list="p-skus"></label>
          <label>Quantity <input name="qty" inputmode="numeric" required></label>
          <button type="submit" data-gate="warehouse">Receive</button><p class="error" role="alert"></p><p class="ok"></p></form>
        <form class="card" id="f-stocktake"><h3>Stocktake</h3>
          <label>SKU <input name="sku" required list="p-skus"></label>
          <label>Counted on hand <input name="on_hand" inputmode="numeric" required></label>
          <button type="submit" data-gate="warehouse">Record count</button><p class="error" role="alert"></p><p class="ok"></p></form>
        <datalist id="p-skus"></datalist>
      </div>
    </div>`;
  gates(root);
  const load = async () => {
    try {
      const r = await api.get('/products', { prefix: $(root, '#p-prefix').value.trim(), limit: 1000 });
      $(root, '#p-list').innerHTML = table([
        { label: 'SKU', get: (p) => esc(p.sku) },
        { label: 'Name', get: (p) => esc(p.name) },
        { label: 'Price', num: true, get: (p) => esc(money(p.price)) },
        { label: 'On hand', num: true, get: (p) => int(p.on_hand) },
        { label: 'Reserved', num: true, get: (p) => int(p.reserved) },
        { label: 'Available', num: true, get: (p) => int(p.available) },
      ], r.products, { rowAttrs: (p) => `data-sku="${esc(p.sku)}"` });
      $(root, '#p-skus').innerHTML = r.products.map((p) => `<option value="${esc(p.sku)}">`).join('');
      $(root, '#p-error').textContent = '';
    } catch (e) { $(root, '#p-error').textContent = e.message; }
  };
  const count = (text, what) => {
    const t = String(text).trim().replace(/[\s,]/g, '');
    if (!/^\d+$/.test(t)) throw new Error(`${what} must be a whole number.`);
    return Number(t);
  };
  actionForm($(root, '#f-receive'), (v) => api.post(`/products/${api.enc(v.sku.trim())}/receipts`,
    { qty: count(v.qty, 'The quantity') }), (r) => { load(); return `${r.sku}: on hand ${int(r.on_hand)}.`; });
  actionForm($(root, '#f-stocktake'), (v) => api.post(`/products/${api.enc(v.sku.trim())}/adjustments`,
    { on_hand: count(v.on_hand, 'The count') }), (r) => { load(); return `${r.sku}: on hand ${int(r.on_hand)}.`; });
  $(root, '#p-prefix').addEventListener('input', load);
  await load();
  return null;
}
