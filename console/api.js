// The HTTP edge (docs/http.md): every call is an op under /v1 with the Bearer key.
const KEY = 'credo.key';

export class ApiError extends Error {
  constructor(error, status) {
    super(error?.message || `HTTP ${status}`);
    this.code = error?.code;
    this.field = error?.field;
    this.status = status;
  }
}

export const key = () => sessionStorage.getItem(KEY);
export const setKey = (k) => (k ? sessionStorage.setItem(KEY, k) : sessionStorage.removeItem(KEY));

export async function call(method, path, body, withKey = key()) {
  const headers = { Authorization: `Bearer ${withKey}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(`/v1${path}`, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store',
  });
  let j;
  try { j = await r.json(); } catch { throw new ApiError(null, r.status); }
  if (!j.ok) throw new ApiError(j.error, r.status);
  return j;
}
export const get = (path, query = {}) => {
  const q = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== '' && v != null));
  const s = q.toString();
  return call('GET', s ? `${path}?${s}` : path);
};
export const post = (path, body) => call('POST', path, body);
export const enc = encodeURIComponent;
