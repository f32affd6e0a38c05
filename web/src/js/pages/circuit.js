// One circuit: devices, plan, parent chain, live charts against the plan,
// queue statistics and current flows. Live over "circuit:<id>".
import { html, useMemo } from '../ui/preact.js';
import { useApi, useChannel, useQueryParam } from '../ui/hooks.js';
import { mountPage } from '../ui/page.js';
import { DataTable } from '../ui/table.js';
import { HistoryCharts } from '../ui/history.js';
import { PageHeader, ErrorBox, Loading, R, Stat, Breadcrumb } from '../ui/widgets.js';
import * as fmt from '../lib/fmt.js';

const deviceCols = [
  { key: 'device_name', label: 'Device', cell: (d) => html`<${R}>${d.device_name}<//>` },
  { key: 'device_id', label: 'Device ID', cell: (d) => html`<${R} class="small">${d.device_id}<//>` },
  { key: 'mac', label: 'MAC', cell: (d) => html`<${R} class="font-monospace small">${d.mac || '–'}<//>` },
  { key: 'ips', label: 'IPs', sort: (d) => (d.ipv4 || [])[0] || '', cell: (d) => html`<${R} class="font-monospace small">${[...(d.ipv4 || []), ...(d.ipv6 || [])].join(', ')}<//>` },
  { key: 'plan', label: 'Plan min / max (Mbps)', num: true, sort: (d) => d.max_mbps.down, cell: (d) => `⬇ ${d.min_mbps.down}–${d.max_mbps.down} · ⬆ ${d.min_mbps.up}–${d.max_mbps.up}` },
];

const queueCols = [
  { key: 'dir', label: 'Direction', sort: false },
  { key: 'iface', label: 'Interface', sort: false },
  { key: 'class', label: 'HTB class', sort: false },
  { key: 'leaf', label: 'Leaf', sort: false },
  { key: 'backlog', label: 'Backlog', num: true, sort: false },
  { key: 'drops', label: 'Drops', num: true, sort: false },
  { key: 'marks', label: 'ECN marks', num: true, sort: false },
  { key: 'overlimits', label: 'Overlimits', num: true, sort: false },
  { key: 'sent', label: 'Sent', num: true, sort: false },
];

const flowCols = [
  { key: 'remote', label: 'Remote', sort: (f) => f.remote_ip, cell: (f) => html`<${R} class="font-monospace small">${f.remote_ip}${f.remote_port ? `:${f.remote_port}` : ''}<//>` },
  { key: 'local', label: 'Local', sort: (f) => f.local_ip, cell: (f) => html`<${R} class="font-monospace small">${f.local_ip}${f.local_port ? `:${f.local_port}` : ''}<//>` },
  { key: 'protocol', label: 'Protocol' },
  { key: 'down', label: '⬇ Bytes', num: true, sort: (f) => f.bytes.down, cell: (f) => fmt.bytes(f.bytes.down) },
  { key: 'up', label: '⬆ Bytes', num: true, sort: (f) => f.bytes.up, cell: (f) => fmt.bytes(f.bytes.up) },
  { key: 'rtt', label: 'RTT', num: true, sort: (f) => f.rtt_ms, cell: (f) => (f.rtt_ms ? fmt.ms(f.rtt_ms) : '–') },
  { key: 'retx', label: 'Retransmits', num: true, sort: (f) => f.retransmits.down + f.retransmits.up, cell: (f) => `${fmt.count(f.retransmits.down)} / ${fmt.count(f.retransmits.up)}` },
];

function queueRows(queues) {
  return queues.map((q, i) => ({
    key: i,
    dir: i === 0 ? 'Download' : 'Upload',
    iface: q.interface,
    class: html`<span class="font-monospace small">${q.class.handle}</span>`,
    leaf: html`<span class="font-monospace small">${q.leaf.handle} ${q.leaf.kind}</span>`,
    backlog: html`<span class="live">${fmt.bytes(q.leaf.backlog_bytes || q.class.backlog_bytes)} (${fmt.count(q.leaf.qlen || q.class.qlen)} pkts)</span>`,
    drops: html`<span class="live">${fmt.count(q.class.drops + q.leaf.drops)}</span>`,
    marks: html`<span class="live">${fmt.count(q.leaf.marks)}</span>`,
    overlimits: html`<span class="live">${fmt.count(q.class.overlimits)}</span>`,
    sent: html`<span class="live">${fmt.bytes(q.class.bytes)}</span>`,
  }));
}

function CircuitPage() {
  const [id] = useQueryParam('id', '');
  const [range, setRange] = useQueryParam('range', '5m');
  const { data, error } = useApi(id ? `/api/circuit?id=${encodeURIComponent(id)}` : null);
  const live = useChannel(data ? `circuit:${id}` : null);
  const latest = useMemo(() => (live ? [Date.now(), live.circuit.live.bps.down, live.circuit.live.bps.up, live.circuit.live.rtt_ms, Math.max(live.circuit.live.retx_pct.down, live.circuit.live.retx_pct.up)] : null), [live]);
  if (!id) return html`<${PageHeader} title="Circuit" /><div class="alert alert-warning">No circuit given. Pick one in <a href="/devices.html">Shaped Devices</a>.</div>`;
  if (error) return html`<${PageHeader} title="Circuit" /><${ErrorBox} error=${error} />`;
  if (!data) return html`<${PageHeader} title="Circuit" /><${Loading} />`;
  /** @type {import('../api-types').CircuitView} */
  const v = live ? { ...data, ...live, devices: data.devices } : data;
  const c = v.circuit;
  return html`<${Breadcrumb} path=${v.path} lastIsLink=${true} />
    <${PageHeader} title=${html`<${R}>${c.name}<//>`}>
      <span class="badge text-bg-dark border" id="circuit-id"><${R}>${c.id}<//></span>
      ${c.dynamic ? html`<span class="badge text-bg-info" id="circuit-dynamic" title="from a RADIUS accounting session">dynamic (RADIUS)</span>` : null}
      ${c.cpu >= 0 ? html`<a class="badge text-bg-dark border" href="/cpu.html">CPU ${c.cpu}</a>` : null}
    <//>
    <div class="row g-3 mb-3" id="circuit-stats">
      <${Stat} label="⬇ Download" id="circuit-down" value=${fmt.bps(c.live.bps.down)} sub=${`plan ${c.min_mbps.down}–${c.max_mbps.down} Mbps`} />
      <${Stat} label="⬆ Upload" id="circuit-up" value=${fmt.bps(c.live.bps.up)} sub=${`plan ${c.min_mbps.up}–${c.max_mbps.up} Mbps`} />
      <${Stat} label="Median RTT" id="circuit-rtt" value=${c.live.rtt_ms ? fmt.ms(c.live.rtt_ms) : '–'} />
      <${Stat} label="TCP retransmits" id="circuit-retx" value=${`${fmt.pct(c.live.retx_pct.down)} / ${fmt.pct(c.live.retx_pct.up)}`} sub="download / upload" />
      <${Stat} label="Devices" id="circuit-devices" value=${fmt.count(v.devices.length)} sub=${`${fmt.count(c.ips.length)} IPs`} />
      <${Stat} label="Last seen" id="circuit-seen" value=${html`<span class="fs-6">${fmt.time(c.live.last_seen)}</span>`} />
    </div>
    <${HistoryCharts} kind="circuit" id=${c.id} initial=${data.history} latest=${latest} limitMbps=${c.max_mbps} range=${range} setRange=${setRange} />
    <div class="card mb-3"><div class="card-header">Devices</div>
      <${DataTable} id="devices-table" columns=${deviceCols} rows=${v.devices} rowKey=${(d) => d.device_id} sort="device_name" /></div>
    <div class="card mb-3"><div class="card-header">Queues</div>
      <${DataTable} id="queues-table" columns=${queueCols} rows=${queueRows(v.queues)} rowKey=${(q) => q.key} empty="No queue: the circuit is not shaped (observe mode or not attached)." /></div>
    <div class="card mb-3"><div class="card-header">Current flows (${v.flows.length})</div>
      <${DataTable} id="flows-table" columns=${flowCols} rows=${v.flows} rowKey=${(f) => `${f.protocol}|${f.local_ip}|${f.local_port}|${f.remote_ip}|${f.remote_port}`} sort="down" desc=${true} pageSize=${50} empty="No flows right now." /></div>`;
}

mountPage(CircuitPage);
