// One node: figures, history charts, children and the circuits attached
// directly to it. Live over the "node:<id>" channel.
import { html, useMemo } from '../ui/preact.js';
import { useApi, useChannel, useQueryParam } from '../ui/hooks.js';
import { mountPage, nodeHref, circuitHref } from '../ui/page.js';
import { DataTable } from '../ui/table.js';
import { HistoryCharts } from '../ui/history.js';
import { PageHeader, UtilBar, ErrorBox, Loading, R, Stat, Breadcrumb } from '../ui/widgets.js';
import * as fmt from '../lib/fmt.js';

const childCols = [
  { key: 'name', label: 'Node', cell: (n) => html`<a href=${nodeHref(n.id)} class="child-link"><${R}>${n.name}<//></a>${n.generated ? html` <span class="badge text-bg-info">generated</span>` : null}`, sort: (n) => n.name.toLowerCase() },
  { key: 'circuits', label: 'Circuits', num: true },
  { key: 'down', label: '⬇ Down', num: true, sort: (n) => n.live.bps.down, cell: (n) => html`<span class="live">${fmt.bps(n.live.bps.down)}</span>` },
  { key: 'up', label: '⬆ Up', num: true, sort: (n) => n.live.bps.up, cell: (n) => html`<span class="live">${fmt.bps(n.live.bps.up)}</span>` },
  { key: 'util', label: 'Utilisation ⬇', num: true, sort: (n) => n.live.bps.down / Math.max(1, n.max_mbps.down), cell: (n) => html`<${UtilBar} bps=${n.live.bps.down} maxMbps=${n.max_mbps.down} />` },
  { key: 'rtt', label: 'RTT p50', num: true, sort: (n) => n.live.rtt_p50_ms, cell: (n) => html`<span class="live">${fmt.ms(n.live.rtt_p50_ms)}</span>` },
  { key: 'retx', label: 'Retx %', num: true, sort: (n) => n.live.retx_pct.down, cell: (n) => html`<span class="live">${fmt.pct(n.live.retx_pct.down)}</span>` },
];

const circuitCols = [
  { key: 'name', label: 'Circuit', cell: (c) => html`<a href=${circuitHref(c.id)} class="circuit-link"><${R}>${c.name}<//></a>`, sort: (c) => c.name.toLowerCase() },
  { key: 'ip', label: 'IP', sort: (c) => c.ips[0] || '', cell: (c) => html`<${R} class="font-monospace small">${c.ips[0] || ''}<//>${c.ips.length > 1 ? html` <span class="small text-body-secondary" title=${c.ips.join(', ')}>+${c.ips.length - 1}</span>` : null}` },
  { key: 'plan', label: 'Plan (Mbps)', num: true, sort: (c) => c.max_mbps.down, cell: (c) => `${c.max_mbps.down} / ${c.max_mbps.up}` },
  { key: 'down', label: '⬇ Down', num: true, sort: (c) => c.live.bps.down, cell: (c) => html`<span class="live">${fmt.bps(c.live.bps.down)}</span>` },
  { key: 'up', label: '⬆ Up', num: true, sort: (c) => c.live.bps.up, cell: (c) => html`<span class="live">${fmt.bps(c.live.bps.up)}</span>` },
  { key: 'rtt', label: 'RTT', num: true, sort: (c) => c.live.rtt_ms, cell: (c) => html`<span class="live">${c.live.rtt_ms ? fmt.ms(c.live.rtt_ms) : '–'}</span>` },
  { key: 'retx', label: 'Retx %', num: true, sort: (c) => c.live.retx_pct.down, cell: (c) => html`<span class="live">${fmt.pct(c.live.retx_pct.down)}</span>` },
];

function NodePage() {
  const [id] = useQueryParam('id', '');
  const [range, setRange] = useQueryParam('range', '5m');
  const { data, error } = useApi(id ? `/api/node?id=${encodeURIComponent(id)}` : null);
  const live = useChannel(data ? `node:${data.node.id}` : null);
  /** @type {import('../api-types').NodeView} */
  const v = live || data;
  const latest = useMemo(() => (live ? [Date.now(), live.node.live.bps.down, live.node.live.bps.up, live.node.live.rtt_p50_ms, Math.max(live.node.live.retx_pct.down, live.node.live.retx_pct.up)] : null), [live]);
  if (!id) return html`<${PageHeader} title="Node" /><div class="alert alert-warning">No node given. Pick one in the <a href="/tree.html">network tree</a>.</div>`;
  if (error) return html`<${PageHeader} title="Node" /><${ErrorBox} error=${error} />`;
  if (!v) return html`<${PageHeader} title="Node" /><${Loading} />`;
  const n = v.node;
  const l = n.live;
  return html`<${Breadcrumb} path=${v.path} />
    <${PageHeader} title=${html`<${R}>${n.name}<//>`}>
      ${n.parent === -1 ? html`<span class="badge text-bg-secondary">top-level</span>` : null}
      ${n.generated ? html`<span class="badge text-bg-info">generated</span>` : null}
      ${n.type ? html`<span class="badge text-bg-dark border">${n.type}</span>` : null}
      ${n.cpu >= 0 ? html`<a class="badge text-bg-dark border" href="/cpu.html">CPU ${n.cpu}</a>` : null}
    <//>
    <div class="row g-3 mb-3" id="node-stats">
      <${Stat} label="⬇ Download" id="node-down" value=${fmt.bps(l.bps.down)} sub=${html`<${UtilBar} bps=${l.bps.down} maxMbps=${n.max_mbps.down} /> of ${fmt.mbps(n.max_mbps.down)}`} />
      <${Stat} label="⬆ Upload" id="node-up" value=${fmt.bps(l.bps.up)} sub=${html`<${UtilBar} bps=${l.bps.up} maxMbps=${n.max_mbps.up} /> of ${fmt.mbps(n.max_mbps.up)}`} />
      <${Stat} label="RTT p50 / p90" id="node-rtt" value=${`${fmt.ms(l.rtt_p50_ms)} / ${fmt.ms(l.rtt_p90_ms)}`} />
      <${Stat} label="TCP retransmits" id="node-retx" value=${`${fmt.pct(l.retx_pct.down)} / ${fmt.pct(l.retx_pct.up)}`} sub="download / upload" />
      <${Stat} label="Drops / ECN marks" id="node-drops" value=${`${fmt.count(l.drops.down + l.drops.up)} / ${fmt.count(l.marks.down + l.marks.up)}`} sub="node queue, both ways" />
      <${Stat} label="Circuits below" id="node-circuits" value=${fmt.count(n.circuits)} />
    </div>
    <${HistoryCharts} kind="node" id=${n.id} initial=${data && data.history} latest=${latest} limitMbps=${n.max_mbps} range=${range} setRange=${setRange} />
    <div class="card mb-3"><div class="card-header">Children (${v.children.length})</div>
      <${DataTable} id="children-table" columns=${childCols} rows=${v.children} rowKey=${(c) => c.id} sort="name" empty="No child nodes." /></div>
    <div class="card mb-3"><div class="card-header">Circuits attached directly (${v.circuits.length})</div>
      <${DataTable} id="node-circuits-table" columns=${circuitCols} rows=${v.circuits} rowKey=${(c) => c.id} sort="down" desc=${true} pageSize=${50} empty="No circuits attached directly to this node." /></div>`;
}

mountPage(NodePage);
