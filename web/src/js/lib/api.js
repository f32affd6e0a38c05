// REST helper: JSON in and out, CSRF header on state-changing calls, and a
// redirect to the login page when the session is gone.

let sessionPromise = null;

/** The current session ({username, role, csrf_token, node_name, version}). */
export function session() {
  if (!sessionPromise) {
    sessionPromise = request('/api/session').catch((e) => {
      sessionPromise = null;
      throw e;
    });
  }
  return sessionPromise;
}

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.reason = body && body.reason;
    this.body = body;
  }
}

/** request(path, {method, body}) → parsed JSON; throws ApiError. */
export async function request(path, { method = 'GET', body, redirectOn401 = true } = {}) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    if (path !== '/api/session') {
      const s = await session();
      headers['X-CSRF-Token'] = s.csrf_token;
    }
  }
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  let data = null;
  try { data = await res.json(); } catch { /* empty body */ }
  if (res.status === 401 && redirectOn401) {
    window.location.assign('/login.html');
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/** Unauthenticated JSON POST for the login and first-run pages. */
export async function postPublic(path, body) {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
    credentials: 'same-origin',
  });
  let data = null;
  try { data = await res.json(); } catch { /* empty body */ }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}
