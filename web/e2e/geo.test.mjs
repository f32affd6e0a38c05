// Browser tests of the ASN Analysis, Flow Globe and Site Map pages. Run by
// internal/webui/e2e (TestBrowserGeo) against the fake source with an admin
// and a read-only viewer. The globe is checked twice: in a browser with
// WebGL (software, SwiftShader) it draws a WebGL canvas; with WebGL and the
// 3-D APIs disabled the same page falls back to a flat map.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { launch, login, CHROMIUM } from './browser.mjs';

const BASE = process.env.BASE_URL;
const ADMIN = { user: process.env.ADMIN_USER, pass: process.env.ADMIN_PASS };
const VIEWER = { user: process.env.VIEWER_USER, pass: process.env.VIEWER_PASS };

let browser;
let noGL;
const pageErrors = [];
const offOrigin = [];

async function newPage(b, who = ADMIN) {
  const ctx = await b.newContext({ viewport: { width: 1366, height: 900 }, reducedMotion: 'reduce' });
  const p = await ctx.newPage();
  p.on('pageerror', (e) => pageErrors.push(e.message));
  p.on('console', (m) => { if (m.type() === 'error' && /Content Security Policy|Refused to|Invalid expression/i.test(m.text())) pageErrors.push(m.text()); });
  p.on('request', (r) => { const u = r.url(); if (!u.startsWith(BASE) && !u.startsWith('data:') && !u.startsWith('blob:')) offOrigin.push(u); });
  await login(p, BASE, who.user, who.pass);
  return p;
}

before(async () => {
  assert.ok(BASE && ADMIN.user && VIEWER.user, 'BASE_URL and the users must be set');
  browser = await launch();
  noGL = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-webgl', '--disable-3d-apis', '--disable-quic', '--no-first-run'] });
});

after(async () => {
  await browser?.close();
  await noGL?.close();
  assert.deepEqual(pageErrors, [], 'no script errors or CSP refusals');
  assert.deepEqual(offOrigin, [], 'nothing loaded from another origin');
});

// Hover the chart at a geographic coordinate; returns the tooltip text.
async function hoverAt(p, sel, seriesIndex, lonlat) {
  const [x, y] = await p.evaluate(([s, i, ll]) => {
    const el = document.querySelector(s);
    const r = el.getBoundingClientRect();
    const [px, py] = el.chart.convertToPixel({ seriesIndex: i }, ll);
    return [r.left + px, r.top + py];
  }, [sel, seriesIndex, lonlat]);
  await p.mouse.move(x, y);
  await p.waitForFunction((s) => [...document.querySelectorAll(`${s} div`)].some((d) => d.style.display !== 'none' && /AS\d|circuits/.test(d.textContent)), sel);
  return p.evaluate((s) => [...document.querySelectorAll(`${s} div`)].filter((d) => d.style.display !== 'none' && /AS\d|circuits/.test(d.textContent)).map((d) => d.textContent).join(' | '), sel);
}

test('ASN Analysis: table, window, search, sort, chart, detail with flows and circuits, privacy', async () => {
  const p = await newPage(browser);
  // The window fills from the hub's samples (every SlowInterval).
  await p.waitForFunction(async () => (await (await fetch('/api/asn')).json()).rows.length > 0, null, { polling: 500 });
  await p.goto(`${BASE}/asn_analysis.html`);
  await p.waitForSelector('#asn-table tbody tr[data-key]');
  assert.equal(await p.textContent('h1'), 'ASN Analysis');
  assert.equal(await p.getAttribute('#nav-pages a.active', 'data-page'), 'asn');
  const rows = await p.$$eval('#asn-table tbody tr[data-key]', (trs) => trs.map((tr) => tr.dataset.key));
  assert.equal(rows.length, 16);
  await p.waitForSelector('#chart-top-asns [data-ready="true"]');
  // Sort by median RTT (descending on first click of a number column).
  await p.click('#asn-table th[data-key="rtt_ms"]');
  const rtts = await p.$$eval('#asn-table tbody tr td:nth-child(8)', (tds) => tds.map((td) => parseFloat(td.textContent)));
  assert.deepEqual(rtts, [...rtts].sort((a, b) => b - a));
  // Search by name.
  await p.fill('#asn-search', 'cloudflare');
  await p.waitForFunction(() => document.querySelectorAll('#asn-table tbody tr[data-key]').length === 1);
  assert.equal(await p.getAttribute('#asn-table tbody tr[data-key]', 'data-key'), '13335');
  await p.fill('#asn-search', '');
  await p.waitForFunction(() => document.querySelectorAll('#asn-table tbody tr[data-key]').length === 16);
  // Window: 1 hour.
  await p.click('#asn-range [data-range="1h"]');
  await p.waitForURL(/range=1h/);
  await p.waitForSelector('#asn-table tbody tr[data-key="15169"]');
  // Click an AS: its flows and the circuits using it.
  await p.click('#asn-table tbody tr[data-key="15169"] .asn-link');
  await p.waitForSelector('#asn-flows-table tbody tr[data-key]');
  assert.match(await p.textContent('#asn-detail-title'), /AS15169 Google LLC \(US\)/);
  const remote = await p.textContent('#asn-flows-table tbody tr[data-key] td:nth-child(2)');
  assert.match(remote, /^(203\.0\.113\.|2001:db8:)/);
  const link = await p.getAttribute('#asn-circuits-table a.asn-circuit-link', 'href');
  assert.match(link, /^\/circuit\.html\?id=c\d+$/);
  assert.ok(await p.$('#geo-credit a[href="https://db-ip.com"]'), 'DB-IP attribution on the page');
  // Privacy mode: the server masks addresses and names (canvases included).
  await p.click('#redact-btn');
  await p.waitForFunction(() => document.querySelector('#asn-flows-table tbody tr[data-key] td:nth-child(2)')?.textContent.startsWith('[redacted]'));
  assert.equal((await p.textContent('#asn-circuits-table tbody tr td:nth-child(1)')).trim(), '[redacted]');
  await p.click('#redact-btn');
  await p.context().close();
});

test('Flow Globe with WebGL: the globe canvas is a WebGL one and draws', async () => {
  const p = await newPage(browser);
  await p.goto(`${BASE}/flow_map.html`);
  await p.waitForSelector('#globe-chart[data-ready="true"]');
  assert.equal(await p.getAttribute('#globe-chart', 'data-mode'), 'globe');
  assert.equal(await p.$('#webgl-missing'), null);
  assert.equal((await p.textContent('#globe-count')).trim(), '16 endpoints');
  // ECharts GL renders into a canvas with a WebGL context.
  await p.waitForFunction(() => [...document.querySelectorAll('#globe-chart canvas')].some((c) => c.getContext('webgl2') || c.getContext('webgl')));
  // And it drew something: a blank canvas compresses to a tiny PNG.
  // ECharts GL draws in its own animation loop: look until a frame shows.
  let shot = await p.locator('#globe-chart').screenshot();
  for (let i = 0; i < 50 && shot.length <= 30000; i++) {
    await p.evaluate(() => new Promise((r) => { requestAnimationFrame(() => r()); }));
    shot = await p.locator('#globe-chart').screenshot();
  }
  assert.ok(shot.length > 30000, `globe screenshot ${shot.length} bytes looks blank`);
  assert.match(await p.textContent('#globe-legend'), /Colour: RTT.*< 20 ms.*≥ 200 ms.*Width: bytes/);
  // Density: the request follows the select.
  const req = p.waitForRequest((r) => r.url().includes('/api/flowmap?limit=250'));
  await p.selectOption('#globe-density', '250');
  await req;
  await p.waitForURL(/n=250/);
  // Switch to the flat map by hand.
  await p.click('#mode-flat');
  await p.waitForSelector('#globe-chart[data-mode="flat"][data-ready="true"]');
  await p.context().close();
});

test('Flow Globe without WebGL falls back to a flat map with tooltips', async () => {
  const p = await newPage(noGL);
  await p.goto(`${BASE}/flow_map.html`);
  await p.waitForSelector('#globe-chart[data-ready="true"]');
  assert.equal(await p.getAttribute('#globe-chart', 'data-mode'), 'flat');
  assert.ok(await p.isVisible('#webgl-missing'));
  assert.ok(await p.isDisabled('#mode-globe'));
  assert.equal(await p.evaluate(() => [...document.querySelectorAll('#globe-chart canvas')].some((c) => c.getContext('webgl'))), false);
  const ep = await p.evaluate(async () => (await (await fetch('/api/flowmap')).json()).endpoints.find((e) => e.asn === 1221));
  const tip = await hoverAt(p, '#globe-chart', 1, [ep.lon, ep.lat]);
  assert.match(tip, /Sydney, AU.*AS1221 Telstra Limited.*RTT/);
  await p.context().close();
});

test('Site Map: mapped nodes, links, unmapped list, colour switch, click-through, privacy', async () => {
  const p = await newPage(browser, VIEWER); // read-only users see it too
  await p.goto(`${BASE}/site_map.html`);
  await p.waitForSelector('#site-map-chart[data-ready="true"]');
  assert.equal((await p.textContent('#map-count')).trim(), '4 on the map');
  assert.equal((await p.textContent('#unmapped-badge')).trim(), '1 without coordinates');
  assert.deepEqual(await p.$$eval('#unmapped-table tbody tr td:first-child', (tds) => tds.map((td) => td.textContent)), ['Riverside AP']);
  assert.match(await p.textContent('#map-legend'), /download utilisation/);
  await p.click('#map-metric [data-metric="rtt"]');
  await p.waitForFunction(() => /median RTT/.test(document.querySelector('#map-legend').textContent));
  const tip = await hoverAt(p, '#site-map-chart', 1, [-73.8648, 40.8448]);
  assert.match(tip, /Tower North.*circuits · coordinates from network\.json/);
  await p.mouse.down();
  await p.mouse.up();
  await p.waitForURL(`${BASE}/node.html?id=tower-north`);
  await p.goto(`${BASE}/site_map.html`);
  await p.waitForSelector('#site-map-chart[data-ready="true"]');
  await p.click('#redact-btn');
  await p.waitForFunction(() => document.querySelector('#unmapped-table tbody tr td')?.textContent === '[redacted]');
  // The chart takes new data on its next frame (lazyUpdate): wait until its model has it.
  await p.waitForFunction(() => JSON.stringify(document.querySelector('#site-map-chart').chart.getOption().series).includes('[redacted]'));
  const red = await hoverAt(p, '#site-map-chart', 1, [-73.8648, 40.8448]);
  assert.ok(!red.includes('Tower North') && red.includes('[redacted]'), red);
  await p.click('#redact-btn');
  await p.context().close();
});

test('About lists the data and its licences', async () => {
  const p = await newPage(browser, VIEWER);
  await p.click('#user-btn');
  await p.click('#about-menu');
  await p.waitForSelector('#about-credits tbody tr');
  const t = await p.textContent('#about-credits');
  for (const w of ['DB-IP', 'CC BY 4.0', 'RouteViews', 'Natural Earth', 'world-atlas 2.0.2', 'echarts-gl 2.1.0', 'ISC']) assert.ok(t.includes(w), `${w} in About`);
  assert.match(await p.textContent('#about-files'), /asn: \(demo data\)/);
  await p.context().close();
});
