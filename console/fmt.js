// Formatting: money arrives in minor units (cents); shown with thousands separators and two
// decimals, right-aligned by the .num class. Dates and times in the browser's locale.
const moneyFmt = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const intFmt = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

export const money = (minor) => (minor == null ? '' : moneyFmt.format(minor / 100));
export const int = (n) => (n == null ? '' : intFmt.format(n));
export const date = (iso) => {
  if (!iso) return '';
  const d = iso.length === 10 ? new Date(iso + 'T00:00:00Z') : new Date(iso);
  return d.toLocaleDateString(undefined, { timeZone: 'UTC' });
};
export const dateTime = (iso) => (iso ? new Date(iso).toLocaleString(undefined, { timeZone: 'UTC' }) : '');
export const duration = (ms) => {
  const neg = ms < 0;
  let m = Math.floor(Math.abs(ms) / 60000);
  const d = Math.floor(m / 1440); m -= d * 1440;
  const h = Math.floor(m / 60); m -= h * 60;
  const s = d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : `${m}m`;
  return neg ? `-${s}` : s;
};
// Parses "1,234.50" (or "1234.5") into minor units; NaN when it is not a number.
export const parseMoney = (text) => {
  const t = String(text).trim().replace(/[\s,']/g, '');
  if (!/^\d+(\.\d{1,2})?$/.test(t)) return NaN;
  const [a, b = ''] = t.split('.');
  return Number(a) * 100 + Number((b + '00').slice(0, 2));
};
export const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
