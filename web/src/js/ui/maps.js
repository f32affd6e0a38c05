// Map support for the Flow Globe and the Site Map: ECharts' geo, lines and
// scatter modules, the world outline shipped with the build (Natural Earth
// 1:110m countries from world-atlas, about 100 KB, no tile server) and the
// 3-D globe of ECharts GL, each loaded on demand.
import * as fmt from '../lib/fmt.js';

let flatLoad = null;
let globeLoad = null;

/** loadFlat() → echarts with the world map registered as "world". */
export function loadFlat() {
  flatLoad ||= Promise.all([import('./echarts-maps.js'), import('./world.js')]).then(([m, w]) => {
    m.echarts.registerMap('world', w.world);
    return m.echarts;
  });
  return flatLoad;
}

/** loadGlobe() → echarts with ECharts GL's globe, lines3D and scatter3D. */
export function loadGlobe() {
  globeLoad ||= Promise.all([loadFlat(), import('./echarts-globe.js')]).then(([echarts]) => echarts);
  return globeLoad;
}

/** WebGL available? (false with WebGL or 3-D APIs disabled). */
export function hasWebGL() {
  try {
    const c = document.createElement('canvas');
    return !!(c.getContext('webgl2') || c.getContext('webgl'));
  } catch {
    return false;
  }
}

// RTT colours: the same bands as the rest of the UI's RTT figures.
export const RTT_BANDS = [
  { max: 20, color: '#3fb950', label: '< 20 ms' },
  { max: 50, color: '#a3d977', label: '20–50 ms' },
  { max: 100, color: '#d29922', label: '50–100 ms' },
  { max: 200, color: '#f0883e', label: '100–200 ms' },
  { max: Infinity, color: '#f85149', label: '≥ 200 ms' },
];
export const NO_RTT = '#8a8f98';

export function rttColor(ms) {
  if (!ms) return NO_RTT;
  return RTT_BANDS.find((b) => ms < b.max).color;
}

/** Line width 1–6 px by bytes, on a log scale relative to the busiest. */
export function widthFor(bytes, maxBytes) {
  if (!bytes || !maxBytes) return 1;
  return 1 + 5 * Math.log1p(bytes) / Math.log1p(maxBytes);
}

/** Text of a tooltip line pair (HTML-escaped: names come from data files). */
export function esc(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

export function endpointTooltip(e) {
  const place = [e.city, e.country].filter(Boolean).join(', ') || 'Unknown place';
  return `<b>${esc(place)}</b><br>AS${e.asn} ${esc(e.as_name || 'unknown AS')}<br>`
    + `${esc(fmt.bytes(e.bytes))} in ${e.flows} flow${e.flows === 1 ? '' : 's'}<br>RTT ${e.rtt_ms ? esc(fmt.ms(e.rtt_ms)) : 'no sample'}`;
}
