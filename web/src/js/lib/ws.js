// One shared websocket per page with reference-counted subscriptions and
// reconnect (1 s doubling to 10 s). Subscriptions are re-sent on reconnect.

const handlers = new Map(); // channel → Set<fn>
let sock = null;
let backoff = 1000;
let timer = null;
const statusListeners = new Set();

function url() {
  const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${window.location.host}/ws`;
}

function send(msg) {
  if (sock && sock.readyState === WebSocket.OPEN) sock.send(JSON.stringify(msg));
}

let wasOpen = false;

// data-live on <html> is the connection state; data-stale is set while a
// connection that worked is down, so live figures dim (see app.css).
function setStatus(s) {
  document.documentElement.dataset.live = s;
  if (s === 'open') wasOpen = true;
  document.documentElement.dataset.stale = String(wasOpen && s !== 'open');
  for (const fn of statusListeners) fn(s);
}

function connect() {
  clearTimeout(timer);
  sock = new WebSocket(url());
  setStatus('connecting');
  sock.addEventListener('open', () => {
    backoff = 1000;
    setStatus('open');
    for (const ch of handlers.keys()) send({ type: 'subscribe', channel: ch });
  });
  sock.addEventListener('message', (ev) => {
    let m;
    try { m = JSON.parse(ev.data); } catch { return; }
    if (m.type === 'data') {
      for (const fn of handlers.get(m.channel) || []) {
        try { fn(m.data, m.ts); } catch (e) { console.error(e); }
      }
    }
  });
  sock.addEventListener('close', async (ev) => {
    sock = null;
    setStatus('closed');
    if (ev.reason === 'logged out' || ev.reason === 'session ended' || ev.reason === 'user removed') {
      window.location.assign('/login.html');
      return;
    }
    // A failed handshake may mean the session expired: ask REST, which
    // redirects to the login page on 401.
    try { await fetch('/api/session').then((r) => { if (r.status === 401) window.location.assign('/login.html'); }); } catch { /* offline */ }
    timer = setTimeout(connect, backoff);
    backoff = Math.min(backoff * 2, 10000);
  });
}

/** subscribe(channel, fn(data, tsMillis)) → unsubscribe function. */
export function subscribe(channel, fn) {
  let set = handlers.get(channel);
  if (!set) {
    set = new Set();
    handlers.set(channel, set);
    send({ type: 'subscribe', channel });
  }
  set.add(fn);
  if (!sock) connect();
  return () => {
    set.delete(fn);
    if (set.size === 0) {
      handlers.delete(channel);
      send({ type: 'unsubscribe', channel });
    }
  };
}

export function onStatus(fn) { statusListeners.add(fn); }
