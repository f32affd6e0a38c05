// ECharts in a component. Each chart has a text alternative: the canvas is
// role="img" with aria-label, and a visually hidden summary gives the
// latest values for screen readers.
import { html, useEffect, useRef } from './preact.js';
import * as fmt from '../lib/fmt.js';

let echartsLoad = null;
const loadECharts = () => (echartsLoad ||= import('./echarts.js').then((m) => m.echarts));

export const axisColor = '#8a8f98';
export const colors = { down: '#3fb950', up: '#58a6ff', rtt: '#d29922', retx: '#f85149', plan: '#8a8f98' };

/** Chart({option, label, summary, id, cls}): option is re-applied on change. */
export function Chart({ option, label, summary, id, cls = 'chart-md' }) {
  const el = useRef(null);
  const chart = useRef(null);
  const latest = useRef(option);
  latest.current = option;
  useEffect(() => {
    let gone = false;
    const resize = () => chart.current && chart.current.resize();
    loadECharts().then((echarts) => {
      if (gone) return;
      chart.current = echarts.init(el.current, null, { renderer: 'canvas' });
      if (latest.current) chart.current.setOption(latest.current);
      el.current.dataset.ready = 'true';
    });
    window.addEventListener('resize', resize);
    return () => { gone = true; window.removeEventListener('resize', resize); if (chart.current) chart.current.dispose(); chart.current = null; };
  }, []);
  useEffect(() => { if (chart.current && option) chart.current.setOption(option, { lazyUpdate: true }); }, [option]);
  return html`<figure class="mb-0" id=${id}>
    <div class=${cls} ref=${el} role="img" aria-label=${label}></div>
    <figcaption class="visually-hidden chart-summary">${summary}</figcaption></figure>`;
}

/** Options of a time-series chart: series [{name, data:[[ms, v]], color, dashed}], y formatter. */
export function timeOption(series, yfmt = fmt.bps) {
  return {
    animation: false,
    grid: { left: 64, right: 16, top: 30, bottom: 26 },
    legend: { top: 0, textStyle: { color: axisColor } },
    tooltip: { trigger: 'axis', valueFormatter: (v) => yfmt(v) },
    xAxis: { type: 'time', axisLabel: { color: axisColor, hideOverlap: true, formatter: (v) => fmt.clock(v) } },
    yAxis: { type: 'value', min: 0, axisLabel: { color: axisColor, formatter: (v) => (yfmt === fmt.bps ? fmt.bpsShort(v) : yfmt(v)) }, splitLine: { lineStyle: { color: '#333' } } },
    series: series.map((s) => ({ name: s.name, type: 'line', showSymbol: false, data: s.data, color: s.color,
      lineStyle: s.dashed ? { type: 'dashed', width: 1 } : undefined, areaStyle: s.area ? { opacity: 0.12 } : undefined })),
  };
}
