// The navigation bar present on every page: scheduler status, urgent
// issues, privacy toggle and the user menu. Call initShell() from each
// page's entry module.
import { Modal, Dropdown, Collapse } from 'bootstrap';
import { pages } from '../pages.mjs';
import { h, icon, replace } from './lib/dom.js';
import { request, session } from './lib/api.js';
import { subscribe, onStatus } from './lib/ws.js';
import { isRedacted, setRedacted } from './lib/redact.js';
import * as fmt from './lib/fmt.js';
import { sortable, resort } from './lib/sorttable.js';

// How each scheduler state looks in the bar.
const SCHED = {
  loading: { cls: 'btn-outline-secondary', icon: 'hourglass-split', label: 'Scheduler…', badge: 'Starting' },
  healthy: { cls: 'btn-outline-success', icon: 'check-circle-fill', label: 'Scheduler OK', badge: 'Idle' },
  running: { cls: 'btn-outline-info', icon: 'arrow-repeat', spin: true, label: 'Running', badge: 'Running' },
  setup: { cls: 'btn-outline-warning', icon: 'list-check', label: 'Setup required', badge: 'Setup Required' },
  stale: { cls: 'btn-outline-warning', icon: 'clock-history', label: 'Stale', badge: 'Stale' },
  error: { cls: 'btn-outline-danger', icon: 'exclamation-triangle-fill', label: 'Scheduler error', badge: 'Error' },
  unavailable: { cls: 'btn-outline-warning', icon: 'clock', label: 'Scheduler unavailable', badge: 'Unavailable' },
};

let sched = null; // latest SchedulerView
let schedModal = null;
let urgentModal = null;
let canAck = false;

function modalShell(id, title, body, footer) {
  return h('div', { class: 'modal fade', id, tabindex: '-1', 'aria-labelledby': `${id}-title`, 'aria-hidden': 'true' },
    h('div', { class: 'modal-dialog modal-lg modal-dialog-scrollable' },
      h('div', { class: 'modal-content' },
        h('div', { class: 'modal-header' },
          h('h2', { class: 'modal-title h5', id: `${id}-title` }, title),
          footer,
          h('button', { type: 'button', class: `btn-close${footer ? ' ms-2' : ''}`, 'data-bs-dismiss': 'modal', 'aria-label': 'Close' })),
        h('div', { class: 'modal-body', id: `${id}-body` }, body))));
}

// Navigation from the page registry: the active entry follows the URL
// (drill-down pages keep their parent's entry active). Below the lg
// breakpoint everything but the brand folds into a menu.
function navLinks() {
  const here = window.location.pathname === '/' ? '/index.html' : window.location.pathname;
  const cur = pages.find((p) => p.path === here);
  const activeId = cur ? (cur.under || cur.id) : '';
  return pages.filter((p) => p.nav).map((p) => {
    const active = p.id === activeId;
    return h('li', { class: 'nav-item' }, h('a', {
      class: `nav-link${active ? ' active' : ''}`, href: p.path, 'aria-current': active ? 'page' : null, dataset: { page: p.id }, title: p.title,
    }, icon(p.icon), ' ', h('span', { class: 'nav-label' }, p.title)));
  });
}

function buildNav(s) {
  const nav = h('nav', { class: 'navbar navbar-expand-xl bg-body-tertiary border-bottom sticky-top', id: 'topnav' },
    h('div', { class: 'container-fluid' },
      h('a', { class: 'navbar-brand', href: '/index.html' }, icon('speedometer2'), ' LibreQoS ',
        h('span', { class: 'small text-body-secondary d-xl-none d-xxl-inline', id: 'node-name' }, s.node_name)),
      h('span', { class: 'live-stale-badge badge text-bg-warning ms-auto me-2', id: 'stale-badge', role: 'status' }, 'stale'),
      h('button', { class: 'navbar-toggler', type: 'button', id: 'nav-toggle', 'data-bs-toggle': 'collapse', 'data-bs-target': '#nav-collapse',
        'aria-controls': 'nav-collapse', 'aria-expanded': 'false', 'aria-label': 'Menu' }, h('span', { class: 'navbar-toggler-icon' })),
      h('div', { class: 'collapse navbar-collapse', id: 'nav-collapse' },
        h('ul', { class: 'navbar-nav me-auto', id: 'nav-pages' }, navLinks()),
        h('div', { class: 'd-flex flex-wrap align-items-center gap-2 py-2 py-xl-0' },
          searchBox(),
          h('span', { class: 'small text-body-secondary d-none d-xxl-inline', id: 'live-status', title: 'Live data connection' }),
          h('button', { type: 'button', class: 'btn btn-sm btn-outline-secondary', id: 'sched-btn', 'data-state': 'loading', title: 'Scheduler status', onclick: openScheduler },
            h('i', { id: 'sched-icon', class: 'bi bi-hourglass-split', 'aria-hidden': 'true' }), ' ',
            h('span', { id: 'sched-label', class: 'd-xl-none d-xxl-inline' }, 'Scheduler…')),
          h('button', { type: 'button', class: 'btn btn-sm btn-outline-secondary', id: 'urgent-btn', 'data-count': '0', title: 'Urgent issues', onclick: openUrgent },
            h('i', { id: 'urgent-icon', class: 'bi bi-bell-slash', 'aria-hidden': 'true' }), ' ',
            h('span', { class: 'd-none d-lg-inline' }, 'Urgent '),
            h('span', { class: 'badge text-bg-danger d-none', id: 'urgent-count' }, '0')),
          h('button', { type: 'button', class: 'btn btn-sm btn-outline-secondary', id: 'redact-btn', 'aria-pressed': 'false', title: 'Privacy mode: mask names and addresses', onclick: () => { setRedacted(!isRedacted()); syncRedactButton(); } },
            icon('incognito'), h('span', { class: 'visually-hidden' }, 'Privacy mode')),
          h('div', { class: 'dropdown' },
            h('button', { type: 'button', class: 'btn btn-sm btn-outline-secondary dropdown-toggle', id: 'user-btn', 'data-bs-toggle': 'dropdown', 'aria-expanded': 'false' },
              icon('person-circle'), ' ', h('span', { id: 'user-name' }, s.username)),
            h('ul', { class: 'dropdown-menu dropdown-menu-end' },
              h('li', {}, h('span', { class: 'dropdown-item-text small text-body-secondary', id: 'user-role' }, s.role === 'admin' ? 'Administrator' : 'Read-only')),
              s.role === 'admin' ? h('li', {}, h('button', { type: 'button', class: 'dropdown-item', id: 'users-menu', onclick: openUsers }, icon('people'), ' Users…')) : null,
              h('li', {}, h('button', { type: 'button', class: 'dropdown-item', id: 'about-menu', onclick: openAbout }, icon('info-circle'), ' About…')),
              h('li', {}, h('button', { type: 'button', class: 'dropdown-item', id: 'logout-btn', onclick: logout }, icon('box-arrow-right'), ' Log out'))))))));
  return nav;
}

// ---- global search: circuit, device, IP, MAC, node ----

const SEARCH_ICON = { circuit: 'person', device: 'pc-display', node: 'diagram-3' };

function searchBox() {
  const input = h('input', { class: 'form-control form-control-sm', type: 'search', id: 'global-search', placeholder: 'Search (/)',
    'aria-label': 'Search circuits, devices, IPs, MACs and nodes', autocomplete: 'off', role: 'combobox', 'aria-expanded': 'false', 'aria-controls': 'search-results' });
  const list = h('div', { class: 'list-group search-results shadow d-none', id: 'search-results', role: 'listbox' });
  let timer = null;
  let seq = 0;
  const hide = () => { list.classList.add('d-none'); input.setAttribute('aria-expanded', 'false'); };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (q.length < 2) { hide(); return; }
    timer = setTimeout(async () => {
      const mine = ++seq;
      let res;
      try { res = await request(`/api/search?q=${encodeURIComponent(q)}`); } catch { return; }
      if (mine !== seq) return; // a newer query is on its way
      replace(list, res.results.length === 0
        ? h('div', { class: 'list-group-item small text-body-secondary', id: 'search-empty' }, 'No matches')
        : res.results.map((r) => h('a', { class: 'list-group-item list-group-item-action small search-hit', href: r.url, role: 'option', dataset: { kind: r.kind } },
          icon(SEARCH_ICON[r.kind] || 'search'), ' ', h('span', { class: 'redactable' }, r.label),
          r.detail ? h('span', { class: 'text-body-secondary ms-2 redactable' }, r.detail) : null)));
      list.classList.remove('d-none');
      input.setAttribute('aria-expanded', 'true');
    }, 250);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') { hide(); input.blur(); }
    if (e.key === 'Enter') { const first = list.querySelector('a'); if (first) window.location.assign(first.getAttribute('href')); }
  });
  document.addEventListener('keydown', (e) => {
    const t = e.target;
    if (e.key === '/' && !(t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement)) {
      e.preventDefault();
      input.focus();
    }
  });
  document.addEventListener('click', (e) => { if (!list.contains(e.target) && e.target !== input) hide(); });
  return h('div', { class: 'position-relative search-box' }, input, list);
}

function syncRedactButton() {
  const b = document.getElementById('redact-btn');
  const on = isRedacted();
  b.setAttribute('aria-pressed', String(on));
  b.classList.toggle('btn-warning', on);
  b.classList.toggle('btn-outline-secondary', !on);
}

async function logout() {
  try { await request('/api/logout', { method: 'POST', redirectOn401: false }); } catch { /* already gone */ }
  window.location.assign('/login.html');
}

// ---- scheduler ----

function renderSchedButton() {
  const st = sched ? sched.state : 'loading';
  const look = SCHED[st] || SCHED.unavailable;
  const b = document.getElementById('sched-btn');
  b.dataset.state = st;
  b.className = `btn btn-sm ${look.cls}`;
  document.getElementById('sched-icon').className = `bi bi-${look.icon}${look.spin ? ' spin' : ''}`;
  let label = look.label;
  if (st === 'running') label = `Running ${Math.round(sched.percent)}%`;
  if (st === 'stale') label = `Stale (updated ${fmt.ago(sched.updated_ago_s)})`;
  document.getElementById('sched-label').textContent = label;
  let tip = label;
  if (st === 'running') tip = `${sched.phase_label} (${Math.round(sched.percent)}%, step ${sched.step_index}/${sched.step_count})`;
  if (st === 'error') tip = sched.error_preview;
  b.title = tip;
  if (schedModal && document.getElementById('sched-modal').classList.contains('show')) renderSchedModal();
}

function stat(label, value, id) {
  return h('div', { class: 'col-6 col-md-3' },
    h('div', { class: 'stat-label' }, label),
    h('div', { class: 'fw-semibold', id }, value));
}

function renderSchedModal() {
  const body = document.getElementById('sched-modal-body');
  if (!sched) { replace(body, h('p', {}, 'Waiting for scheduler status…')); return; }
  const look = SCHED[sched.state] || SCHED.unavailable;
  const parts = [];
  parts.push(h('p', {},
    h('span', { class: `badge ${look.cls.replace('btn-outline-', 'text-bg-')} me-2`, id: 'sched-modal-state' }, look.badge),
    h('span', {}, sched.phase_label || sched.phase || 'No phase reported'),
    h('span', { class: 'text-body-secondary ms-2' }, `Updated ${fmt.ago(sched.updated_ago_s)}`)));
  if (sched.state === 'setup') {
    parts.push(h('div', { class: 'alert alert-warning' }, sched.setup_message || 'Setup is required before shaping can start.'));
  }
  if (sched.state === 'stale') {
    parts.push(h('div', { class: 'alert alert-warning' }, 'The scheduler has not reported for more than 5 minutes. Is lqos_scheduler running?'));
  }
  if (sched.state === 'error') {
    parts.push(h('div', { class: 'alert alert-danger' },
      h('div', { class: 'fw-semibold mb-1' }, 'Latest scheduler error'),
      h('pre', { class: 'pre-wrap mb-0', id: 'sched-error' }, sched.error_preview)));
  }
  const pct = Math.max(0, Math.min(100, Math.round(sched.percent || 0)));
  if (sched.active) {
    parts.push(h('div', { class: 'mb-3' },
      h('div', { class: 'small mb-1' }, `Step ${sched.step_index} of ${sched.step_count}`),
      h('div', { class: 'progress', role: 'progressbar', 'aria-valuenow': pct, 'aria-valuemin': '0', 'aria-valuemax': '100' },
        progressBar(pct, 'bg-info'))));
  }
  parts.push(h('div', { class: 'row g-3 mb-3' },
    stat('Availability', look.badge, 'sched-availability'),
    stat('Current phase', sched.phase || '–'),
    stat('Last success', fmt.time(sched.last_success)),
    stat('Next run', fmt.time(sched.next_run))));
  const out = (sched.output || []).slice(-4).reverse();
  parts.push(h('h3', { class: 'h6' }, 'Recent activity'));
  parts.push(out.length
    ? h('ul', { class: 'small mb-3' }, out.map((l) => h('li', { class: 'pre-wrap' }, l)))
    : h('p', { class: 'small text-body-secondary' }, 'No output yet.'));
  parts.push(h('details', {}, h('summary', {}, 'Show raw scheduler details'),
    h('pre', { class: 'small pre-wrap mt-2' }, JSON.stringify(sched, null, 2))));
  replace(body, parts);
}

function progressBar(pct, cls) {
  const bar = h('div', { class: `progress-bar ${cls}` });
  bar.style.width = `${pct}%`;
  return bar;
}

function openScheduler() {
  renderSchedModal();
  schedModal.show();
}

// ---- urgent issues ----

function renderUrgentButton(summary) {
  const n = summary.count || 0;
  const b = document.getElementById('urgent-btn');
  b.dataset.count = String(n);
  b.className = `btn btn-sm ${n > 0 ? 'btn-danger' : 'btn-outline-secondary'}`;
  document.getElementById('urgent-icon').className = `bi ${n > 0 ? 'bi-bell-fill' : 'bi-bell-slash'}`;
  const badge = document.getElementById('urgent-count');
  badge.textContent = String(n);
  badge.classList.toggle('d-none', n === 0);
  badge.className = `badge ${n > 0 ? 'text-bg-light' : 'text-bg-danger'}${n === 0 ? ' d-none' : ''}`;
}

async function loadUrgent() {
  const body = document.getElementById('urgent-modal-body');
  let data;
  try {
    data = await request('/api/urgent');
  } catch (e) {
    replace(body, h('div', { class: 'alert alert-danger' }, `Could not load urgent issues: ${e.message}`));
    return;
  }
  canAck = data.can_ack;
  renderUrgentButton(data.summary);
  document.getElementById('urgent-ack-all').classList.toggle('d-none', !canAck || data.issues.length === 0);
  if (data.issues.length === 0) {
    replace(body, h('p', { class: 'text-body-secondary mb-0', id: 'urgent-empty' }, 'No urgent issues.'));
    return;
  }
  const rows = data.issues.map((i) => h('tr', { dataset: { id: i.id } },
    h('td', {}, severityBadge(i.severity)),
    h('td', {},
      h('div', { class: 'fw-semibold font-monospace small urgent-code' }, i.code),
      h('div', { class: 'small text-body-secondary' }, `${i.source} · ${fmt.time(i.ts)}${i.count > 1 ? ` · ×${i.count}` : ''}`)),
    h('td', {},
      h('div', { class: 'pre-wrap urgent-message' }, i.message),
      i.context ? h('pre', { class: 'urgent-context redactable mb-0 mt-1' }, i.context) : null),
    h('td', { class: 'text-end text-nowrap' },
      !i.clearable ? h('span', { class: 'badge text-bg-secondary' }, 'Active')
        : canAck ? h('button', { type: 'button', class: 'btn btn-sm btn-outline-success text-nowrap urgent-ack', title: 'Acknowledge issue', onclick: () => ack(i.id) }, icon('check2'), ' Acknowledge')
          : null)));
  replace(body,
    canAck ? null : h('p', { class: 'small text-body-secondary', id: 'urgent-readonly-note' }, 'Only administrators can acknowledge issues.'),
    h('table', { class: 'table table-sm align-middle mb-0 table-sort', id: 'urgent-table' },
      h('thead', {}, h('tr', {}, h('th', { dataset: { key: 'severity' } }, 'Severity'), h('th', { dataset: { key: 'issue' } }, 'Issue'),
        h('th', { dataset: { key: 'message' } }, 'Message'), h('th', {}))),
      h('tbody', {}, rows)));
  sortable(document.getElementById('urgent-table'));
}

function severityBadge(sev) {
  const s = String(sev || '').toLowerCase();
  const cls = s === 'error' ? 'text-bg-danger' : s === 'warning' ? 'text-bg-warning' : 'text-bg-info';
  return h('span', { class: `badge ${cls}` }, s ? s[0].toUpperCase() + s.slice(1) : 'Unknown');
}

async function ack(id) {
  try {
    await request(`/api/urgent/${encodeURIComponent(id)}/ack`, { method: 'POST' });
  } catch (e) {
    window.alert(`Acknowledge failed: ${e.message}`);
  }
  await loadUrgent();
}

async function ackAll() {
  try {
    await request('/api/urgent/ack-all', { method: 'POST' });
  } catch (e) {
    window.alert(`Acknowledge failed: ${e.message}`);
  }
  await loadUrgent();
}

function openUrgent() {
  replace(document.getElementById('urgent-modal-body'), h('p', {}, 'Loading…'));
  urgentModal.show();
  loadUrgent();
}

// ---- users (admins only; the server enforces it too) ----

let usersModal = null;

function usersForm() {
  const form = h('form', { class: 'row g-2 align-items-end', id: 'user-form', novalidate: true },
    h('div', { class: 'col-md-4' }, h('label', { class: 'form-label small', for: 'new-username' }, 'Username'),
      h('input', { class: 'form-control form-control-sm', id: 'new-username', autocomplete: 'off', required: true })),
    h('div', { class: 'col-md-4' }, h('label', { class: 'form-label small', for: 'new-password' }, 'Password (8+ characters)'),
      h('input', { class: 'form-control form-control-sm', id: 'new-password', type: 'password', autocomplete: 'new-password', required: true })),
    h('div', { class: 'col-md-2' }, h('label', { class: 'form-label small', for: 'new-role' }, 'Role'),
      h('select', { class: 'form-select form-select-sm', id: 'new-role' },
        h('option', { value: 'readonly' }, 'Read-only'), h('option', { value: 'admin' }, 'Admin'))),
    h('div', { class: 'col-md-2' }, h('button', { type: 'submit', class: 'btn btn-sm btn-primary w-100', id: 'user-add' }, icon('person-plus'), ' Add')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await request('/api/users', { method: 'POST', body: {
        username: document.getElementById('new-username').value.trim(),
        password: document.getElementById('new-password').value,
        role: document.getElementById('new-role').value,
      } });
      form.reset();
      await loadUsers();
    } catch (e) {
      showUsersError(e.message);
    }
  });
  return form;
}

function showUsersError(text) {
  const el = document.getElementById('users-error');
  el.textContent = text;
  el.classList.toggle('d-none', !text);
}

async function loadUsers() {
  showUsersError('');
  let users;
  try {
    users = await request('/api/users');
  } catch (e) {
    showUsersError(`Could not load users: ${e.message}`);
    return;
  }
  const me = (await session()).username;
  replace(document.getElementById('users-tbody'), users.map((u) => h('tr', { dataset: { username: u.username } },
    h('td', {}, u.username),
    h('td', {}, u.role === 'admin' ? 'Admin' : 'Read-only'),
    h('td', { class: 'small text-body-secondary' }, fmt.time(u.created)),
    h('td', { class: 'text-end' }, u.username === me ? h('span', { class: 'small text-body-secondary' }, 'you')
      : h('button', { type: 'button', class: 'btn btn-sm btn-outline-danger user-delete', title: `Delete ${u.username}`, onclick: () => deleteUser(u.username) }, icon('trash'))))));
  resort(document.getElementById('users-table'));
}

async function deleteUser(name) {
  if (!window.confirm(`Delete user ${name}? Their sessions end at once.`)) return;
  try {
    await request(`/api/users/${encodeURIComponent(name)}`, { method: 'DELETE' });
  } catch (e) {
    showUsersError(e.message);
  }
  await loadUsers();
}

// ---- about: version, data files and their licences ----

let aboutModal = null;

async function openAbout() {
  if (!aboutModal) {
    document.body.append(modalShell('about-modal', 'About', h('div', { id: 'about-content' }, 'Loading…'), null));
    aboutModal = new Modal(document.getElementById('about-modal'));
    keepFocus('about-modal', 'user-btn');
  }
  aboutModal.show();
  const el = document.getElementById('about-content');
  try {
    /** @type {import('./api-types').AboutView} */
    const a = await request('/api/about');
    replace(el,
      h('p', {}, `LibreQoS (Go) lqosd ${a.version || ''}. Everything the UI shows is served by lqosd itself; nothing is fetched from outside this box.`),
      h('h3', { class: 'h6' }, 'Data and libraries'),
      h('table', { class: 'table table-sm small', id: 'about-credits' },
        h('thead', {}, h('tr', {}, h('th', {}, 'What'), h('th', {}, 'Version'), h('th', {}, 'Used for'), h('th', {}, 'Licence'))),
        h('tbody', {}, a.credits.map((c) => h('tr', {}, h('td', {}, h('a', { href: c.url, rel: 'noopener noreferrer', target: '_blank' }, c.name)),
          h('td', {}, c.version), h('td', {}, c.what), h('td', {}, c.licence))))),
      h('h3', { class: 'h6' }, 'IP databases in use'),
      a.files.length === 0 ? h('p', { class: 'small' }, 'This data source has no IP databases.')
        : h('ul', { class: 'small', id: 'about-files' }, a.files.map((f) => h('li', {}, `${f.kind}: ${f.path} — `,
          f.loaded ? `${f.database_type || 'MMDB'}, built ${fmt.dateTime(new Date(f.built))}, ${fmt.bytes(f.bytes)}` : h('span', { class: 'text-danger' }, f.error)))),
      h('p', { class: 'small text-body-secondary mb-0' }, 'Point lqos.conf [geo] asn_database / city_databases at newer MMDB files and restart lqosd to update the IP data.'));
  } catch (e) {
    replace(el, h('div', { class: 'alert alert-danger' }, e.message));
  }
}

function openUsers() {
  if (!usersModal) {
    document.body.append(modalShell('users-modal', 'Users', [
      h('table', { class: 'table table-sm align-middle table-sort', id: 'users-table' },
        h('thead', {}, h('tr', {}, h('th', { dataset: { key: 'username' } }, 'Username'), h('th', { dataset: { key: 'role' } }, 'Role'),
          h('th', { dataset: { key: 'created' } }, 'Created'), h('th', {}))),
        h('tbody', { id: 'users-tbody' })),
      h('div', { class: 'alert alert-danger d-none py-2', id: 'users-error', role: 'alert' }),
      h('h3', { class: 'h6 mt-3' }, 'Add a user'),
      usersForm(),
    ], null));
    usersModal = new Modal(document.getElementById('users-modal'));
    sortable(document.getElementById('users-table'));
    keepFocus('users-modal', 'user-btn');
  }
  usersModal.show();
  loadUsers();
}

// ---- focus around modals ----

// keepFocus returns focus to the button that opened a modal when it closes,
// and pulls focus back into the open modal when the focused element was
// removed (a re-rendered list after Acknowledge): otherwise focus falls to
// <body>, outside the modal, and Escape no longer closes it.
function keepFocus(modalId, openerId) {
  const el = document.getElementById(modalId);
  el.addEventListener('hidden.bs.modal', () => document.getElementById(openerId)?.focus());
  new MutationObserver(() => {
    if (el.classList.contains('show') && !el.contains(document.activeElement)) el.focus();
  }).observe(el, { childList: true, subtree: true });
}

// ---- entry ----

/** Builds the navigation bar and footer; resolves to the session. */
export async function initShell() {
  const s = await session();
  const here = pages.find((p) => p.path === window.location.pathname);
  document.title = !here || here.id === 'dashboard' ? `${s.node_name} – LibreQoS` : `${here.title} – ${s.node_name} – LibreQoS`;
  const host = document.getElementById('shell') || document.body;
  host.prepend(buildNav(s));
  document.body.append(
    modalShell('sched-modal', 'Scheduler status', null, null),
    modalShell('urgent-modal', 'Urgent issues', null,
      h('button', { type: 'button', class: 'btn btn-sm btn-outline-success ms-auto me-2 d-none', id: 'urgent-ack-all', onclick: ackAll }, icon('check2-all'), ' Acknowledge all')));
  schedModal = new Modal(document.getElementById('sched-modal'));
  urgentModal = new Modal(document.getElementById('urgent-modal'));
  keepFocus('sched-modal', 'sched-btn');
  keepFocus('urgent-modal', 'urgent-btn');
  new Dropdown(document.getElementById('user-btn'));
  new Collapse(document.getElementById('nav-collapse'), { toggle: false });
  const footer = document.getElementById('footer');
  if (footer) footer.textContent = `LibreQoS Go ${s.version}`;
  syncRedactButton();
  onStatus((st) => {
    const el = document.getElementById('live-status');
    el.textContent = st === 'open' ? '● live' : st === 'connecting' ? '○ connecting…' : '○ reconnecting…';
    el.className = `small d-none d-xxl-inline ${st === 'open' ? 'text-success' : 'text-warning'}`;
  });
  window.addEventListener('storage', (e) => { if (e.key === 'redact') { setRedacted(isRedacted()); syncRedactButton(); } });

  request('/api/scheduler').then((v) => { sched = v; renderSchedButton(); }).catch(() => {});
  subscribe('scheduler', (v) => { sched = v; renderSchedButton(); });
  let lastCount = -1;
  subscribe('urgent', (summary) => {
    renderUrgentButton(summary);
    // Refresh an open list only when something changed, so rows do not
    // move under the pointer.
    if (summary.count !== lastCount && document.getElementById('urgent-modal').classList.contains('show')) loadUrgent();
    lastCount = summary.count;
  });
  return s;
}
