// Flow Globe: the last minute of flows drawn from the shaper to each remote
// endpoint's location (from the IP databases), on a 3-D globe (ECharts GL)
// or, where WebGL is missing or the operator asks, a flat map. Line width
// by bytes, colour by RTT; hover shows AS, place, bytes and RTT.
import { html, useEffect, useMemo, useRef, useState } from '../ui/preact.js';
import { useApi, useQueryParam } from '../ui/hooks.js';
import { mountPage } from '../ui/page.js';
import { PageHeader, ErrorBox, Loading } from '../ui/widgets.js';
import { loadFlat, loadGlobe, hasWebGL, rttColor, widthFor, endpointTooltip, RTT_BANDS, NO_RTT } from '../ui/maps.js';
import { DataCredit } from '../ui/credit.js';
import * as fmt from '../lib/fmt.js';

const DENSITY = [250, 1000, 2000, 5000];
const REFRESH_MS = 15000;
const SEA = '#0b1d33';
const LAND = '#1f3b57';
const BORDER = '#4a6a8a';

/** @param {import('../api-types').FlowMapView} v */
function origin(v) {
  if (v.origin) return [v.origin.lon, v.origin.lat];
  return null;
}

function flatOption(v) {
  const o = origin(v);
  const max = v.endpoints.length ? v.endpoints[0].bytes : 0;
  return {
    animation: false,
    backgroundColor: SEA,
    tooltip: { trigger: 'item', formatter: (p) => (p.data && p.data.ep ? endpointTooltip(p.data.ep) : '') },
    geo: { map: 'world', roam: true, silent: true, zoom: 1.1,
      itemStyle: { areaColor: LAND, borderColor: BORDER, borderWidth: 0.5 } },
    series: [
      o ? { type: 'lines', coordinateSystem: 'geo', silent: false, large: v.endpoints.length > 3000,
        lineStyle: { curveness: 0.25, opacity: 0.75 },
        data: v.endpoints.map((e) => ({ coords: [o, [e.lon, e.lat]], ep: e, lineStyle: { width: widthFor(e.bytes, max), color: rttColor(e.rtt_ms) } })) } : null,
      { type: 'scatter', coordinateSystem: 'geo', symbolSize: 5,
        data: v.endpoints.map((e) => ({ value: [e.lon, e.lat], ep: e, itemStyle: { color: rttColor(e.rtt_ms) } })) },
      o ? { type: 'effectScatter', coordinateSystem: 'geo', symbolSize: 9, silent: true, rippleEffect: { scale: 3 },
        data: [{ value: o, itemStyle: { color: '#58a6ff' } }] } : null,
    ].filter(Boolean),
  };
}

function globeOption(v, texture) {
  const o = origin(v);
  const max = v.endpoints.length ? v.endpoints[0].bytes : 0;
  return {
    backgroundColor: '#05101e',
    tooltip: { trigger: 'item', formatter: (p) => (p.data && p.data.ep ? endpointTooltip(p.data.ep) : '') },
    globe: {
      baseTexture: texture, shading: 'color', environment: '#05101e', displacementScale: 0,
      viewControl: { autoRotate: false, distance: 170, targetCoord: o || [0, 20], animation: false },
    },
    series: [
      o ? { type: 'lines3D', coordinateSystem: 'globe', blendMode: 'source-over', silent: true,
        data: v.endpoints.map((e) => ({ coords: [o, [e.lon, e.lat]], lineStyle: { width: widthFor(e.bytes, max), color: rttColor(e.rtt_ms), opacity: 0.85 } })) } : null,
      { type: 'scatter3D', coordinateSystem: 'globe', symbolSize: 6, blendMode: 'source-over',
        data: v.endpoints.map((e) => ({ value: [e.lon, e.lat, 0], ep: e, itemStyle: { color: rttColor(e.rtt_ms) } })) },
      o ? { type: 'scatter3D', coordinateSystem: 'globe', symbolSize: 10, silent: true, data: [{ value: [...o, 0], itemStyle: { color: '#58a6ff' } }] } : null,
    ].filter(Boolean),
  };
}

// The globe's surface: the world outline drawn by a flat ECharts map on an
// off-screen canvas (no image files, no tile server).
function worldTexture(echarts) {
  const canvas = document.createElement('canvas');
  const tex = echarts.init(canvas, null, { width: 2048, height: 1024 });
  tex.setOption({ animation: false, backgroundColor: SEA,
    geo: { map: 'world', silent: true, left: 0, top: 0, right: 0, bottom: 0, aspectScale: 1, boundingCoords: [[-180, 90], [180, -90]],
      itemStyle: { areaColor: LAND, borderColor: BORDER, borderWidth: 1 } } });
  return tex;
}

function FlowChart({ view, globe }) {
  const el = useRef(null);
  const chart = useRef(null);
  const [err, setErr] = useState(null);
  useEffect(() => {
    let gone = false;
    let texture = null;
    const resize = () => chart.current && chart.current.resize();
    (globe ? loadGlobe() : loadFlat()).then((echarts) => {
      if (gone) return;
      chart.current = echarts.init(el.current, null, { renderer: 'canvas' });
      if (globe) texture = worldTexture(echarts);
      chart.current.setOption(globe ? globeOption(view, texture) : flatOption(view));
      el.current.chart = chart.current; // for the browser tests
      el.current.dataset.ready = 'true';
    }).catch((e) => setErr(e));
    window.addEventListener('resize', resize);
    return () => {
      gone = true;
      window.removeEventListener('resize', resize);
      if (chart.current) chart.current.dispose();
      if (texture) texture.dispose();
      chart.current = null;
    };
  }, [globe]);
  useEffect(() => {
    if (!chart.current) return;
    chart.current.setOption(globe ? { series: globeOption(view, null).series } : { series: flatOption(view).series }, { replaceMerge: ['series'] });
  }, [view]);
  if (err) return html`<div class="alert alert-warning" id="globe-error">The map could not be drawn: ${String(err.message || err)}</div>`;
  return html`<div id="globe-chart" class="globe-chart" ref=${el} data-mode=${globe ? 'globe' : 'flat'} role="img"
    aria-label=${`${globe ? 'Globe' : 'Flat map'} of ${view.endpoints.length} flow endpoints, lines from the shaper`}></div>`;
}

function Legend({ view }) {
  return html`<div class="d-flex flex-wrap gap-3 align-items-center small mt-2" id="globe-legend">
    <span class="fw-semibold">Colour: RTT</span>
    ${RTT_BANDS.map((b) => html`<span><span class="legend-swatch" style=${{ background: b.color }}></span>${b.label}</span>`)}
    <span><span class="legend-swatch" style=${{ background: NO_RTT }}></span>no RTT sample</span>
    <span class="fw-semibold ms-2">Width: bytes</span>
    <span>thin = few, thick = ${view.endpoints.length ? fmt.bytes(view.endpoints[0].bytes) : '–'}</span>
  </div>`;
}

function GlobePage() {
  const webgl = useMemo(hasWebGL, []);
  const [mode, setMode] = useQueryParam('mode', '');
  const [limit, setLimit] = useQueryParam('n', '');
  const { data, error, reload } = useApi(`/api/flowmap${limit ? `?limit=${encodeURIComponent(limit)}` : ''}`);
  useEffect(() => {
    const t = setInterval(() => { if (!document.hidden) reload(); }, REFRESH_MS);
    return () => clearInterval(t);
  }, [reload]);
  /** @type {import('../api-types').FlowMapView} */
  const v = data;
  const globe = webgl && mode !== 'flat';
  const header = html`<${PageHeader} title="Flow Globe">
      ${v ? html`<span class="badge text-bg-secondary" id="globe-count">${fmt.count(v.endpoints.length)} endpoints</span>` : null}
      <select class="form-select form-select-sm w-auto" id="globe-density" aria-label="Endpoints drawn" value=${limit || String(v ? v.limit : '')}
        onChange=${(e) => setLimit(e.currentTarget.value)}>
        ${DENSITY.filter((n) => !v || n <= v.max_limit).concat(v && !DENSITY.includes(v.max_limit) ? [v.max_limit] : []).map((n) => html`<option value=${String(n)}>Top ${fmt.count(n)}</option>`)}
      </select>
      <div class="btn-group btn-group-sm" role="group" aria-label="Map kind">
        <button type="button" class=${`btn ${globe ? 'btn-primary' : 'btn-outline-secondary'}`} id="mode-globe" disabled=${!webgl} onClick=${() => setMode('')}>Globe</button>
        <button type="button" class=${`btn ${!globe ? 'btn-primary' : 'btn-outline-secondary'}`} id="mode-flat" onClick=${() => setMode('flat')}>Flat map</button>
      </div>
      <button type="button" class="btn btn-sm btn-outline-secondary" id="globe-refresh" onClick=${reload}>Refresh</button>
    <//>`;
  if (error) return html`${header}<${ErrorBox} error=${error} />`;
  if (!v) return html`${header}<${Loading} />`;
  return html`${header}
    ${!webgl ? html`<div class="alert alert-info py-2 small" id="webgl-missing">This browser has no WebGL, so the flows are drawn on a flat map.</div>` : null}
    <p class="small text-body-secondary" id="globe-summary">
      ${fmt.count(v.flows)} flows in the last minute (${fmt.bytes(v.total_bytes)}), ${fmt.count(v.total)} located endpoints; the busiest ${fmt.count(v.endpoints.length)} are drawn${v.unlocated ? `; ${fmt.count(v.unlocated)} flows have no known location` : ''}.
      ${v.origin ? `Lines start at ${v.origin_from === 'sites' ? 'the middle of the mapped sites' : 'the shaper (lqos.conf [geo])'}.` : 'Set latitude/longitude in lqos.conf [geo] (or give sites coordinates) to draw lines from the shaper.'}
      Refreshed every 15 s.</p>
    ${v.endpoints.length === 0
    ? html`<div class="alert alert-secondary" id="globe-empty">No located flows in the last minute.</div>`
    : html`<div class="card"><div class="card-body p-2"><${FlowChart} view=${v} globe=${globe} /><${Legend} view=${v} /></div></div>`}
    <${DataCredit} files=${v.files} />`;
}

mountPage(GlobePage);
