// Data hooks shared by the pages: REST loads, websocket channels, the URL
// query string, and the privacy mode.
import { useEffect, useState, useCallback } from './preact.js';
import { request } from '../lib/api.js';
import { subscribe } from '../lib/ws.js';
import { isRedacted } from '../lib/redact.js';

/** useApi(path) → {data, error, reload}; path null = do not load. */
export function useApi(path) {
  const [state, setState] = useState({ data: null, error: null });
  const [n, setN] = useState(0);
  useEffect(() => {
    if (!path) return undefined;
    let live = true;
    request(path).then((data) => live && setState({ data, error: null }))
      .catch((error) => live && setState({ data: null, error }));
    return () => { live = false; };
  }, [path, n]);
  return { ...state, reload: useCallback(() => setN((x) => x + 1), []) };
}

/** useChannel(name) → latest data of a websocket channel (null until the first message). */
export function useChannel(name) {
  const [data, setData] = useState(null);
  useEffect(() => {
    if (!name) return undefined;
    setData(null);
    return subscribe(name, (d) => setData(d));
  }, [name]);
  return data;
}

/** useQueryParam(key, fallback) → [value, set]; set replaces the URL so it stays bookmarkable. */
export function useQueryParam(key, fallback = '') {
  const read = () => new URLSearchParams(window.location.search).get(key) ?? fallback;
  const [value, setValue] = useState(read);
  const set = useCallback((v) => {
    const u = new URL(window.location.href);
    if (v === fallback || v === '' || v === null) u.searchParams.delete(key); else u.searchParams.set(key, v);
    window.history.replaceState(null, '', u);
    setValue(v);
  }, [key, fallback]);
  return [value, set];
}

/** useRedacted() → current privacy mode; re-renders on change (charts mask labels). */
export function useRedacted() {
  const [on, setOn] = useState(isRedacted());
  useEffect(() => {
    const f = () => setOn(isRedacted());
    window.addEventListener('redact-change', f);
    return () => window.removeEventListener('redact-change', f);
  }, []);
  return on;
}
