// ASN Analysis: traffic, flows, median RTT and retransmits per autonomous
// system over a selectable window, sortable and searchable; a chart of the
// top ASes over time; click an AS for its current flows and the circuits
// that use it.
import { html, useEffect, useMemo, useState } from '../ui/preact.js';
import { useApi, useQueryParam, useRedacted } from '../ui/hooks.js';
import { mountPage, circuitHref } from '../ui/page.js';
import { DataTable } from '../ui/table.js';
import { Chart, axisColor } from '../ui/chart.js';
import { PageHeader, ErrorBox, Loading, R } from '../ui/widgets.js';
import { DataCredit } from '../ui/credit.js';
import * as fmt from '../lib/fmt.js';

const RANGES = [['5m', '5 min'], ['1h', '1 hour'], ['24h', '24 hours']];
const REFRESH_MS = 10000;
const PALETTE = ['#58a6ff', '#3fb950', '#d29922', '#f85149', '#a371f7', '#39c5cf', '#f778ba', '#8a8f98'];

const asLabel = (r) => `AS${r.asn}`;

function rowsColumns(select) {
  return [
    { key: 'asn', label: 'ASN', num: true, cell: (r) => html`<button type="button" class="btn btn-link btn-sm p-0 asn-link" onClick=${() => select(r.asn)}>${asLabel(r)}</button>` },
    { key: 'name', label: 'Name', sort: (r) => r.name.toLowerCase(), cell: (r) => r.name || html`<span class="text-body-secondary">unknown</span>` },
    { key: 'country', label: 'Country' },
    { key: 'bytes', label: 'Traffic ⬇ / ⬆', num: true, sort: (r) => r.bytes.down + r.bytes.up, cell: (r) => `${fmt.bytes(r.bytes.down)} / ${fmt.bytes(r.bytes.up)}` },
    { key: 'bps', label: 'Mean rate ⬇', num: true, sort: (r) => r.bps.down, cell: (r) => fmt.bps(r.bps.down) },
    { key: 'flows', label: 'Flows', num: true, title: 'Flows seen in the window' },
    { key: 'active_flows', label: 'Active', num: true, title: 'Flows active in the last minute' },
    { key: 'rtt_ms', label: 'Median RTT', num: true, cell: (r) => (r.rtt_ms ? fmt.ms(r.rtt_ms) : '–') },
    { key: 'retx', label: 'Retx % ⬇ / ⬆', num: true, sort: (r) => Math.max(r.retx_pct.down, r.retx_pct.up), cell: (r) => `${fmt.pct(r.retx_pct.down)} / ${fmt.pct(r.retx_pct.up)}` },
    { key: 'circuits', label: 'Circuits', num: true, title: 'Circuits with flows to this AS in the last minute' },
  ];
}

const flowCols = [
  { key: 'circuit', label: 'Circuit', sort: (f) => f.circuit_name, cell: (f) => (f.circuit_id ? html`<a href=${circuitHref(f.circuit_id)}><${R}>${f.circuit_name}<//></a>` : html`<span class="text-body-secondary">unshaped</span>`) },
  { key: 'remote', label: 'Remote', sort: (f) => f.remote_ip, cell: (f) => html`<${R} class="font-monospace small">${f.remote_ip}<//>${f.remote_port ? html`<span class="small text-body-secondary">:${f.remote_port}</span>` : null}` },
  { key: 'protocol', label: 'Protocol' },
  { key: 'place', label: 'Place', sort: (f) => `${f.country} ${f.city}`, cell: (f) => [f.city, f.country].filter(Boolean).join(', ') || '–' },
  { key: 'bytes', label: 'Bytes ⬇ / ⬆', num: true, sort: (f) => f.bytes.down + f.bytes.up, cell: (f) => `${fmt.bytes(f.bytes.down)} / ${fmt.bytes(f.bytes.up)}` },
  { key: 'rtt_ms', label: 'RTT', num: true, cell: (f) => (f.rtt_ms ? fmt.ms(f.rtt_ms) : '–') },
  { key: 'retx', label: 'Retx ⬇ / ⬆', num: true, sort: (f) => f.retransmits.down + f.retransmits.up, cell: (f) => `${f.retransmits.down} / ${f.retransmits.up}` },
  { key: 'duration_s', label: 'Duration', num: true, cell: (f) => `${Math.round(f.duration_s)} s` },
];

const circuitCols = [
  { key: 'name', label: 'Circuit', sort: (c) => c.name.toLowerCase(), cell: (c) => html`<a href=${circuitHref(c.id)} class="asn-circuit-link"><${R}>${c.name}<//></a>` },
  { key: 'flows', label: 'Flows', num: true },
  { key: 'bytes', label: 'Bytes ⬇ / ⬆', num: true, sort: (c) => c.bytes.down + c.bytes.up, cell: (c) => `${fmt.bytes(c.bytes.down)} / ${fmt.bytes(c.bytes.up)}` },
  { key: 'rtt_ms', label: 'Median RTT', num: true, cell: (c) => (c.rtt_ms ? fmt.ms(c.rtt_ms) : '–') },
];

/** @param {{view: import('../api-types').ASNView}} p */
function TopChart({ view }) {
  const option = useMemo(() => ({
    animation: false,
    grid: { left: 64, right: 16, top: 36, bottom: 26 },
    legend: { top: 0, type: 'scroll', textStyle: { color: axisColor } },
    tooltip: { trigger: 'axis', valueFormatter: (v) => fmt.bps(v) },
    xAxis: { type: 'time', axisLabel: { color: axisColor, hideOverlap: true, formatter: (v) => fmt.clock(v) } },
    yAxis: { type: 'value', min: 0, axisLabel: { color: axisColor, formatter: (v) => fmt.bpsShort(v) }, splitLine: { lineStyle: { color: '#333' } } },
    series: view.series.map((s, i) => ({ name: `AS${s.asn} ${s.name}`.slice(0, 40), type: 'line', showSymbol: view.times.length < 3, color: PALETTE[i % PALETTE.length],
      data: s.bps.map((v, k) => [view.times[k], v]) })),
  }), [view]);
  const top = view.series[0];
  return html`<${Chart} id="chart-top-asns" option=${option} cls="chart"
    label="Traffic of the busiest autonomous systems over time"
    summary=${top ? `Busiest: AS${top.asn} ${top.name}; ${view.series.length} ASes over ${view.times.length} buckets.` : 'No samples yet.'} />`;
}

function Detail({ asn, redact, onClose }) {
  const { data, error } = useApi(`/api/asn/flows?asn=${asn}${redact ? '&redact=1' : ''}`);
  /** @type {import('../api-types').ASNDetail} */
  const d = data;
  return html`<div class="card mb-3" id="asn-detail"><div class="card-header d-flex align-items-center gap-2">
      <span class="me-auto" id="asn-detail-title">AS${asn}${d && d.name ? ` ${d.name}` : ''}${d && d.country ? ` (${d.country})` : ''}</span>
      <button type="button" class="btn-close" aria-label="Close" onClick=${onClose}></button></div>
    <div class="card-body">${error ? html`<${ErrorBox} error=${error} />` : !d ? html`<${Loading} />` : html`
      <p class="small text-body-secondary">${fmt.count(d.total_flows)} flows in the last minute${d.total_flows > d.flows.length ? `; the busiest ${d.flows.length} are listed` : ''}; ${d.circuits.length} circuits use this AS.</p>
      <div class="row g-3"><div class="col-xl-8"><h2 class="h6">Flows</h2>
        <${DataTable} id="asn-flows-table" columns=${flowCols} rows=${d.flows} rowKey=${(f) => `${f.local_ip}|${f.remote_ip}|${f.remote_port}|${f.protocol}|${f.circuit_id}`} sort="bytes" desc=${true} pageSize=${25} empty="No flows to this AS in the last minute." /></div>
      <div class="col-xl-4"><h2 class="h6">Circuits using it</h2>
        <${DataTable} id="asn-circuits-table" columns=${circuitCols} rows=${d.circuits} rowKey=${(c) => c.id} sort="bytes" desc=${true} pageSize=${25} empty="No shaped circuit has flows to this AS." /></div></div>`}
    </div></div>`;
}

function ASNPage() {
  const [range, setRange] = useQueryParam('range', '5m');
  const [q, setQ] = useQueryParam('q', '');
  const [sel, setSel] = useQueryParam('asn', '');
  const [typed, setTyped] = useState(q);
  const redact = useRedacted();
  useEffect(() => { const t = setTimeout(() => setQ(typed.trim()), 250); return () => clearTimeout(t); }, [typed]);
  const { data, error, reload } = useApi(`/api/asn?range=${range}${q ? `&q=${encodeURIComponent(q)}` : ''}`);
  useEffect(() => {
    const t = setInterval(() => { if (!document.hidden) reload(); }, REFRESH_MS);
    return () => clearInterval(t);
  }, [reload]);
  /** @type {import('../api-types').ASNView} */
  const v = data;
  const cols = useMemo(() => rowsColumns((asn) => setSel(String(asn))), [setSel]);
  const header = html`<${PageHeader} title="ASN Analysis">
      <div class="btn-group btn-group-sm" role="group" aria-label="Window" id="asn-range">
        ${RANGES.map(([k, label]) => html`<button type="button" class=${`btn ${range === k ? 'btn-primary' : 'btn-outline-secondary'}`}
          aria-pressed=${range === k ? 'true' : 'false'} data-range=${k} onClick=${() => setRange(k)}>${label}</button>`)}
      </div>
      <input type="search" class="form-control form-control-sm w-auto" id="asn-search" placeholder="Find AS by name or number" aria-label="Find AS by name or number"
        value=${typed} onInput=${(e) => setTyped(e.currentTarget.value)} />
    <//>`;
  if (error) return html`${header}<${ErrorBox} error=${error} />`;
  if (!v) return html`${header}<${Loading} />`;
  const covered = v.window_seconds;
  return html`${header}
    <p class="small text-body-secondary" id="asn-summary">${fmt.count(v.matched)} autonomous systems${q ? ` matching “${q}”` : ''} over the last ${covered >= 60 ? `${Math.round(covered / 60)} min` : `${covered} s`} of the ${RANGES.find((r) => r[0] === range)[1]} window${v.matched > v.rows.length ? `; the busiest ${v.rows.length} are listed` : ''} · refreshed every 10 s</p>
    ${sel ? html`<${Detail} key=${`${sel}-${redact}`} asn=${sel} redact=${redact} onClose=${() => setSel('')} />` : null}
    <div class="card mb-3"><div class="card-header">Top ASes over time</div><div class="card-body"><${TopChart} view=${v} /></div></div>
    <div class="card mb-3"><div class="card-header">Autonomous systems</div>
      <${DataTable} id="asn-table" columns=${cols} rows=${v.rows} rowKey=${(r) => String(r.asn)} sort="bytes" desc=${true} pageSize=${50}
        rowClass=${(r) => (String(r.asn) === sel ? 'table-active' : null)} empty=${v.window_seconds === 0 ? 'No samples yet: the first figures appear within 10 seconds.' : 'No traffic to known autonomous systems in this window.'} /></div>
    <${DataCredit} files=${v.files} />`;
}

mountPage(ASNPage);
