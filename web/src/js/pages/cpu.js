// CPU Tree / CPU Weights: which branches sit on which CPU, the planner's
// weights, live load per CPU and the imbalance.
import { html } from '../ui/preact.js';
import { useApi, useChannel } from '../ui/hooks.js';
import { mountPage, nodeHref, circuitHref } from '../ui/page.js';
import { DataTable } from '../ui/table.js';
import { Chart, axisColor, colors } from '../ui/chart.js';
import { PageHeader, ErrorBox, Loading, R } from '../ui/widgets.js';
import * as fmt from '../lib/fmt.js';

const MODE = { 'multi-queue': 'Multi-queue', 'single-queue': 'Single queue', 'on-a-stick': 'On a stick' };

function busyBar(v) {
  const cls = v >= 90 ? 'bg-danger' : v >= 70 ? 'bg-warning' : 'bg-info';
  return html`<div class="d-flex align-items-center gap-2 live"><div class="progress util-bar flex-grow-1" role="progressbar" aria-valuenow=${Math.round(v)} aria-valuemin="0" aria-valuemax="100" aria-label="CPU busy">
    <div class=${`progress-bar ${cls}`} style=${{ width: `${Math.min(100, v)}%` }}></div></div><span class="small">${v.toFixed(0)}%</span></div>`;
}

const cols = [
  { key: 'cpu', label: 'CPU', num: true },
  { key: 'queue', label: 'Queue', cell: (c) => html`<span class="font-monospace small">${c.queue}</span>` },
  { key: 'weight', label: 'Weight', num: true, cell: (c) => fmt.count(Math.round(c.weight)) },
  { key: 'bps', label: 'Bits handled', num: true, cell: (c) => html`<span class="live">${fmt.bps(c.bps)}</span>` },
  { key: 'pps', label: 'Packets handled', num: true, cell: (c) => html`<span class="live">${fmt.pps(c.pps)}</span>` },
  { key: 'busy_pct', label: 'Busy', num: true, cell: (c) => busyBar(c.busy_pct) },
  { key: 'circuits', label: 'Circuits', num: true, cell: (c) => fmt.count(c.circuits) },
  { key: 'nodes', label: 'Top-level nodes (weight)', sort: (c) => c.nodes.length, cell: (c) => html`<ul class="list-unstyled mb-0 small cpu-nodes">${c.nodes.map((n) => html`<li><a href=${nodeHref(n.id)} data-index=${n.index} class="cpu-node"><${R}>${n.name}<//></a> <span class="text-body-secondary">${fmt.count(Math.round(n.weight))}</span></li>`)}</ul>` },
  { key: 'top', label: 'Busiest circuits', sort: false, cell: (c) => html`<ul class="list-unstyled mb-0 small">${(c.top_circuits || []).map((t) => html`<li><a href=${circuitHref(t.id)}><${R}>${t.name}<//></a></li>`)}</ul>` },
];

function CPUPage() {
  const { data, error } = useApi('/api/cpu');
  const live = useChannel('cpu_plan');
  /** @type {import('../api-types').CPUView} */
  const v = live || data;
  if (error) return html`<${PageHeader} title="CPU Tree" /><${ErrorBox} error=${error} />`;
  if (!v) return html`<${PageHeader} title="CPU Tree" /><${Loading} />`;
  const cpus = v.plan.cpus;
  const option = {
    animation: false,
    grid: { left: 60, right: 16, top: 16, bottom: 26 },
    tooltip: { trigger: 'axis', valueFormatter: (x) => fmt.bps(x) },
    xAxis: { type: 'category', data: cpus.map((c) => `CPU ${c.cpu}`), axisLabel: { color: axisColor } },
    yAxis: { type: 'value', axisLabel: { color: axisColor, formatter: (x) => fmt.bpsShort(x) }, splitLine: { lineStyle: { color: '#333' } } },
    series: [{ type: 'bar', data: cpus.map((c) => c.bps), color: colors.down }],
  };
  const imb = v.imbalance;
  return html`<${PageHeader} title="CPU Tree / CPU Weights">
      <span class="badge text-bg-dark border" id="cpu-mode">${MODE[v.plan.mode] || v.plan.mode}</span><//>
    ${v.plan.note ? html`<div class="alert alert-info" id="cpu-note" role="note">${v.plan.note}</div>` : null}
    <div class="row g-3 mb-3">
      <div class="col-md-4"><div class="card h-100"><div class="card-body">
        <div class="stat-label">Imbalance (busiest / mean)</div>
        <div class=${`stat-value live ${imb >= 2 ? 'text-danger' : imb >= 1.3 ? 'text-warning' : ''}`} id="cpu-imbalance">${imb ? `${imb.toFixed(2)}×` : 'idle'}</div>
        <div class="small text-body-secondary">Heaviest: <span id="cpu-heaviest">${v.heaviest.map((n, i) => html`${i ? ', ' : ''}<a href=${nodeHref(n.id)}><${R}>${n.name}<//></a> (${fmt.bps(n.bps)})`)}</span></div>
      </div></div></div>
      <div class="col-md-8"><div class="card h-100"><div class="card-body">
        <${Chart} id="chart-cpu" cls="chart-md" option=${option} label="Traffic handled per CPU" summary=${cpus.map((c) => `CPU ${c.cpu}: ${fmt.bps(c.bps)}, ${c.busy_pct.toFixed(0)}% busy`).join('; ')} />
      </div></div></div>
    </div>
    <div class="card"><${DataTable} id="cpu-table" columns=${cols} rows=${cpus} rowKey=${(c) => c.cpu} sort="cpu" /></div>`;
}

mountPage(CPUPage);
