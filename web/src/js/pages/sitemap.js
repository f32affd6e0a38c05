// Site Map: sites and APs placed by their network.json coordinates (typed
// in or written by an integration such as UISP), coloured by utilisation or
// RTT, with links from each to its nearest mapped parent, over the world
// outline shipped with the build (no tile server). Nodes without
// coordinates are listed below the map. Live figures: the "tree" channel.
import { html, useEffect, useMemo, useRef, useState } from '../ui/preact.js';
import { useApi, useChannel, useQueryParam, useRedacted } from '../ui/hooks.js';
import { mountPage, nodeHref } from '../ui/page.js';
import { DataTable } from '../ui/table.js';
import { PageHeader, ErrorBox, Loading, R } from '../ui/widgets.js';
import { loadFlat, rttColor, esc, RTT_BANDS, NO_RTT } from '../ui/maps.js';
import * as fmt from '../lib/fmt.js';

const MAX_LIVE_ROWS = 200;
const UTIL_BANDS = [
  { max: 50, color: '#3fb950', label: '< 50 %' },
  { max: 75, color: '#a3d977', label: '50–75 %' },
  { max: 90, color: '#d29922', label: '75–90 %' },
  { max: Infinity, color: '#f85149', label: '≥ 90 %' },
];

const utilOf = (n, row) => (n.max_mbps.down > 0 ? (100 * row[0]) / (n.max_mbps.down * 1e6) : 0);
const utilColor = (u) => UTIL_BANDS.find((b) => u < b.max).color;

// Initial view: the box around the mapped nodes, with a margin.
function fit(nodes) {
  if (!nodes.length) return { center: [0, 20], zoom: 1 };
  const lons = nodes.map((n) => n.lon);
  const lats = nodes.map((n) => n.lat);
  const [x0, x1, y0, y1] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)];
  const span = Math.max((x1 - x0) / 360, (y1 - y0) / 170, 0.002);
  return { center: [(x0 + x1) / 2, (y0 + y1) / 2], zoom: Math.min(400, Math.max(1, 0.7 / span)) };
}

function option(view, rows, metric) {
  const byIndex = new Map(view.nodes.map((n) => [n.index, n]));
  const busiest = Math.max(1, ...view.nodes.map((n) => (rows[n.index] ? rows[n.index][0] + rows[n.index][1] : 0)));
  const color = (n) => {
    const r = rows[n.index];
    if (!r) return NO_RTT;
    return metric === 'rtt' ? rttColor(r[2]) : utilColor(utilOf(n, r));
  };
  const tip = (n) => {
    const r = rows[n.index] || [0, 0, 0];
    return `<b>${esc(n.name)}</b> ${esc(n.type || '')}<br>⬇ ${esc(fmt.bps(r[0]))} ⬆ ${esc(fmt.bps(r[1]))}`
      + `<br>Utilisation ${utilOf(n, r).toFixed(0)} % of ${esc(fmt.mbps(n.max_mbps.down))}<br>RTT ${r[2] ? esc(fmt.ms(r[2])) : 'no sample'}`
      + `<br>${n.circuits} circuits · coordinates from ${esc(n.from)}`;
  };
  return {
    series: [
      { type: 'lines', coordinateSystem: 'geo', silent: true, lineStyle: { width: 1.5, opacity: 0.7, curveness: 0 },
        data: view.nodes.filter((n) => n.mapped_parent >= 0 && byIndex.has(n.mapped_parent)).map((n) => {
          const p = byIndex.get(n.mapped_parent);
          return { coords: [[p.lon, p.lat], [n.lon, n.lat]], lineStyle: { color: color(n) } };
        }) },
      { type: 'scatter', coordinateSystem: 'geo', name: 'nodes',
        data: view.nodes.map((n) => {
          const r = rows[n.index] || [0, 0];
          return { value: [n.lon, n.lat], node: n, tip: tip(n), symbol: n.type === 'ap' ? 'triangle' : 'circle',
            symbolSize: 7 + 14 * Math.sqrt((r[0] + r[1]) / busiest), itemStyle: { color: color(n), borderColor: '#111', borderWidth: 1 } };
        }) },
    ],
  };
}

function SiteChart({ view, rows, metric }) {
  const el = useRef(null);
  const chart = useRef(null);
  const latest = useRef(null);
  latest.current = () => option(view, rows, metric);
  useEffect(() => {
    let gone = false;
    const resize = () => chart.current && chart.current.resize();
    loadFlat().then((echarts) => {
      if (gone) return;
      const c = echarts.init(el.current, null, { renderer: 'canvas' });
      chart.current = c;
      const f = fit(view.nodes);
      c.setOption({ animation: false, backgroundColor: '#0b1d33',
        tooltip: { trigger: 'item', formatter: (p) => (p.data && p.data.tip) || '' },
        geo: { map: 'world', roam: true, center: f.center, zoom: f.zoom, scaleLimit: { min: 1, max: 2000 }, silent: true,
          itemStyle: { areaColor: '#1f3b57', borderColor: '#4a6a8a', borderWidth: 0.6 } },
        ...latest.current() });
      c.on('click', (p) => { if (p.data && p.data.node) window.location.href = nodeHref(p.data.node.id); });
      el.current.chart = c; // for the browser tests
      el.current.dataset.ready = 'true';
    });
    window.addEventListener('resize', resize);
    return () => { gone = true; window.removeEventListener('resize', resize); if (chart.current) chart.current.dispose(); chart.current = null; };
  }, [view]);
  useEffect(() => { if (chart.current) chart.current.setOption(latest.current(), { lazyUpdate: true }); }, [rows, metric]);
  return html`<div id="site-map-chart" class="site-map-chart" ref=${el} role="img" aria-label=${`Map of ${view.nodes.length} sites and access points`}></div>`;
}

const unmappedCols = [
  { key: 'name', label: 'Node', sort: (n) => n.name.toLowerCase(), cell: (n) => html`<a href=${nodeHref(n.id)}><${R}>${n.name}<//></a>` },
  { key: 'type', label: 'Type' },
  { key: 'parent', label: 'Parent', cell: (n) => html`<${R}>${n.parent}<//>` },
  { key: 'reason', label: 'Why not on the map' },
];

function rowOf(n) {
  const l = n.live;
  return [l.bps.down, l.bps.up, l.rtt_p50_ms, l.rtt_p90_ms, l.retx_pct.down, l.retx_pct.up, l.drops.down, l.drops.up, l.marks.down, l.marks.up];
}

function SiteMapPage() {
  const redact = useRedacted();
  const [metric, setMetric] = useQueryParam('color', 'util');
  const { data, error } = useApi(`/api/sitemap${redact ? '?redact=1' : ''}`);
  /** @type {import('../api-types').SiteMapView} */
  const v = data;
  const [rows, setRows] = useState({});
  useEffect(() => { if (v) setRows(Object.fromEntries(v.nodes.map((n) => [n.index, rowOf(n)]))); }, [v]);
  const indices = useMemo(() => (v ? v.nodes.map((n) => n.index).sort((a, b) => a - b) : []), [v]);
  const live = useChannel(v && indices.length ? (indices.length <= MAX_LIVE_ROWS ? `tree:${indices.join(',')}` : 'tree') : null);
  useEffect(() => {
    if (!live) return;
    setRows((old) => {
      const next = { ...old };
      if (live.index) live.index.forEach((i, k) => { next[i] = live.rows[k]; });
      else indices.forEach((i) => { if (live.rows[i]) next[i] = live.rows[i]; });
      return next;
    });
  }, [live]);
  const header = html`<${PageHeader} title="Site Map">
      ${v ? html`<span class="badge text-bg-secondary" id="map-count">${fmt.count(v.nodes.length)} on the map</span>
        <a class=${`badge ${v.unmapped.length ? 'text-bg-warning' : 'text-bg-secondary'}`} href="#unmapped" id="unmapped-badge">${fmt.count(v.unmapped.length)} without coordinates</a>` : null}
      <div class="btn-group btn-group-sm" role="group" aria-label="Colour by" id="map-metric">
        <button type="button" class=${`btn ${metric === 'util' ? 'btn-primary' : 'btn-outline-secondary'}`} data-metric="util" onClick=${() => setMetric('util')}>Utilisation</button>
        <button type="button" class=${`btn ${metric === 'rtt' ? 'btn-primary' : 'btn-outline-secondary'}`} data-metric="rtt" onClick=${() => setMetric('rtt')}>RTT</button>
      </div>
    <//>`;
  if (error) return html`${header}<${ErrorBox} error=${error} />`;
  if (!v) return html`${header}<${Loading} />`;
  const bands = metric === 'rtt' ? RTT_BANDS : UTIL_BANDS;
  return html`${header}
    ${v.nodes.length === 0
    ? html`<div class="alert alert-secondary" id="map-empty">No node has coordinates yet. Add <code>latitude</code> and <code>longitude</code> to sites in network.json, or use an integration that provides them (UISP site locations, Splynx GPS).</div>`
    : html`<div class="card mb-3"><div class="card-body p-2"><${SiteChart} view=${v} rows=${rows} metric=${metric} />
        <div class="d-flex flex-wrap gap-3 align-items-center small mt-2" id="map-legend">
          <span class="fw-semibold">${metric === 'rtt' ? 'Colour: median RTT' : 'Colour: download utilisation'}</span>
          ${bands.map((b) => html`<span><span class="legend-swatch" style=${{ background: b.color }}></span>${b.label}</span>`)}
          <span><span class="legend-swatch" style=${{ background: NO_RTT }}></span>no data</span>
          <span class="ms-2">● site ▲ AP · size: throughput · click a node to open it · drag and scroll to move and zoom</span>
        </div></div></div>`}
    <div class="card mb-3" id="unmapped"><div class="card-header">Without coordinates (${v.unmapped.length})</div>
      <${DataTable} id="unmapped-table" columns=${unmappedCols} rows=${v.unmapped} rowKey=${(n) => n.id} sort="name" pageSize=${50} empty="Every node has coordinates." /></div>
    <p class="small text-body-secondary">Outlines: Natural Earth (public domain) via world-atlas; nothing is fetched from outside this box.</p>`;
}

mountPage(SiteMapPage);
