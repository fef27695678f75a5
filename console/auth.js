// What the signed-in principal may do, mirroring the server's rules (docs/protocol.md
// "Authentication and roles"): each check answers null (allowed) or the reason it is not, shown
// as the disabled control's title. The server still decides; this only saves a refused click.
export const me = { principal: '', roles: [], level: 0 };

const CREDIT_REASONS = new Set(['CREDIT_LIMIT', 'CREDIT_GRADE', 'OVERDUE', 'CUSTOMER_ON_HOLD']);
const has = (role) => me.roles.includes(role) || me.roles.includes('admin');

export function set(who) {
  me.principal = who.principal;
  me.roles = who.roles;
  me.level = who.level;
}

// May the principal approve this open reason ({code, required_level})?
export function approveReason(order, r) {
  if (order.submitted_by && order.submitted_by === me.principal) return 'you submitted this order';
  const role = CREDIT_REASONS.has(r.code) ? 'credit' : 'order';
  if (!has(role)) return `${r.code} is approved by the role '${role}'`;
  if (me.level < r.required_level) return `needs level ${r.required_level}`;
  return null;
}
// release_order approves every open reason at once.
export function release(order) {
  for (const r of order.open_reasons || order.reasons || []) {
    const why = approveReason(order, r);
    if (why) return why;
  }
  return null;
}
export function approveAny(order) {
  const rs = order.open_reasons || order.reasons || [];
  const whys = rs.map((r) => approveReason(order, r));
  return whys.some((w) => w === null) ? null : whys[0] || 'nothing to approve';
}
export const reject = () => (has('credit') ? null : "needs the role 'credit'");
export const credit = () => (has('credit') ? null : "needs the role 'credit'");
export const finance = () => (has('finance') ? null : "needs the role 'finance'");
export const writeOff = () => (has('finance') ? null : "needs the role 'finance'");
export const warehouse = () => (has('warehouse') ? null : "needs the role 'warehouse'");

// Disables `el` with the reason as its title (or enables it).
export function gate(el, why) {
  if (!el) return;
  el.disabled = !!why;
  el.title = why || '';
  if (why) el.dataset.why = why; else delete el.dataset.why;
}
