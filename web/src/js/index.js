// Dashboard page.
import * as echarts from 'echarts/core';
import { LineChart, BarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, LegendComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { initShell } from './shell.js';
import { subscribe } from './lib/ws.js';
import { request } from './lib/api.js';
import { h, replace, setText } from './lib/dom.js';
import { mask } from './lib/redact.js';
import * as fmt from './lib/fmt.js';

echarts.use([LineChart, BarChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

const HISTORY = 300; // seconds of throughput kept in the chart
const down = [];
const up = [];

const axisColor = '#8a8f98';

function throughputChart() {
  const chart = echarts.init(document.getElementById('tp-chart'), null, { renderer: 'canvas' });
  chart.setOption({
    animation: false,
    grid: { left: 70, right: 20, top: 36, bottom: 30 },
    legend: { top: 0, data: ['Download', 'Upload'], textStyle: { color: axisColor } },
    tooltip: { trigger: 'axis', valueFormatter: (v) => fmt.bps(v) },
    xAxis: { type: 'time', axisLabel: { color: axisColor } },
    yAxis: { type: 'value', axisLabel: { color: axisColor, formatter: (v) => fmt.bps(v) }, splitLine: { lineStyle: { color: '#333' } } },
    series: [
      { name: 'Download', type: 'line', showSymbol: false, areaStyle: { opacity: 0.15 }, data: down, color: '#3fb950' },
      { name: 'Upload', type: 'line', showSymbol: false, areaStyle: { opacity: 0.15 }, data: up, color: '#58a6ff' },
    ],
  });
  return chart;
}

function topChart() {
  return echarts.init(document.getElementById('top-chart'), null, { renderer: 'canvas' });
}

let topRows = [];
function renderTopChart(chart) {
  const rows = [...topRows].reverse(); // largest at the top
  chart.setOption({
    animation: false,
    grid: { left: 120, right: 20, top: 10, bottom: 25 },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v) => fmt.bps(v),
      // Category names in tooltips follow the privacy mode too.
      formatter: (ps) => `${mask(ps[0].name).replace(/[<>&"]/g, '')}: ${fmt.bps(ps[0].value)}` },
    xAxis: { type: 'value', min: 0, splitNumber: 4, axisLabel: { color: axisColor, formatter: (v) => fmt.bpsShort(v) }, splitLine: { lineStyle: { color: '#333' } } },
    yAxis: { type: 'category', data: rows.map((r) => r.name), axisLabel: { color: axisColor, formatter: (v) => mask(v), width: 110, overflow: 'truncate' } },
    series: [{ type: 'bar', data: rows.map((r) => r.down_bps), color: '#3fb950' }],
  });
}

function renderThroughput(tp, ts) {
  setText('tp-down', fmt.bps(tp.bps.down));
  setText('tp-up', fmt.bps(tp.bps.up));
  setText('pps-down', fmt.pps(tp.pps.down));
  setText('pps-up', fmt.pps(tp.pps.up));
  const total = tp.bps.down || 1;
  const shaped = Math.min(100, (100 * tp.shaped_bps.down) / total);
  setText('shaped-pct', `${shaped.toFixed(1)}% shaped`);
  document.getElementById('shaped-part').style.width = `${shaped}%`;
  document.getElementById('unshaped-part').style.width = `${100 - shaped}%`;
  setText('shaped-detail', `${fmt.bps(tp.shaped_bps.down)} shaped · ${fmt.bps(Math.max(0, tp.bps.down - tp.shaped_bps.down))} unshaped`);
  down.push([ts, tp.bps.down]);
  up.push([ts, tp.bps.up]);
  while (down.length > HISTORY) down.shift();
  while (up.length > HISTORY) up.shift();
}

function circuitCell(c) {
  return h('td', {}, h('span', { class: 'redactable', title: c.circuit_id }, c.name));
}

function renderTop(rows) {
  replace(document.getElementById('top-table'), rows.map((c) => h('tr', {},
    circuitCell(c),
    h('td', {}, h('span', { class: 'redactable font-monospace small' }, c.ip)),
    h('td', { class: 'table-num' }, fmt.bps(c.down_bps)),
    h('td', { class: 'table-num' }, fmt.bps(c.up_bps)))));
}

function renderRTT(rows) {
  replace(document.getElementById('rtt-table'), rows.map((c) => h('tr', {},
    circuitCell(c),
    h('td', {}, h('span', { class: 'redactable' }, c.parent || '')),
    h('td', { class: `table-num ${c.rtt_ms >= 200 ? 'text-danger' : c.rtt_ms >= 100 ? 'text-warning' : ''}` }, fmt.ms(c.rtt_ms)))));
}

function renderCPU(cores) {
  if (cores.length === 0) return;
  const avg = cores.reduce((a, b) => a + b, 0) / cores.length;
  setText('cpu-avg', `${avg.toFixed(0)}%`);
  setText('cpu-max', `busiest core ${Math.max(...cores).toFixed(0)}% · ${cores.length} cores`);
  replace(document.getElementById('cpu-cores'), cores.map((v, i) => {
    const bar = h('div', { class: `progress-bar ${v >= 90 ? 'bg-danger' : v >= 70 ? 'bg-warning' : 'bg-info'}` });
    bar.style.width = `${Math.min(100, v)}%`;
    return h('div', { class: 'mb-2' },
      h('div', { class: 'd-flex justify-content-between small' }, h('span', {}, `Core ${i}`), h('span', {}, `${v.toFixed(0)}%`)),
      h('div', { class: 'progress cpu-bar' }, bar));
  }));
}

function renderQueues(q) {
  setText('q-circuits', `${fmt.count(q.circuit_queues)} circuits`);
  setText('q-detail', `${fmt.count(q.site_queues)} sites · ${fmt.count(q.cpu_queues)} CPU queues · ${fmt.count(q.shaped_devices)} devices · ${fmt.count(q.unknown_ips)} unknown IPs`);
  setText('q-classification', q.classification ? `Classification: ${q.classification}` : '');
}

async function main() {
  await initShell();
  const tpChart = throughputChart();
  const tChart = topChart();
  window.addEventListener('resize', () => { tpChart.resize(); tChart.resize(); });
  window.addEventListener('redact-change', () => renderTopChart(tChart));

  // Draw the last minutes at once instead of starting from an empty chart.
  try {
    const { points } = await request('/api/throughput/history');
    for (const [ts, d, u] of points) { down.push([ts, d]); up.push([ts, u]); }
    tpChart.setOption({ series: [{ data: down }, { data: up }] });
  } catch { /* live data still comes */ }

  subscribe('throughput', (tp, ts) => {
    renderThroughput(tp, ts);
    tpChart.setOption({ series: [{ data: down }, { data: up }] });
  });
  subscribe('top_circuits', (rows) => { topRows = rows; renderTop(rows); renderTopChart(tChart); });
  subscribe('worst_rtt', renderRTT);
  subscribe('cpu', renderCPU);
  subscribe('queues', renderQueues);
}

main();
