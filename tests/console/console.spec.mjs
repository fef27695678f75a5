// The credit desk console in Debian's chromium (docs/console.md), driven by playwright-core.
// Run by console_test.sh, which starts the server and seeds two held orders:
//   BASE (http://127.0.0.1:port), ABOVE (held OVERDUE, level 2), WITHIN (held CREDIT_LIMIT,
//   level 1), SHOTS (screenshot dir), CHROMIUM (the browser), OUT (written: the released order).
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';

const { BASE, ABOVE, WITHIN, SHOTS, CHROMIUM, OUT } = process.env;
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const problems = [];  // console errors, page errors, failed or refused requests (good paths)
let step = '';

async function api(key, path, init = {}) {
  const r = await fetch(`${BASE}/v1${path}`, { ...init, headers: { Authorization: `Bearer ${key}`,
    'Content-Type': 'application/json' } });
  return r.json();
}

// A browser context (its own sessionStorage) signed in with `key`; watches for problems.
async function signIn(key, { viewport = { width: 1366, height: 768 }, watch = true } = {}) {
  const context = await browser.newContext({ viewport, acceptDownloads: true, locale: 'en-US' });
  const page = await context.newPage();
  if (watch) {
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`${step}: console: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`${step}: page error: ${e.message}`));
    page.on('requestfailed', (r) => {
      // Polls cut short by navigating away are aborted by the browser, not failed by the server.
      if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`${step}: request failed: ${r.url()} ${r.failure()?.errorText}`);
    });
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`${step}: ${r.status()} ${r.url()}`); });
  }
  await page.goto(`${BASE}/console/`);
  await page.fill('#key', key);
  await page.click('#signin-form button[type=submit]');
  return { context, page };
}
const shot = (page, name) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: false });
const text = (page, sel) => page.locator(sel).innerText();
// Waits until the first element matching `sel` contains `want` (or equals it with {exact}).
const waitText = (page, sel, want, { exact = false } = {}) => page.waitForFunction(
  ([s, w, e]) => { const t = document.querySelector(s)?.textContent.trim(); return t != null && (e ? t === w : t.includes(w)); },
  [sel, want, exact], { timeout: 10000 });

async function run(name, fn) {
  step = name;
  const t = Date.now();
  await fn();
  console.log(`ok: ${name} (${Date.now() - t} ms)`);
}

try {
  await run('a bad key is refused', async () => {
    const { context, page } = await signIn('not-a-key', { watch: false });
    await waitText(page, '#signin-error', 'unknown key');
    assert.equal(await page.locator('#nav').isVisible(), false, 'nav shown after a refused sign-in');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('credo.key')), null);
    await shot(page, 'signin-refused');
    await context.close();
  });

  const clerk = await signIn('demo-credit');
  await run('the credit clerk signs in and sees who they are', async () => {
    const { page } = clerk;
    await waitText(page, '#who-principal', 'maria-credit');
    assert.equal(await text(page, '#who-roles'), 'credit');
    assert.equal(await text(page, '#who-level'), 'level 1');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('credo.key')), 'demo-credit');
    assert.equal(await page.evaluate(() => localStorage.length), 0, 'nothing in localStorage');
  });

  await run('the queue lists the held orders oldest first, with keyboard navigation', async () => {
    const { page } = clerk;
    await page.locator(`tr[data-order="${WITHIN}"]`).waitFor();
    const rows = await page.locator('#q-list tr[data-order]').evaluateAll((trs) => trs.map((t) => t.dataset.order));
    assert.deepEqual(rows, [ABOVE, WITHIN], 'oldest first');
    const total = await page.locator(`tr[data-order="${WITHIN}"] td.num`).first().innerText();
    assert.equal(total, '49,250.00', 'money with separators and two decimals');
    assert.equal(await page.locator(`tr[data-order="${WITHIN}"] td.num`).first()
      .evaluate((td) => getComputedStyle(td).textAlign), 'right');
    await page.focus('#q-list');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await waitText(page, '#q-detail h2', `Order ${ABOVE}`);
    await waitText(page, '#q-detail', 'Overdue items');
    await waitText(page, '#q-missing', 'OVERDUE: level 2');
  });

  await run('releasing above the clerk\'s level is not offered, and the page says why', async () => {
    const { page } = clerk;
    const release = page.locator('#q-actions button[value=release]');
    assert.equal(await release.isDisabled(), true);
    assert.equal(await release.getAttribute('title'), 'needs level 2');
    await waitText(page, '#q-actions .why', 'Release: needs level 2');
    await shot(page, 'queue');
    // The server agrees: the same release over the protocol is FORBIDDEN and changes nothing.
    const r = await api('demo-credit', `/orders/${ABOVE}/release`, { method: 'POST', body: '{}' });
    assert.equal(r.error.code, 'FORBIDDEN');
  });

  await run('the clerk releases an order within their level', async () => {
    const { page } = clerk;
    await page.click(`tr[data-order="${WITHIN}"] td:nth-child(3)`);
    await waitText(page, '#q-detail h2', `Order ${WITHIN}`);
    await page.locator('#q-detail .exposure svg').waitFor();
    const release = page.locator('#q-actions button[value=release]');
    assert.equal(await release.isDisabled(), false);
    await page.fill('#q-actions textarea[name=note]', 'customer paid by phone, confirmed');
    await release.click();
    await waitText(page, '#q-detail .ok', `Order ${WITHIN} is accepted`);
    await page.locator(`tr[data-order="${WITHIN}"]`).waitFor({ state: 'detached' });
    const o = await api('demo-credit', `/orders/${WITHIN}`);
    assert.equal(o.status, 'accepted');
    const ev = o.events.find((e) => e.event === 'released');
    assert.equal(ev.by, 'maria-credit');
    assert.equal(ev.text, 'customer paid by phone, confirmed');
    writeFileSync(OUT, String(WITHIN));
  });

  await run('the queue on a tablet', async () => {
    const tablet = await signIn('demo-credit-2', { viewport: { width: 820, height: 1180 } });
    await tablet.page.locator(`tr[data-order="${ABOVE}"] td:nth-child(3)`).click();
    const release = tablet.page.locator('#q-actions button[value=release]');
    await release.waitFor();
    assert.equal(await release.isDisabled(), false, 'level 2 may release OVERDUE');
    await shot(tablet.page, 'queue-tablet');
    await tablet.context.close();
  });

  await run('order lookup by number and by client order id, with the timeline', async () => {
    const { page } = clerk;
    await page.click('nav a[data-page=order]');
    await page.fill('#o-form input[name=customer]', 'C1003');
    await page.fill('#o-form input[name=client_order_id]', 'CON-2');
    await page.click('#o-form button[type=submit]');
    await waitText(page, '#o-timeline', 'released');
    assert.equal(await text(page, '#o-status'), 'accepted');
    await shot(page, 'order');
    await page.fill('#o-form input[name=order_no]', '999999');
    await page.click('#o-form button[type=submit]');
    await waitText(page, '#o-form .error', 'order');
  });
  problems.splice(0, problems.length, ...problems.filter((p) => !/404 .*\/v1\/orders\/999999/.test(p)
    && !/status of 404/.test(p)));
  await clerk.context.close();

  const finance = await signIn('demo-finance');
  let csvPath;
  await run('finance records a payment and the aging changes', async () => {
    const { page } = finance;
    await waitText(page, '#who-principal', 'fiona-finance');
    await page.goto(`${BASE}/console/#/customer/C1004`);
    await page.locator('#c-aging-total').waitFor();
    assert.equal(await text(page, '#c-aging-total'), '1,849.00');
    assert.equal(await page.locator('#f-credit button').isDisabled(), true);
    assert.equal(await page.locator('#f-credit button').getAttribute('title'), "needs the role 'credit'");
    await page.fill('#f-payment input[name=amount]', '1,000.00');
    await page.fill('#f-payment input[name=payment_ref]', 'BANK-CON-1');
    await page.click('#f-payment button');
    await waitText(page, '#f-payment .ok', 'recorded');
    await waitText(page, '#c-aging-total', '849.00', { exact: true });
    const aging = await api('demo-finance', '/reports/aging?customer=C1004');
    assert.equal(aging.total, 84900);
  });

  await run('a refused payment keeps the form filled and shows the server\'s message', async () => {
    const { page } = finance;
    await page.fill('#f-payment input[name=amount]', '2.00');
    await page.fill('#f-payment input[name=payment_ref]', 'BANK-CON-1');
    await page.click('#f-payment button');
    await page.locator('#f-payment .error').waitFor();
    assert.match(await text(page, '#f-payment .error'), /payment_ref|already|duplicate/i);
    assert.equal(await page.inputValue('#f-payment input[name=amount]'), '2.00');
    assert.equal(await page.inputValue('#f-payment input[name=payment_ref]'), 'BANK-CON-1');
  });
  problems.splice(0, problems.length, ...problems.filter((p) => !/409 .*\/payments/.test(p) && !/status of 409/.test(p)));

  await run('the statement\'s CSV is the protocol\'s statement', async () => {
    const { page } = finance;
    await page.fill('#f-statement input[name=from]', '2025-11-01');
    await page.fill('#f-statement input[name=to]', '2026-01-31');
    await page.click('#f-statement button[type=submit]');
    await waitText(page, '#s-closing', '849.00', { exact: true });
    await shot(page, 'customer');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#s-csv')]);
    csvPath = await download.path();
    const rows = readFileSync(csvPath, 'utf8').trimEnd().split('\r\n').map((l) => l.split(','));
    const s = await api('demo-finance', '/customers/C1004/statement?from=2025-11-01&to=2026-01-31');
    const minor = (t) => Math.round(Number(t) * 100);
    assert.deepEqual(rows[0], ['customer', 'from', 'to', 'type', 'date', 'number', 'ref', 'order_no', 'amount', 'balance']);
    assert.equal(minor(rows[1][9]), s.opening_balance);
    assert.equal(rows.length, s.entries.length + 3);
    s.entries.forEach((e, i) => {
      const r = rows[i + 2];
      assert.deepEqual([r[3], r[4], r[5], r[6], r[7]], [e.type, e.date, String(e.number ?? ''),
        e.ref ?? '', String(e.order_no ?? '')], `row ${i}`);
      assert.equal(minor(r[8]), e.amount);
      assert.equal(minor(r[9]), e.balance);
    });
    assert.equal(minor(rows.at(-1)[9]), s.closing_balance);
    assert.ok(s.entries.some((e) => e.type === 'payment' && e.ref === 'BANK-CON-1'));
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('.top').isVisible(), false, 'the print stylesheet hides the header');
    await shot(page, 'statement-print');
    await page.emulateMedia({ media: 'screen' });
  });
  await finance.context.close();

  const warehouse = await signIn('demo-warehouse');
  await run('the warehouse receives stock and takes stock', async () => {
    const { page } = warehouse;
    await page.click('nav a[data-page=products]');
    const onHand = page.locator('tr[data-sku="ANCHOR-10"] td.num').nth(1);
    await onHand.waitFor();
    const before = Number((await onHand.innerText()).replace(/,/g, ''));
    await page.fill('#f-receive input[name=sku]', 'ANCHOR-10');
    await page.fill('#f-receive input[name=qty]', '1,000');
    await page.click('#f-receive button');
    await waitText(page, '#f-receive .ok', 'ANCHOR-10');
    await waitText(page, 'tr[data-sku="ANCHOR-10"] td:nth-child(4)', (before + 1000).toLocaleString('en-US'), { exact: true });
    await page.fill('#f-stocktake input[name=sku]', 'ANCHOR-10');
    await page.fill('#f-stocktake input[name=on_hand]', '1500');
    await page.click('#f-stocktake button');
    await waitText(page, 'tr[data-sku="ANCHOR-10"] td:nth-child(4)', '1,500', { exact: true });
    assert.equal((await api('demo-warehouse', '/products/ANCHOR-10')).on_hand, 1500);
    await shot(page, 'products');
  });
  await run('today: the daily report and live metrics', async () => {
    const { page } = warehouse;
    await page.click('nav a[data-page=today]');
    await page.locator('#t-orders svg').waitFor();
    await waitText(page, '#t-latency', 'list_products');
    await page.locator('#t-rate svg polyline').waitFor({ timeout: 10000 });
    await shot(page, 'today');
    await page.click('#signout');
    await waitText(page, '#signin-error', 'Signed out');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('credo.key')), null);
  });
  await warehouse.context.close();

  step = 'end';
  assert.deepEqual(problems, [], 'console errors or failed requests on the pages');
  console.log('ok: no console errors or failed requests');
} finally {
  await browser.close();
}
