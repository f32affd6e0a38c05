// Browser tests of the network pages (tree, node, circuit, CPU, devices,
// unknown IPs) and the shell around them. Run by internal/webui/e2e
// (TestBrowserPages) against the fake source with two users made up front:
// admin (ADMIN_USER/ADMIN_PASS) and a read-only viewer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, login } from './browser.mjs';

const BASE = process.env.BASE_URL;
const CONTROL = process.env.CONTROL_URL;
const ADMIN = { user: process.env.ADMIN_USER, pass: process.env.ADMIN_PASS };
const VIEWER = { user: process.env.VIEWER_USER, pass: process.env.VIEWER_PASS };

let browser;
let page;
const pageErrors = [];
const offOrigin = [];

async function newPage(viewport = { width: 1366, height: 768 }) {
  const ctx = await browser.newContext({ viewport, reducedMotion: 'reduce' }); // no Bootstrap transitions to race
  const p = await ctx.newPage();
  p.on('pageerror', (e) => pageErrors.push(e.message));
  p.on('console', (m) => { if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) pageErrors.push(m.text()); });
  // No page may load anything from another origin.
  p.on('request', (r) => { const u = r.url(); if (!u.startsWith(BASE) && !u.startsWith('data:') && !u.startsWith('blob:')) offOrigin.push(u); });
  p.on('download', () => {});
  return p;
}

const text = (p, sel) => p.textContent(sel);
const blurOf = (p, sel) => p.evaluate((s) => getComputedStyle(document.querySelector(s)).filter, sel);
const colTexts = (p, table, n) => p.$$eval(`${table} tbody tr td:nth-child(${n})`, (tds) => tds.map((td) => td.textContent.trim()));

before(async () => {
  assert.ok(BASE && CONTROL, 'BASE_URL and CONTROL_URL must be set');
  browser = await launch();
  page = await newPage();
  await login(page, BASE, ADMIN.user, ADMIN.pass);
});

after(async () => { await browser?.close(); });

test('navigation comes from the page registry and marks the current page', async () => {
  const links = await page.$$eval('#nav-pages a', (as) => as.map((a) => [a.dataset.page, a.getAttribute('href')]));
  assert.deepEqual(links, [['dashboard', '/index.html'], ['tree', '/tree.html'], ['cpu', '/cpu.html'], ['devices', '/devices.html'], ['unknown', '/unknown.html'],
    ['asn', '/asn_analysis.html'], ['globe', '/flow_map.html'], ['sitemap', '/site_map.html'], ['config', '/config.html']]);
  assert.equal(await page.getAttribute('#nav-pages a.active', 'data-page'), 'dashboard');
  await page.click('#nav-pages a[data-page="tree"]');
  await page.waitForURL(`${BASE}/tree.html`);
  assert.equal(await page.getAttribute('#nav-pages a.active', 'data-page'), 'tree');
  assert.equal(await text(page, 'h1'), 'Network Tree');
  assert.equal(await page.title(), 'Network Tree – demo-shaper – LibreQoS');
});

test('tree: expand, collapse, search, sort and live figures', async () => {
  await page.goto(`${BASE}/tree.html`);
  await page.waitForSelector('#tree-table tr.tree-row');
  // Top level only at first: Downtown POP, Generated_PN_1, Hilltop (by name).
  assert.deepEqual(await page.$$eval('#tree-table tr.tree-row a.node-link', (as) => as.map((a) => a.textContent)), ['Downtown POP', 'Generated_PN_1', 'Hilltop']);
  assert.ok(await page.$('#tree-table tr[data-id="Generated_PN_1"] .badge-generated'), 'generated node marked');
  assert.ok(await page.$('#tree-table tr[data-id="hilltop"] .badge-top'), 'top-level node marked');
  await page.click('#tree-table tr[data-id="pop-downtown"] .tree-toggle');
  await page.waitForSelector('#tree-table tr[data-id="tower-north"]');
  assert.equal(await page.getAttribute('#tree-table tr[data-id="pop-downtown"] .tree-toggle', 'aria-expanded'), 'true');
  await page.click('#tree-table tr[data-id="pop-downtown"] .tree-toggle');
  await page.waitForSelector('#tree-table tr[data-id="tower-north"]', { state: 'detached' });
  // Circuits count the whole subtree: Downtown POP has Tower North, Tower South and Riverside AP below it.
  assert.equal(await text(page, '#tree-table tr[data-id="pop-downtown"] td:nth-child(2)'), '32');
  // Search finds a nested node and shows its ancestors.
  await page.fill('#tree-search', 'river');
  await page.waitForFunction(() => document.querySelectorAll('#tree-table tr.tree-row').length === 3);
  assert.deepEqual(await page.$$eval('#tree-table tr.tree-row', (rs) => rs.map((r) => r.dataset.id)), ['pop-downtown', 'tower-south', 'ap-riverside']);
  assert.match(page.url(), /q=river/, 'search is in the URL');
  await page.fill('#tree-search', '');
  // Sort by circuits, descending (click twice: numbers start descending).
  await page.click('#tree-expand-all');
  await page.click('#tree-table th[data-key="circuits"]');
  assert.equal(await page.getAttribute('#tree-table th[data-key="circuits"]', 'aria-sort'), 'descending');
  const top = await page.$$eval('#tree-table tr.tree-row', (rs) => rs.filter((r) => r.querySelector('.badge-top')).map((r) => r.dataset.id));
  assert.deepEqual(top, ['pop-downtown', 'hilltop', 'Generated_PN_1']);
  assert.match(page.url(), /sort=circuits/);
  // Live: the download cell changes over the websocket.
  const cell = '#tree-table tr[data-id="pop-downtown"] td:nth-child(3)';
  const first = await text(page, cell);
  await page.waitForFunction(([s, v]) => document.querySelector(s).textContent !== v, [cell, first], { timeout: 15000 });
  assert.match(await text(page, cell), /bps$/);
  assert.match(await text(page, '#tree-table tr[data-id="pop-downtown"] .util-pct'), /^\d+%$/);
});

test('node page: drill down, figures, history, children and circuits', async () => {
  await page.goto(`${BASE}/tree.html`);
  await page.click('#tree-table tr[data-id="pop-downtown"] a.node-link');
  await page.waitForURL(`${BASE}/node.html?id=pop-downtown`);
  await page.waitForSelector('#children-table');
  assert.equal(await text(page, 'h1'), 'Downtown POP');
  assert.deepEqual(await colTexts(page, '#children-table', 1), ['Tower North', 'Tower South']);
  assert.match(await text(page, '#node-circuits'), /^32$/);
  assert.match(await text(page, '#node-down'), /bps$/);
  // Circuits attached directly: Downtown POP has 8 of its own.
  await page.waitForFunction(() => document.querySelectorAll('#node-circuits-table tbody tr').length === 8);
  // History grows from the live channel and has a text alternative.
  await page.waitForFunction(() => /^[1-9]\d* samples/.test(document.getElementById('history-count').textContent), null, { timeout: 15000 });
  await page.waitForSelector('#chart-throughput [data-ready="true"] canvas, #chart-throughput canvas');
  assert.equal(await page.getAttribute('#chart-throughput [role="img"]', 'aria-label'), 'Throughput over time, download and upload');
  assert.match(await text(page, '#chart-throughput figcaption'), /Latest download .*bps/);
  await page.click('#range-select [data-range="1h"]');
  await page.waitForURL(/range=1h/);
  await page.waitForSelector('#range-select [data-range="1h"][aria-pressed="true"]');
  // Child link and the breadcrumb back up.
  await page.click('#children-table a:has-text("Tower South")');
  await page.waitForURL(`${BASE}/node.html?id=tower-south`);
  await page.waitForSelector('#breadcrumb');
  assert.deepEqual(await page.$$eval('#breadcrumb li', (li) => li.map((x) => x.textContent)), ['Network', 'Downtown POP', 'Tower South']);
  await page.click('#breadcrumb a:has-text("Downtown POP")');
  await page.waitForURL(`${BASE}/node.html?id=pop-downtown`);
  // An unknown node says so.
  await page.goto(`${BASE}/node.html?id=nope`);
  await page.waitForSelector('#page-error');
  assert.match(await text(page, '#page-error'), /No such node/);
});

test('circuit page: devices, plan, parents, charts, queues and sortable flows', async () => {
  await page.goto(`${BASE}/node.html?id=ap-riverside`);
  await page.waitForSelector('#node-circuits-table a.circuit-link');
  // The table is sorted by live rate, so the first row may change: read
  // name and link at once and click that link.
  const [name, href] = await page.$eval('#node-circuits-table a.circuit-link', (a) => [a.textContent, a.getAttribute('href')]);
  await page.click(`#node-circuits-table a.circuit-link[href="${href}"]`);
  await page.waitForURL(/\/circuit\.html\?id=c\d+/);
  await page.waitForSelector('#flows-table');
  assert.equal(await text(page, 'h1'), name);
  assert.deepEqual(await page.$$eval('#breadcrumb li', (li) => li.map((x) => x.textContent)), ['Network', 'Downtown POP', 'Tower South', 'Riverside AP']);
  assert.match(await text(page, '#circuit-down'), /bps$/);
  assert.match(await text(page, '#circuit-stats'), /plan \d+–\d+ Mbps/);
  assert.ok((await page.$$('#devices-table tbody tr')).length >= 1);
  assert.match(await text(page, '#devices-table tbody'), /02:00:5e:/);
  assert.deepEqual(await colTexts(page, '#queues-table', 1), ['Download', 'Upload']);
  assert.match(await text(page, '#queues-table tbody'), /cake/);
  assert.equal((await page.$$('#flows-table tbody tr')).length, 5);
  // Sort flows by RTT both ways. Live updates may change the values
  // between the two reads, so each read is checked against the direction
  // its header announces rather than one being the other reversed.
  const ms = (col) => col.filter((v) => v !== '–').map((v) => parseFloat(v));
  const ordered = (xs, dir) => xs.every((x, i) => i === 0 || dir * (x - xs[i - 1]) >= 0);
  const dirs = [];
  for (let click = 0; click < 2; click++) {
    await page.click('#flows-table th[data-key="rtt"]');
    const aria = await page.getAttribute('#flows-table th[data-key="rtt"]', 'aria-sort');
    const col = await colTexts(page, '#flows-table', 6);
    assert.ok(ms(col).length >= 2 && ordered(ms(col), aria === 'ascending' ? 1 : -1), `${aria}: ${col}`);
    dirs.push(aria);
  }
  assert.deepEqual(dirs.sort(), ['ascending', 'descending']);
  // Live: one-second history fills in.
  await page.waitForFunction(() => /^[1-9]\d* samples · 1 s/.test(document.getElementById('history-count').textContent), null, { timeout: 15000 });
  assert.match(await text(page, '#chart-throughput figcaption'), /Latest download/);
});

test('CPU page: branches per CPU, weights, load, imbalance and plan notes', async () => {
  await page.goto(`${BASE}/cpu.html`);
  await page.waitForSelector('#cpu-table tbody tr');
  assert.equal((await page.$$('#cpu-table tbody tr')).length, 4);
  assert.equal(await text(page, '#cpu-mode'), 'Multi-queue');
  assert.match(await text(page, '#cpu-imbalance'), /^\d+\.\d\d×$/);
  assert.match(await text(page, '#cpu-heaviest'), /Downtown POP/);
  const nodes = await page.$$eval('#cpu-table .cpu-node', (as) => as.map((a) => a.textContent));
  assert.deepEqual(nodes.sort(), ['Downtown POP', 'Generated_PN_1', 'Hilltop']);
  await fetch(`${CONTROL}/cpumode?mode=single-queue`, { method: 'POST' });
  await page.waitForSelector('#cpu-note', { timeout: 15000 });
  assert.match(await text(page, '#cpu-note'), /one transmit queue/);
  await page.waitForFunction(() => document.querySelectorAll('#cpu-table tbody tr').length === 1);
  await fetch(`${CONTROL}/cpumode?mode=multi-queue`, { method: 'POST' });
  await page.click('#cpu-table a.cpu-node:has-text("Hilltop")');
  await page.waitForURL(`${BASE}/node.html?id=hilltop`);
});

test('shaped devices: search, sort, paging, link to the circuit', async () => {
  await page.goto(`${BASE}/devices.html`);
  await page.waitForSelector('#devices-list tbody tr');
  assert.equal(await text(page, '#devices-count'), '47 of 47 devices');
  assert.equal((await page.$$('#devices-list tbody tr')).length, 47);
  await page.click('#devices-list th[data-key="max_down"]');
  await page.waitForFunction(() => document.querySelector('#devices-list th[data-key="max_down"]').getAttribute('aria-sort') === 'descending');
  await page.waitForFunction(() => /^25–500/.test(document.querySelector('#devices-list tbody tr td:nth-child(6)')?.textContent || '') || /500 Mbps$/.test(document.querySelector('#devices-list tbody tr td:nth-child(6)')?.textContent || ''));
  assert.match(await text(page, '#devices-list tbody tr td:nth-child(6)'), /500 Mbps$/);
  await page.fill('#devices-search', 'Judy');
  await page.waitForFunction(() => document.getElementById('devices-count')?.textContent === '4 of 47 devices');
  assert.match(page.url(), /q=Judy/);
  // Searching by IP prefix.
  await page.fill('#devices-search', '100.65.0.');
  await page.waitForFunction(() => document.getElementById('devices-count')?.textContent === '7 of 47 devices');
  await page.click('#devices-list a.circuit-link');
  await page.waitForURL(/\/circuit\.html\?id=c\d+/);
  await page.waitForSelector('h1');
});

test('dynamic (RADIUS) circuits are marked in Shaped Devices and on their page', async () => {
  await page.goto(`${BASE}/devices.html`);
  await page.waitForSelector('#devices-list tbody tr');
  const badges = await page.$$('#devices-list .dynamic-badge');
  assert.ok(badges.length >= 2, `want the demo's dynamic devices marked, got ${badges.length}`);
  const row = await page.$('#devices-list tbody tr:has(.dynamic-badge)');
  await (await row.$('a.circuit-link')).click();
  await page.waitForURL(/\/circuit\.html\?id=c\d+/);
  await page.waitForSelector('#circuit-dynamic');
  assert.equal(await text(page, '#circuit-dynamic'), 'dynamic (RADIUS)');
});

test('shaped devices page server-side paging', async () => {
  const r = await page.evaluate(async () => (await fetch('/api/devices?limit=10&offset=40&sort=circuit_id')).json());
  assert.equal(r.rows.length, 7);
  assert.equal(r.offset, 40);
  await page.goto(`${BASE}/devices.html?page=0`);
  await page.waitForSelector('#devices-list tbody tr');
  assert.equal(await page.isDisabled('.pager-next'), true, '47 rows fit on one page of 50');
});

test('unknown IPs: list, sort and CSV export', async () => {
  await page.goto(`${BASE}/unknown.html`);
  await page.waitForSelector('#unknown-table tbody tr');
  assert.equal((await page.$$('#unknown-table tbody tr')).length, 4);
  assert.equal((await colTexts(page, '#unknown-table', 1))[0], '100.66.0.23', 'largest first');
  await page.click('#unknown-table th[data-key="ip"]');
  assert.equal((await colTexts(page, '#unknown-table', 1))[0], '100.66.0.20');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#unknown-csv')]);
  const path = await dl.path();
  const { readFileSync } = await import('node:fs');
  const csv = readFileSync(path, 'utf8').trim().split('\n');
  assert.equal(csv[0], 'ip,bytes_down,bytes_up,bps_down,bps_up,last_seen');
  assert.equal(csv.length, 5);
  assert.match(csv[1], /^100\.66\.0\.23,\d+,\d+,\d+,\d+,\d{4}-\d\d-\d\dT/);
});

test('global search jumps to circuits, devices and nodes', async () => {
  await page.goto(`${BASE}/index.html`);
  // The shell installs the '/' shortcut when it builds the search box.
  await page.waitForSelector('#global-search');
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'global-search');
  await page.keyboard.type('100.64.0.12');
  await page.waitForSelector('#search-results .search-hit');
  assert.equal(await page.getAttribute('#search-results .search-hit', 'data-kind'), 'circuit');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/circuit\.html\?id=c1002/);
  await page.fill('#global-search', 'riverside');
  await page.waitForSelector('#search-results .search-hit[data-kind="node"]');
  await page.click('#search-results .search-hit[data-kind="node"]');
  await page.waitForURL(`${BASE}/node.html?id=ap-riverside`);
  await page.fill('#global-search', 'zzzz-nothing');
  await page.waitForSelector('#search-empty');
  await page.keyboard.press('Escape');
  await page.waitForSelector('#search-results', { state: 'hidden' });
});

test('dashboard tables sort and keep their order across live updates', async () => {
  await page.goto(`${BASE}/index.html`);
  await page.waitForFunction(() => document.querySelectorAll('#top-table tr').length === 10);
  await page.click('#top-circuits-table th[data-key="up"]');
  assert.equal(await page.getAttribute('#top-circuits-table th[data-key="up"]', 'aria-sort'), 'descending');
  const ups = () => page.$$eval('#top-table tr td:nth-child(4)', (tds) => tds.map((td) => Number(td.dataset.sort)));
  const sortedDesc = (v) => v.every((x, i) => i === 0 || v[i - 1] >= x);
  assert.ok(sortedDesc(await ups()));
  const before = await page.textContent('#top-table');
  await page.waitForFunction((b) => document.getElementById('top-table').textContent !== b, before, { timeout: 20000 });
  assert.ok(sortedDesc(await ups()), 'still sorted after a live update');
  await page.click('#worst-rtt-table th[data-key="name"]');
  const names = await page.$$eval('#rtt-table tr td:nth-child(1)', (tds) => tds.map((td) => td.textContent.toLowerCase()));
  assert.deepEqual(names, [...names].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })));
  assert.equal(await page.textContent('h1'), 'Dashboard');
  assert.match(await page.textContent('#tp-chart-summary'), /^Now: download .*bps/);
});

test('dashboard names link to circuit and node pages', async () => {
  await page.goto(`${BASE}/index.html`);
  await page.waitForSelector('#top-table a[href^="/circuit.html?id="]');
  await page.waitForSelector('#rtt-table a[href^="/node.html?id="]');
  await page.click('#rtt-table a[href^="/node.html?id="]');
  await page.waitForURL(/\/node\.html\?id=/);
  await page.waitForSelector('#children-table');
});

test('redaction masks names, IPs and MACs on every page', async () => {
  await page.goto(`${BASE}/tree.html`);
  await page.waitForSelector('#tree-table a.node-link');
  await page.click('#redact-btn');
  const checks = [
    ['/tree.html', '#tree-table a.node-link .redactable'],
    ['/node.html?id=pop-downtown', 'h1 .redactable'],
    ['/circuit.html?id=c1000', '#devices-table tbody td:nth-child(3) .redactable'],
    ['/circuit.html?id=c1000', '#flows-table tbody td:nth-child(1) .redactable'],
    ['/cpu.html', '#cpu-table .cpu-node .redactable'],
    ['/devices.html', '#devices-list tbody td:nth-child(5) .redactable'],
    ['/unknown.html', '#unknown-table tbody td:nth-child(1) .redactable'],
  ];
  for (const [url, sel] of checks) {
    await page.goto(`${BASE}${url}`);
    await page.waitForSelector(sel);
    assert.equal(await blurOf(page, sel), 'blur(8px)', `${url} ${sel}`);
  }
  await page.click('#redact-btn');
  assert.equal(await blurOf(page, '#unknown-table tbody td:nth-child(1) .redactable'), 'none');
});

test('read-only user sees every page', async () => {
  const vp = await newPage();
  await login(vp, BASE, VIEWER.user, VIEWER.pass);
  for (const [url, sel] of [['/tree.html', '#tree-table tr.tree-row'], ['/node.html?id=hilltop', '#children-table'], ['/circuit.html?id=c1004', '#flows-table'],
    ['/cpu.html', '#cpu-table tbody tr'], ['/devices.html', '#devices-list tbody tr'], ['/unknown.html', '#unknown-table tbody tr']]) {
    await vp.goto(`${BASE}${url}`);
    await vp.waitForSelector(sel);
    assert.equal(await vp.$('#page-error'), null, url);
    assert.equal((await vp.$$('h1')).length, 1, `${url} has one h1`);
  }
  await vp.context().close();
});

test('phone width: the navigation folds into a menu', async () => {
  const pp = await newPage({ width: 390, height: 844 });
  await login(pp, BASE, ADMIN.user, ADMIN.pass);
  assert.equal(await pp.isVisible('#sched-btn'), false, 'folded away');
  assert.equal(await pp.isVisible('#nav-toggle'), true);
  await pp.click('#nav-toggle');
  await pp.waitForSelector('#nav-collapse.show');
  for (const sel of ['#sched-btn', '#urgent-btn', '#user-btn', '#global-search', '#nav-pages a[data-page="tree"]']) {
    await pp.waitForSelector(sel, { state: 'visible' });
    const box = await pp.locator(sel).boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 390, `${sel} on screen: ${JSON.stringify(box)}`);
  }
  // No page scrolls sideways at phone width.
  for (const url of ['/tree.html', '/devices.html', '/cpu.html']) {
    await pp.goto(`${BASE}${url}`);
    await pp.waitForSelector('h1');
    assert.ok(await pp.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), `${url} fits`);
  }
  await pp.context().close();
});

test('live values dim with a stale mark while the websocket reconnects', async () => {
  const sp = await newPage();
  await login(sp, BASE, ADMIN.user, ADMIN.pass);
  // The test stands between page and server: it can cut the socket and
  // refuse reconnects, like a network outage or an lqosd restart.
  let outage = false;
  let current = null;
  await sp.routeWebSocket(/\/ws$/, (ws) => {
    if (outage) { ws.close({ code: 1011, reason: 'outage' }); return; }
    current = ws;
    ws.connectToServer();
  });
  await sp.goto(`${BASE}/tree.html`);
  await sp.waitForSelector('#tree-table td.live');
  await sp.waitForFunction(() => document.documentElement.dataset.live === 'open');
  assert.equal(await sp.isVisible('#stale-badge'), false);
  outage = true;
  await current.close({ code: 1012, reason: 'restart' });
  await sp.waitForSelector('#stale-badge', { state: 'visible' });
  await sp.waitForFunction(() => getComputedStyle(document.querySelector('#tree-table td.live')).opacity === '0.45');
  outage = false;
  await sp.waitForSelector('#stale-badge', { state: 'hidden', timeout: 20000 });
  assert.equal(await sp.evaluate(() => getComputedStyle(document.querySelector('#tree-table td.live')).opacity), '1');
  await sp.context().close();
});

test('focus stays in the urgent modal after Acknowledge, and Escape closes it', async () => {
  await fetch(`${CONTROL}/urgent`, { method: 'POST', body: JSON.stringify({ source: 'System', severity: 'Warning', code: 'X1', clearable: true, message: 'one' }) });
  await fetch(`${CONTROL}/urgent`, { method: 'POST', body: JSON.stringify({ source: 'System', severity: 'Warning', code: 'X2', clearable: true, message: 'two' }) });
  await page.goto(`${BASE}/index.html`);
  await page.waitForSelector('#urgent-btn:not([data-count="0"])', { timeout: 20000 });
  await page.click('#urgent-btn');
  await page.waitForSelector('#urgent-modal.show .urgent-ack');
  await page.click('#urgent-modal .urgent-ack');
  await page.waitForFunction(() => document.getElementById('urgent-modal').contains(document.activeElement));
  await page.keyboard.press('Escape');
  await page.waitForSelector('#urgent-modal', { state: 'hidden' });
  // Focus returns to the button that opened the modal.
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'urgent-btn');
});

test('no script errors, CSP violations or other origins', () => {
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(offOrigin, []);
});
