// Number formatting helpers.

export function bps(v) {
  const units = ['bps', 'kbps', 'Mbps', 'Gbps', 'Tbps'];
  let i = 0;
  let n = Number(v) || 0;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  return `${n.toFixed(n < 10 && i > 0 ? 2 : 1)} ${units[i]}`;
}

export function count(v) {
  return (Number(v) || 0).toLocaleString('en-US');
}

export function pps(v) {
  const n = Number(v) || 0;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} Mpps`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kpps`;
  return `${n.toFixed(0)} pps`;
}

export function ms(v) {
  return `${(Number(v) || 0).toFixed(1)} ms`;
}

/** "3m ago" style age from seconds. */
export function ago(seconds) {
  if (seconds < 0) return 'never';
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86400)}d ago`;
}

/** Local time of an RFC 3339 string; "–" for Go's zero time. */
export function time(iso) {
  if (!iso || iso.startsWith('0001-')) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '–' : dateTime(d);
}

/** Compact rate for chart axes: "300M", "1.2G". */
export function bpsShort(v) {
  const n = Number(v) || 0;
  if (n >= 1e9) return `${+(n / 1e9).toFixed(1)}G`;
  if (n >= 1e6) return `${+(n / 1e6).toFixed(0)}M`;
  if (n >= 1e3) return `${+(n / 1e3).toFixed(0)}k`;
  return `${n}`;
}

/** Plan rate in Mbps: "100 Mbps", "1.5 Gbps". */
export function mbps(v) {
  const n = Number(v) || 0;
  return n >= 1000 ? `${+(n / 1000).toFixed(2)} Gbps` : `${n} Mbps`;
}

export function pct(v) {
  return `${(Number(v) || 0).toFixed(1)}%`;
}

export function bytes(v) {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  let n = Number(v) || 0;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

const pad = (n) => String(n).padStart(2, '0');

/** One date-time format everywhere: "2026-12-07 23:41:05" (local time). */
export function dateTime(d) {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Time of day for chart axes: "23:41:05". */
export function clock(ms) {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
