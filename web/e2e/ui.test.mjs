// Browser tests of the web UI. Run by internal/webui/e2e (go test), which
// starts the Go server on the fake source and sets BASE_URL and CONTROL_URL.
// Tests run in order and share state (the first one creates the admin).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, login } from './browser.mjs';

const BASE = process.env.BASE_URL;
const CONTROL = process.env.CONTROL_URL;
const ADMIN = { user: 'admin', pass: 'admin-password-1' };
const VIEWER = { user: 'viewer', pass: 'viewer-password-1' };

let browser;
let page; // the admin's tab
const pageErrors = [];

async function control(path, body) {
  const res = await fetch(`${CONTROL}${path}`, {
    method: body === undefined && path === '/acks' ? 'GET' : 'POST',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(res.ok, `control ${path}: ${res.status}`);
  return res.status === 204 ? null : res.json();
}

async function newPage() {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const p = await ctx.newPage();
  p.on('pageerror', (e) => pageErrors.push(e.message));
  // CSP violations show up as console errors; none may happen.
  p.on('console', (m) => { if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) pageErrors.push(m.text()); });
  p.on('dialog', (d) => d.dismiss());
  return p;
}

// fetch from inside the page with the session's CSRF token.
function apiFromPage(p, method, path, body) {
  return p.evaluate(async ([m, pth, b]) => {
    const s = await (await fetch('/api/session')).json();
    const res = await fetch(pth, {
      method: m,
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token },
      body: b === null ? undefined : JSON.stringify(b),
    });
    return { status: res.status, body: await res.text() };
  }, [method, path, body ?? null]);
}

before(async () => {
  assert.ok(BASE && CONTROL, 'BASE_URL and CONTROL_URL must be set');
  browser = await launch();
  page = await newPage();
});

after(async () => {
  await browser?.close();
});

test('first run asks for an admin and logs it in', async () => {
  await page.goto(`${BASE}/`);
  await page.waitForURL(`${BASE}/first-run.html`);
  assert.equal(await page.isVisible('#token-group'), false, 'no token needed from loopback');
  await page.fill('#username', ADMIN.user);
  await page.fill('#password', ADMIN.pass);
  await page.fill('#password2', 'different-password');
  await page.click('#first-run-submit');
  await page.waitForSelector('#first-run-error:not(.d-none)');
  assert.match(await page.textContent('#first-run-error'), /do not match/);
  await page.fill('#password2', ADMIN.pass);
  await page.click('#first-run-submit');
  await page.waitForURL(`${BASE}/index.html`);
  await page.waitForSelector('#topnav');
  assert.equal(await page.textContent('#user-name'), ADMIN.user);
  assert.equal(await page.title(), 'demo-shaper – LibreQoS');
});

test('dashboard numbers update live', async () => {
  await page.waitForFunction(() => document.getElementById('tp-down').textContent.includes('bps'));
  const first = await page.textContent('#tp-down');
  await page.waitForFunction((v) => document.getElementById('tp-down').textContent !== v, first, { timeout: 20000 });
  await page.waitForFunction(() => document.querySelectorAll('#top-table tr').length === 10);
  await page.waitForFunction(() => document.querySelectorAll('#rtt-table tr').length === 10);
  await page.waitForFunction(() => document.querySelectorAll('#cpu-cores .progress').length === 4);
  assert.match(await page.textContent('#q-circuits'), /^40 circuits$/);
  assert.equal(await page.textContent('#q-classification'), 'Classification: XDP+TC metadata');
  assert.match(await page.textContent('#shaped-pct'), /% shaped$/);
  assert.match(await page.textContent('#cpu-avg'), /^\d+%$/);
  assert.ok(await page.$('#tp-chart canvas'), 'throughput chart drawn');
  assert.ok(await page.$('#top-chart canvas'), 'top circuits chart drawn');
});

test('redaction toggles, masks and survives a reload', async () => {
  const blur = () => page.evaluate(() => getComputedStyle(document.querySelector('#top-table .redactable')).filter);
  assert.equal(await blur(), 'none');
  await page.click('#redact-btn');
  assert.equal(await blur(), 'blur(8px)');
  assert.equal(await page.evaluate(() => localStorage.getItem('redact')), 'true');
  assert.equal(await page.getAttribute('#redact-btn', 'aria-pressed'), 'true');
  await page.reload();
  await page.waitForFunction(() => document.querySelectorAll('#top-table tr').length > 0);
  assert.equal(await blur(), 'blur(8px)');
  // IP cells and site names are covered too.
  const ipFilter = await page.evaluate(() => getComputedStyle(document.querySelector('#top-table td:nth-child(2) span')).filter);
  assert.equal(ipFilter, 'blur(8px)');
  await page.click('#redact-btn');
  assert.equal(await blur(), 'none');
  await page.reload();
  await page.waitForFunction(() => document.querySelectorAll('#top-table tr').length > 0);
  assert.equal(await blur(), 'none');
  assert.equal(await page.evaluate(() => localStorage.getItem('redact')), 'false');
});

test('scheduler indicator follows the scheduler state', async () => {
  await page.waitForSelector('#sched-btn[data-state="healthy"]');
  const states = [
    ['running', /^Running \d+%$/],
    ['setup', /^Setup required$/],
    ['stale', /^Stale \(updated 7m ago\)$/],
    ['unavailable', /unavailable/],
    ['error', /^Scheduler error$/],
  ];
  for (const [state, label] of states) {
    await control(`/scheduler?state=${state}`);
    await page.waitForSelector(`#sched-btn[data-state="${state}"]`, { timeout: 20000 });
    assert.match(await page.textContent('#sched-label'), label, state);
    if (state === 'running') {
      assert.match(await page.getAttribute('#sched-btn', 'title'), /Applying queue changes \(50%, step 2\/4\)/);
      await page.click('#sched-btn');
      await page.waitForSelector('#sched-modal.show');
      assert.match(await page.textContent('#sched-modal-body'), /Step 2 of 4/);
      await page.click('#sched-modal .btn-close');
      await page.waitForSelector('#sched-modal', { state: 'hidden' });
    }
  }
  // Details on click: the error preview is shown as text.
  await page.click('#sched-btn');
  await page.waitForSelector('#sched-modal.show #sched-error');
  const err = await page.textContent('#sched-error');
  assert.match(err, /integration UISP failed: HTTP 401 from <https:\/\/uisp\.example\/nms\/api>/);
  assert.equal(await page.textContent('#sched-modal-state'), 'Error');
  await page.click('#sched-modal .btn-close');
  await page.waitForSelector('#sched-modal', { state: 'hidden' });
  await control('/scheduler?state=healthy');
  await page.waitForSelector('#sched-btn[data-state="healthy"]', { timeout: 20000 });
});

test('urgent issues render as text and an admin can acknowledge', async () => {
  const { id } = await control('/urgent', {
    source: 'System', severity: 'Error', code: 'TC_QDISC_CAPACITY', clearable: true,
    message: 'Too many qdiscs <img src=x onerror="window.__xss=1"> on eth1',
    context: '{"interface":"eth1"}',
  });
  await page.waitForSelector('#urgent-btn[data-count="2"]', { timeout: 20000 });
  assert.equal(await page.textContent('#urgent-count'), '2');
  await page.click('#urgent-btn');
  await page.waitForSelector('#urgent-modal.show #urgent-table');
  assert.equal(await page.$$eval('#urgent-table tbody tr', (r) => r.length), 2);
  assert.deepEqual(await page.$$eval('#urgent-table .badge', (b) => b.map((x) => x.textContent)), ['Error', 'Warning']);
  const row = `#urgent-table tr[data-id="${id}"]`;
  assert.match(await page.textContent(`${row} .urgent-message`), /<img src=x onerror=/);
  assert.equal(await page.$$eval('#urgent-modal img', (i) => i.length), 0, 'no element injected');
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  await page.click(`${row} .urgent-ack`);
  await page.waitForFunction(() => document.querySelectorAll('#urgent-table tbody tr').length === 1);
  await page.waitForSelector('#urgent-btn[data-count="1"]');
  const acks = await control('/acks');
  assert.deepEqual(acks, [`${id} by admin`]);
  await page.click('#urgent-ack-all');
  await page.waitForSelector('#urgent-empty');
  assert.equal(await page.textContent('#urgent-empty'), 'No urgent issues.');
  await page.click('#urgent-modal .btn-close');
  await page.waitForSelector('#urgent-modal', { state: 'hidden' });
});

test('admin creates a read-only user in the Users dialog', async () => {
  await page.click('#user-btn');
  await page.click('#users-menu');
  await page.waitForSelector('#users-modal.show #users-tbody tr[data-username="admin"]');
  await page.fill('#new-username', VIEWER.user);
  await page.fill('#new-password', 'short');
  await page.click('#user-add');
  await page.waitForSelector('#users-error:not(.d-none)');
  assert.match(await page.textContent('#users-error'), /at least 8 characters/);
  await page.fill('#new-password', VIEWER.pass);
  await page.selectOption('#new-role', 'readonly');
  await page.click('#user-add');
  await page.waitForSelector(`#users-tbody tr[data-username="${VIEWER.user}"]`);
  assert.equal(await page.textContent(`#users-tbody tr[data-username="${VIEWER.user}"] td:nth-child(2)`), 'Read-only');
  // Re-adding an existing name does not overwrite it.
  const r = await apiFromPage(page, 'POST', '/api/users', { username: VIEWER.user, password: 'another-pass-1', role: 'admin' });
  assert.equal(r.status, 409, r.body);
  await page.click('#users-modal .btn-close');
  await page.waitForSelector('#users-modal', { state: 'hidden' });
});

test('logout ends the session', async () => {
  await page.click('#user-btn');
  await page.click('#logout-btn');
  await page.waitForURL(`${BASE}/login.html`);
  await page.goto(`${BASE}/index.html`);
  await page.waitForURL(`${BASE}/login.html`);
  const st = await page.evaluate(async () => (await fetch('/api/session')).status);
  assert.equal(st, 401);
});

test('wrong password is refused, right password logs in', async () => {
  await page.fill('#username', ADMIN.user);
  await page.fill('#password', 'not-the-password');
  await page.click('#login-submit');
  await page.waitForSelector('#login-error:not(.d-none)');
  assert.equal(await page.textContent('#login-error'), 'Invalid username or password.');
  assert.equal(page.url(), `${BASE}/login.html`);
  await login(page, BASE, ADMIN.user, ADMIN.pass);
  assert.equal(await page.textContent('#user-role'), 'Administrator');
});

test('read-only user cannot acknowledge (server says 403)', async () => {
  const { id } = await control('/urgent', { source: 'LibreQoS', severity: 'Warning', code: 'UNATTACHED_SHAPED_CIRCUITS', clearable: true, message: 'x' });
  const vp = await newPage();
  await login(vp, BASE, VIEWER.user, VIEWER.pass);
  assert.equal(await vp.textContent('#user-role'), 'Read-only');
  assert.equal(await vp.$('#users-menu'), null, 'no Users menu for read-only');
  const users = await apiFromPage(vp, 'GET', '/api/users');
  assert.equal(users.status, 403);
  await vp.waitForSelector('#urgent-btn[data-count="1"]', { timeout: 20000 });
  await vp.click('#urgent-btn');
  await vp.waitForSelector('#urgent-modal.show #urgent-table');
  assert.ok(await vp.isVisible('#urgent-readonly-note'));
  assert.equal(await vp.$$eval('.urgent-ack', (b) => b.length), 0, 'no acknowledge buttons for read-only');
  assert.equal(await vp.isVisible('#urgent-ack-all'), false);
  const r = await apiFromPage(vp, 'POST', `/api/urgent/${id}/ack`);
  assert.equal(r.status, 403, r.body);
  const all = await apiFromPage(vp, 'POST', '/api/urgent/ack-all');
  assert.equal(all.status, 403, all.body);
  assert.equal((await control('/acks')).length, 2, 'nothing acknowledged by the viewer');
  await vp.context().close();
});

test('no script errors or CSP violations on any page', () => {
  assert.deepEqual(pageErrors, []);
});
