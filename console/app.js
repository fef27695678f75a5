// The credit desk (docs/console.md): sign-in, navigation between pages by the URL's hash.
import * as api from './api.js';
import * as auth from './auth.js';
import { esc } from './fmt.js';
import queue from './queue.js';
import customer from './customer.js';
import order from './order.js';
import products from './products.js';
import today from './today.js';

const pages = { queue, customer, order, products, today };
const $ = (id) => document.getElementById(id);
let stop = null;  // the current page's cleanup (timers)

async function whoami(k) {
  return api.call('GET', '/whoami', undefined, k);
}

function showSignin(message = '') {
  $('signin').hidden = false;
  $('nav').hidden = $('who').hidden = $('signout').hidden = true;
  $('page').replaceChildren();
  $('signin-error').textContent = message;
  $('key').focus();
}

async function route() {
  if (stop) { stop(); stop = null; }
  if (!api.key()) return showSignin();
  const [, name = 'queue', ...rest] = location.hash.split('/');
  const page = pages[name] || queue;
  for (const a of document.querySelectorAll('#nav a'))
    a.classList.toggle('active', a.dataset.page === (pages[name] ? name : 'queue'));
  const root = document.createElement('section');
  root.className = `page page-${name}`;
  $('page').replaceChildren(root);
  stop = (await page(root, rest.map(decodeURIComponent))) || null;
}

async function signedIn() {
  const who = await whoami(api.key());
  auth.set(who);
  $('signin').hidden = true;
  $('nav').hidden = $('who').hidden = $('signout').hidden = false;
  $('who').innerHTML = `<b id="who-principal">${esc(who.principal)}</b>
    <span id="who-roles">${esc(who.roles.join(', '))}</span>
    <span id="who-level" class="badge">level ${who.level}</span>`;
  await route();
}

$('signin-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const k = $('key').value.trim();
  try {
    await whoami(k);
    api.setKey(k);
    $('key').value = '';
    await signedIn();
  } catch (e) {
    showSignin(e.status === 401 ? `Sign-in refused: ${e.message}` : e.message);
  }
});
$('signout').addEventListener('click', () => {
  api.setKey(null);
  if (stop) { stop(); stop = null; }
  location.hash = '';
  showSignin('Signed out.');
});
window.addEventListener('hashchange', () => { if (api.key()) route(); });

if (api.key()) signedIn().catch((e) => { api.setKey(null); showSignin(e.message); });
else showSignin();
