// Browser tests of the configuration editors. Run by internal/webui/e2e
// (TestBrowserConfig) on a copy of examples/ in CONFIG_DIR, with a fake
// Netzur server at NETZUR_URL accepting NETZUR_KEY.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, login } from './browser.mjs';

const BASE = process.env.BASE_URL;
const DIR = process.env.CONFIG_DIR;
const ADMIN = { user: process.env.ADMIN_USER, pass: process.env.ADMIN_PASS };
const VIEWER = { user: process.env.VIEWER_USER, pass: process.env.VIEWER_PASS };
const file = (f) => readFileSync(join(DIR, f));

let browser;
let page;
const pageErrors = [];

async function newPage() {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, reducedMotion: 'reduce' });
  const p = await ctx.newPage();
  p.on('pageerror', (e) => pageErrors.push(e.message));
  p.on('console', (m) => { if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) pageErrors.push(m.text()); });
  return p;
}

async function section(p, id) {
  await p.goto(`${BASE}/config.html?section=${id}`);
  await p.waitForSelector(`#config-form[data-section="${id}"]`);
}

async function saveAndWait(p) {
  await p.click('#config-save');
  await p.waitForSelector('#save-result');
  return p.getAttribute('#save-result', 'data-status');
}

before(async () => {
  assert.ok(BASE && DIR, 'BASE_URL and CONFIG_DIR must be set');
  browser = await launch();
  page = await newPage();
  await login(page, BASE, ADMIN.user, ADMIN.pass);
});

after(async () => {
  await browser?.close();
  assert.deepEqual(pageErrors, []);
});

test('every section page renders its fields and the menu', async () => {
  await section(page, 'general');
  const menu = await page.$$eval('#config-menu a', (as) => as.map((a) => a.dataset.section));
  for (const id of ['general', 'queues', 'network_mode', 'ip_ranges', 'flows', 'integration_common', 'uisp', 'splynx', 'netzur', 'visp', 'powercode', 'sonar', 'wispgate', 'rest', 'network', 'devices', 'users']) {
    assert.ok(menu.includes(id), `menu has ${id}`);
  }
  for (const id of menu.filter((m) => !['network', 'devices', 'users'].includes(m))) {
    await section(page, id);
    assert.equal(await page.getAttribute('#config-menu a.active', 'data-section'), id);
    assert.ok((await page.$$('.config-field')).length >= 2, `${id} has fields`);
  }
  await section(page, 'general');
  assert.equal(await page.inputValue('[name="node_name"]'), 'Example Shaper');
});

test('queues: an invalid save shows the error at the field and leaves lqos.conf byte-for-byte untouched', async () => {
  const before = file('lqos.conf');
  await section(page, 'queues');
  await page.fill('[name="queues.uplink_bandwidth_mbps"]', '0');
  assert.equal(await saveAndWait(page), '422');
  assert.match(await page.textContent('.field-error[data-key="queues.uplink_bandwidth_mbps"]'), /greater than 0/);
  assert.ok(file('lqos.conf').equals(before), 'lqos.conf unchanged');
});

test('queues: a valid save writes one value, keeps comments, shows history and audit', async () => {
  const before = file('lqos.conf').toString();
  await section(page, 'queues');
  await page.selectOption('[name="queues.default_sqm"]', 'fq_codel');
  assert.equal(await saveAndWait(page), '200');
  assert.match(await page.textContent('#save-applied'), /applied by the test/);
  assert.equal(file('lqos.conf').toString(), before.replace('default_sqm = "cake diffserv4"', 'default_sqm = "fq_codel"'));
  await page.waitForSelector('#history-table tbody tr[data-id]');
  await page.waitForSelector('#audit-table tbody tr');
  assert.match(await page.textContent('#audit-table'), /queues\.default_sqm/);
});

test('a save from a stale page is refused with 409 and a clear message', async () => {
  const other = await newPage();
  await login(other, BASE, ADMIN.user, ADMIN.pass);
  await section(other, 'general');
  await section(page, 'general');
  await page.fill('[name="node_name"]', 'Renamed Shaper');
  assert.equal(await saveAndWait(page), '200');
  const after = file('lqos.conf');
  await other.fill('[name="node_name"]', 'Lost Update');
  assert.equal(await saveAndWait(other), '409');
  assert.match(await other.textContent('#save-message'), /changed on disk/);
  assert.ok(file('lqos.conf').equals(after), 'stale save wrote nothing');
  await other.context().close();
});

test('netzur: test connection against the fake server, secret stored and never shown', async () => {
  const before = file('lqos.conf');
  await section(page, 'netzur');
  await page.fill('[name="netzur_integration.api_url"]', process.env.NETZUR_URL);
  await page.fill('[name="netzur_integration.api_key"]', 'wrong-key-1');
  await page.click('#config-test');
  await page.waitForSelector('#test-result[data-kind="auth"]');
  await page.fill('[name="netzur_integration.api_key"]', process.env.NETZUR_KEY);
  await page.click('#config-test');
  await page.waitForSelector('#test-result[data-kind="ok"]');
  assert.match(await page.textContent('#test-result'), /Connection OK: [1-9]\d* circuits/);
  assert.ok(file('lqos.conf').equals(before), 'a test writes nothing');
  assert.equal(await saveAndWait(page), '200');
  assert.ok(file('lqos.conf').toString().includes(process.env.NETZUR_KEY));
  await section(page, 'netzur');
  assert.equal(await page.inputValue('[name="netzur_integration.api_key"]'), '');
  assert.match(await page.textContent('.secret-state[data-key="netzur_integration.api_key"]'), /Configured/);
  assert.ok(!(await page.content()).includes(process.env.NETZUR_KEY), 'the key is not in the page');
  // Saved key, blank field: the test still authenticates.
  await page.click('#config-test');
  await page.waitForSelector('#test-result[data-kind="ok"]');
});

test('network mode lists this machine\'s interfaces with link state and queues', async () => {
  await section(page, 'network_mode');
  await page.waitForSelector('#iface-table');
  const rows = await page.$$eval('#iface-table tbody tr', (trs) => trs.map((tr) => tr.dataset.name));
  assert.ok(!rows.includes('lo'));
  assert.equal(await page.inputValue('[name="mode"]'), 'bridge');
  assert.ok(await page.$('[name="bridge.to_internet"]'));
});

test('network layout: add a node and save; deleting a node with circuits is refused in place', async () => {
  await page.goto(`${BASE}/config-network.html`);
  await page.waitForSelector('#net-tree li[data-name="AP_A"]');
  page.once('dialog', (d) => d.accept('New_AP'));
  await page.click('#net-tree li[data-name="Site_1"] .net-add');
  await page.waitForSelector('#net-tree li[data-name="New_AP"]');
  await page.fill('#net-tree li[data-name="New_AP"] .net-down', '300');
  await page.click('#net-check');
  await page.waitForSelector('#save-result');
  const v0 = await page.getAttribute('#network-editor', 'data-version');
  await page.click('#net-save');
  await page.waitForSelector('#save-result[data-status="200"]');
  // The page reloads the saved file (new version) before the next edit.
  await page.waitForFunction((v) => document.querySelector('#network-editor')?.dataset.version !== v, v0);
  const net = JSON.parse(file('network.json'));
  assert.equal(net.Site_1.children.New_AP.downloadBandwidthMbps, 300);

  const before = file('network.json');
  await page.waitForSelector('#net-tree li[data-name="AP_A"]');
  page.once('dialog', (d) => d.accept());
  await page.click('#net-tree li[data-name="AP_A"] .net-delete');
  await page.click('#net-save');
  await page.waitForSelector('#save-result[data-status="422"]');
  await page.waitForSelector('#net-other-problems, .net-problem');
  assert.match(await page.textContent('#save-result'), /AP_A/);
  assert.ok(file('network.json').equals(before), 'network.json unchanged');
});

test('shaped devices: search, add, edit, delete; a bad import changes nothing', async () => {
  await page.goto(`${BASE}/config-devices.html`);
  await page.waitForSelector('#devices-edit-table tbody tr[data-device]');
  await page.fill('#dev-search', 'Device 2');
  await page.waitForFunction(() => document.querySelectorAll('#devices-edit-table tbody tr[data-device]').length >= 1
    && [...document.querySelectorAll('#devices-edit-table tbody tr[data-device]')].every((tr) => tr.textContent.includes('Device 2')));
  await page.fill('#dev-search', '');
  await page.click('#dev-add');
  for (const [k, v] of [['circuit_id', 'e2e-c'], ['circuit_name', 'E2E'], ['device_id', 'e2e-d'], ['device_name', 'dev'], ['parent_node', 'AP_A'], ['ipv4', '100.64.99.1']]) {
    await page.fill(`#dev-${k}`, v);
  }
  await page.click('#device-save');
  await page.waitForSelector('#save-result[data-status="200"]');
  assert.ok(file('ShapedDevices.csv').toString().includes('e2e-c,E2E,e2e-d'));
  await page.fill('#dev-search', 'e2e-d');
  await page.waitForSelector('#devices-edit-table tr[data-device="e2e-d"]');
  await page.click('#devices-edit-table tr[data-device="e2e-d"] .dev-edit');
  await page.fill('#dev-parent_node', 'No_Such_Node');
  const before = file('ShapedDevices.csv');
  await page.click('#device-save');
  await page.waitForSelector('#save-result[data-status="422"]');
  assert.ok(await page.$('.field-error[data-key="parent_node"]'), 'error shown at the Parent Node field');
  assert.ok(file('ShapedDevices.csv').equals(before), 'unchanged after the refused edit');
  await page.fill('#dev-parent_node', 'AP_A');
  await page.fill('#dev-download_max_mbps', '77');
  await page.click('#device-save');
  await page.waitForSelector('#save-result[data-status="200"]');
  assert.match(file('ShapedDevices.csv').toString(), /e2e-c,E2E,e2e-d,dev,AP_A,,,,100\.64\.99\.1,,10,10,77,100/);
  page.once('dialog', (d) => d.accept());
  await page.click('#devices-edit-table tr[data-device="e2e-d"] .dev-delete');
  await page.waitForSelector('#devices-edit-table tr[data-device="e2e-d"]', { state: 'detached' });
  assert.ok(!file('ShapedDevices.csv').toString().includes('e2e-d'));
  const beforeImport = file('ShapedDevices.csv');
  await page.setInputFiles('#dev-import', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('Circuit ID,Device ID\nx,y\n') });
  await page.waitForSelector('#save-result[data-status="422"]');
  assert.ok(file('ShapedDevices.csv').equals(beforeImport), 'bad import changed nothing');
  assert.equal(await page.getAttribute('#dev-export', 'href'), '/api/config/devices.csv');
});

test('users: add, change role, reset password, remove; the last admin stays', async () => {
  await page.goto(`${BASE}/config-users.html`);
  await page.waitForSelector('#users-table tr[data-user="admin"]');
  await page.selectOption('#users-table tr[data-user="admin"] .user-role', 'readonly');
  await page.waitForSelector('#save-result[data-status="409"]');
  await page.fill('#new-user-name', 'e2e-user');
  await page.fill('#new-user-pass', 'e2e-password-1');
  await page.click('#new-user-add');
  await page.waitForSelector('#users-table tr[data-user="e2e-user"]');
  await page.selectOption('#users-table tr[data-user="e2e-user"] .user-role', 'admin');
  await page.waitForSelector('#save-result[data-status="200"]');
  page.once('dialog', (d) => d.accept('e2e-password-2'));
  await page.click('#users-table tr[data-user="e2e-user"] .user-reset');
  await page.waitForFunction(() => /Password of e2e-user reset/.test(document.querySelector('#save-result')?.textContent || ''));
  page.once('dialog', (d) => d.accept());
  await page.click('#users-table tr[data-user="e2e-user"] .user-delete');
  await page.waitForSelector('#users-table tr[data-user="e2e-user"]', { state: 'detached' });
  assert.match(await page.textContent('#audit-table'), /user\.delete/);
});

test('read-only users see values with every save control disabled', async () => {
  const v = await newPage();
  await login(v, BASE, VIEWER.user, VIEWER.pass);
  await section(v, 'queues');
  await v.waitForSelector('#readonly-banner');
  assert.ok(await v.isDisabled('#config-save'));
  assert.ok(await v.isDisabled('[name="queues.default_sqm"]'));
  await v.goto(`${BASE}/config-devices.html`);
  await v.waitForSelector('#devices-edit-table tbody tr[data-device]');
  assert.ok(await v.isDisabled('#dev-add'));
  await v.goto(`${BASE}/config-network.html`);
  await v.waitForSelector('#net-tree li');
  assert.ok(await v.isDisabled('#net-save'));
  await v.context().close();
});

test('with an integration enabled, the layout and devices editors are read-only and say why', async () => {
  await section(page, 'splynx');
  await page.check('[name="splynx_integration.enable_splynx"]');
  assert.equal(await saveAndWait(page), '200');
  await page.goto(`${BASE}/config-network.html`);
  await page.waitForSelector('#readonly-banner');
  assert.match(await page.textContent('#readonly-banner'), /source of truth: splynx/);
  assert.ok(await page.isDisabled('#net-save'));
  await page.goto(`${BASE}/config-devices.html`);
  await page.waitForSelector('#readonly-banner');
  assert.ok(await page.isDisabled('#dev-add'));
});
