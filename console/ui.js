// Small DOM helpers shared by the pages.
import { esc, money } from './fmt.js';
import * as auth from './auth.js';

export const $ = (root, sel) => root.querySelector(sel);
export const $$ = (root, sel) => [...root.querySelectorAll(sel)];

export function html(el, text) {
  el.innerHTML = text;
  return el;
}

// A table: cols = [{label, num?, get(row) -> html}]
export function table(cols, rows, { empty = 'Nothing here.', rowAttrs = () => '' } = {}) {
  if (!rows.length) return `<p class="empty">${esc(empty)}</p>`;
  const head = cols.map((c) => `<th${c.num ? ' class="num"' : ''}>${esc(c.label)}</th>`).join('');
  const body = rows.map((r, i) => `<tr ${rowAttrs(r, i)}>${cols
    .map((c) => `<td${c.num ? ' class="num"' : ''}>${c.get(r)}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}
export const moneyCell = (minor) => esc(money(minor));

// Wires a form: on submit runs `action(values)`; shows the server's error.message in the form's
// .error (the fields keep what was typed) or `done(result)`'s text in .ok.
export function actionForm(form, action, done) {
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const button = ev.submitter || form.querySelector('button[type=submit]');
    const err = form.querySelector('.error');
    const ok = form.querySelector('.ok');
    err.textContent = ''; if (ok) ok.textContent = '';
    const values = Object.fromEntries(new FormData(form).entries());
    values._button = button?.value || '';
    form.setAttribute('aria-busy', 'true');
    try {
      const result = await action(values);
      if (ok) ok.textContent = done ? done(result) : 'Done.';
    } catch (e) {
      err.textContent = e.message;
    } finally {
      form.removeAttribute('aria-busy');
    }
  });
}

// Applies auth gates: [data-gate] elements ask auth[gate]().
export function gates(root) {
  for (const el of $$(root, '[data-gate]')) auth.gate(el, auth[el.dataset.gate]());
}
