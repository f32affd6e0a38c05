// Scale measurement of the web UI in Chromium: time to first render and
// payload of each page's first load (cold and warm cache), the size of one
// live update, and the JS heap of every page after SCALE_MINUTES open.
// SCALE_PAGES=id,id limits it to some pages. Run by internal/webui/e2e BenchmarkBrowserScale against the fake source
// sized 10,000 circuits, 2,000 nodes and 100,000 flows; prints JSON lines.
import { launch, login } from './browser.mjs';

const BASE = process.env.BASE_URL;
const USER = process.env.ADMIN_USER;
const PASS = process.env.ADMIN_PASS;
const MINUTES = Number(process.env.SCALE_MINUTES || '10');

const PAGES = [
  ['dashboard', '/index.html', '#top-table tr'],
  ['tree', '/tree.html', '#tree-table tr.tree-row'],
  ['node', '/node.html?id=n00000', '#children-table tbody tr'],
  ['circuit', '/circuit.html?id=c000100', '#flows-table tbody tr'],
  ['cpu', '/cpu.html', '#cpu-table tbody tr'],
  ['devices', '/devices.html', '#devices-list tbody tr'],
  ['unknown', '/unknown.html', '#unknown-table tbody tr'],
  ['asn', '/asn_analysis.html', '#asn-table tbody tr'],
  ['globe', '/flow_map.html', '#globe-chart[data-ready="true"]'],
  ['globe-flat', '/flow_map.html?mode=flat', '#globe-chart[data-ready="true"]'],
  ['sitemap', '/site_map.html', '#site-map-chart[data-ready="true"]'],
];
// SCALE_PAGES=asn,globe measures only those pages.
const ONLY = process.env.SCALE_PAGES ? new Set(process.env.SCALE_PAGES.split(',')) : null;
const SHELL_CHANNELS = new Set(['scheduler', 'urgent']);

const browser = await launch();

async function measure(id, path, sel) {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await ctx.newPage();
  await login(page, BASE, USER, PASS);
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
  let bytes = 0;
  const frames = [];
  cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; });
  cdp.on('Network.webSocketFrameReceived', (e) => {
    const d = e.response.payloadData;
    const m = /"type":"data","channel":"([^"]+)"/.exec(d.slice(0, 200));
    if (m && !SHELL_CHANNELS.has(m[1])) frames.push([m[1], d.length]);
  });
  const load = async () => {
    bytes = 0;
    await page.goto(`${BASE}${path}`);
    const t = await page.waitForFunction((s) => document.querySelector(s) && performance.now(), sel, { polling: 'raf', timeout: 60000 });
    return { ms: Math.round(await t.jsonValue()), bytes };
  };
  // The login landed on the dashboard, so shared chunks are cached for
  // every page but the dashboard's own: load a blank context for "cold".
  const coldCtx = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  await coldCtx.addCookies(await ctx.cookies());
  const coldPage = await coldCtx.newPage();
  const coldCdp = await coldCtx.newCDPSession(coldPage);
  await coldCdp.send('Network.enable');
  let coldBytes = 0;
  coldCdp.on('Network.loadingFinished', (e) => { coldBytes += e.encodedDataLength; });
  await coldPage.goto(`${BASE}${path}`);
  const ct = await coldPage.waitForFunction((s) => document.querySelector(s) && performance.now(), sel, { polling: 'raf', timeout: 60000 });
  const cold = { ms: Math.round(await ct.jsonValue()), bytes: coldBytes };
  await coldCtx.close();
  const warm = await load();
  frames.length = 0;
  await page.waitForTimeout(6000); // a few live updates (1 s and 5 s channels)
  const sizes = frames.map((f) => f[1]).sort((a, b) => a - b);
  const live = { channels: [...new Set(frames.map((f) => f[0].replace(/:.*/, ':…')))], frames: sizes.length,
    median: sizes[Math.floor(sizes.length / 2)] || 0, max: sizes[sizes.length - 1] || 0 };
  console.log(JSON.stringify({ page: id, first_render_cold_ms: cold.ms, first_load_cold_bytes: cold.bytes, first_render_warm_ms: warm.ms,
    first_load_warm_bytes: warm.bytes, live_update_bytes_median: live.median, live_update_bytes_max: live.max, live_channels: live.channels }));
  return { ctx, page, cdp };
}

const open = [];
for (const [id, path, sel] of PAGES) if (!ONLY || ONLY.has(id)) open.push([id, await measure(id, path, sel)]);

// Leave every page open, live, then read each tab's JS heap.
await new Promise((r) => setTimeout(r, MINUTES * 60 * 1000));
for (const [id, { cdp }] of open) {
  await cdp.send('Performance.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const heap = metrics.find((m) => m.name === 'JSHeapUsedSize').value;
  const nodes = metrics.find((m) => m.name === 'Nodes').value;
  console.log(JSON.stringify({ page: id, minutes_open: MINUTES, js_heap_used_bytes: heap, dom_nodes: nodes }));
}
await browser.close();
