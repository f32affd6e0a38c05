// Throughput, RTT and retransmit charts of a node or circuit with a time
// range selector. The 5-minute view grows from the live channel; longer
// ranges come from the server's minute averages.
import { html, useEffect, useMemo, useState } from './preact.js';
import { request } from '../lib/api.js';
import { Chart, timeOption, colors } from './chart.js';
import * as fmt from '../lib/fmt.js';

const RANGES = [['5m', 'Live 5 min'], ['1h', '1 hour'], ['24h', '24 hours']];
const KEEP = 300;

/**
 * HistoryCharts({kind, id, initial, latest, limitMbps})
 * initial: History from the page's REST load; latest: [ms, down, up, rtt, retx]
 * of the newest live message (appended in the 5-minute view).
 */
export function HistoryCharts({ kind, id, initial, latest, limitMbps, range, setRange }) {
  const [points, setPoints] = useState(initial ? initial.points : []);
  useEffect(() => {
    if (range === '5m' && initial) { setPoints(initial.points); return undefined; }
    let live = true;
    request(`/api/history?kind=${kind}&id=${encodeURIComponent(id)}&range=${range}`)
      .then((h) => live && setPoints(h.points)).catch(() => {});
    return () => { live = false; };
  }, [kind, id, range]);
  useEffect(() => {
    if (range !== '5m' || !latest) return;
    setPoints((p) => {
      if (p.length && p[p.length - 1][0] >= latest[0]) return p;
      const out = [...p, latest];
      return out.length > KEEP ? out.slice(out.length - KEEP) : out;
    });
  }, [latest && latest[0]]);

  const opts = useMemo(() => {
    const col = (i) => points.map((p) => [p[0], p[i]]);
    const tp = [{ name: 'Download', data: col(1), color: colors.down, area: true }, { name: 'Upload', data: col(2), color: colors.up, area: true }];
    if (limitMbps && points.length) {
      const ends = [points[0][0], points[points.length - 1][0]];
      tp.push({ name: 'Limit ⬇', data: ends.map((t) => [t, limitMbps.down * 1e6]), color: colors.down, dashed: true });
      tp.push({ name: 'Limit ⬆', data: ends.map((t) => [t, limitMbps.up * 1e6]), color: colors.up, dashed: true });
    }
    return {
      tp: timeOption(tp),
      rtt: timeOption([{ name: 'Median RTT', data: col(3), color: colors.rtt }], fmt.ms),
      retx: timeOption([{ name: 'Retransmits', data: col(4), color: colors.retx }], fmt.pct),
    };
  }, [points, limitMbps]);
  const last = points[points.length - 1];
  const summary = (i, f) => (last ? `Latest ${f(last[i])} at ${fmt.dateTime(new Date(last[0]))}; ${points.length} samples.` : 'No samples yet.');

  return html`<div class="card mb-3"><div class="card-header d-flex flex-wrap align-items-center gap-2">
      <span class="me-auto">History</span>
      <div class="btn-group btn-group-sm" role="group" aria-label="Time range" id="range-select">
        ${RANGES.map(([k, label]) => html`<button type="button" class=${`btn ${range === k ? 'btn-primary' : 'btn-outline-secondary'}`}
          aria-pressed=${range === k ? 'true' : 'false'} data-range=${k} onClick=${() => setRange(k)}>${label}</button>`)}
      </div></div>
    <div class="card-body"><div class="row g-3">
      <div class="col-lg-6"><h2 class="h6">Throughput${limitMbps ? ' against the limit' : ''}</h2>
        <${Chart} id="chart-throughput" option=${opts.tp} label="Throughput over time, download and upload" summary=${last ? `Latest download ${fmt.bps(last[1])}, upload ${fmt.bps(last[2])}; ${points.length} samples.` : 'No samples yet.'} /></div>
      <div class="col-lg-3 col-md-6"><h2 class="h6">Median RTT</h2>
        <${Chart} id="chart-rtt" option=${opts.rtt} label="Median round-trip time over time" summary=${summary(3, fmt.ms)} /></div>
      <div class="col-lg-3 col-md-6"><h2 class="h6">TCP retransmits</h2>
        <${Chart} id="chart-retx" option=${opts.retx} label="TCP retransmit percentage over time" summary=${summary(4, fmt.pct)} /></div>
    </div><p class="small text-body-secondary mb-0 mt-2" id="history-count">${points.length} samples${range === '5m' ? ' · 1 s' : ' · 1 min averages'}</p></div></div>`;
}
