// Pieces shared by the configuration editors: the section menu, the
// read-only banner, the list of validation problems, and the history and
// audit panels every editor page shows.
import { html, useState } from './preact.js';
import { useApi } from './hooks.js';
import { request } from '../lib/api.js';
import * as fmt from '../lib/fmt.js';

export function ConfigMenu({ menu, current }) {
  if (!menu) return null;
  const groups = [['settings', 'Settings'], ['integrations', 'Integrations'], ['files', 'Files and users']];
  return html`<nav class="mb-3" id="config-menu" aria-label="Configuration sections">
    ${groups.map(([g, label]) => html`<div class="d-flex flex-wrap align-items-center gap-1 mb-1">
      <span class="small text-body-secondary me-1 config-menu-label">${label}</span>
      ${menu.filter((m) => m.menu === g).map((m) => html`<a class=${`btn btn-sm ${m.id === current ? 'btn-primary active' : 'btn-outline-secondary'}`}
        href=${m.href} data-section=${m.id} aria-current=${m.id === current ? 'page' : null}>${m.title}</a>`)}
    </div>`)}
  </nav>`;
}

/** Why saving is off: read-only role, or an integration owns the file. */
export function ReadOnlyBanner({ canEdit, owners, role }) {
  if (owners && owners.length) {
    return html`<div class="alert alert-warning" id="readonly-banner" role="status">Editing is disabled because these integrations are the source of truth: ${owners.join(', ')}. They overwrite this file on their next run; change the data in the integration, or turn it off first.</div>`;
  }
  if (!canEdit || role !== 'admin') {
    return html`<div class="alert alert-info" id="readonly-banner" role="status">You are logged in read-only: values are shown, saving is for administrators.</div>`;
  }
  return null;
}

/** Outcome of the last save: message, problems, apply result. */
export function SaveResult({ result }) {
  if (!result) return null;
  if (result.error) {
    const e = result.error;
    const probs = (e.body && e.body.problems) || [];
    return html`<div class="alert alert-danger" id="save-result" data-status=${e.status} role="alert">
      <div id="save-message">${e.message}</div>
      ${probs.length ? html`<ul class="mb-0 mt-2 small" id="save-problems">${probs.map((p) => html`<li>${problemText(p)}</li>`)}</ul>` : null}
    </div>`;
  }
  const r = result.ok;
  return html`<div class=${`alert ${r.apply_error ? 'alert-warning' : 'alert-success'}`} id="save-result" data-status="200" role="status">
    <div id="save-message">${r.message || 'Saved.'}${r.backup ? ' The previous version is in the history.' : ''}</div>
    ${r.applied ? html`<div class="small" id="save-applied">Applied: ${r.applied}</div>` : null}
    ${r.apply_error ? html`<div class="small" id="save-apply-error">Saved, but lqosd could not apply it: ${r.apply_error}</div>` : null}
    ${r.restart_needed && r.restart_needed.length ? html`<div class="small" id="save-restart">Takes effect when lqosd restarts: ${r.restart_needed.join(', ')}</div>` : null}
    ${r.warnings && r.warnings.length ? html`<ul class="mb-0 mt-2 small">${r.warnings.map((p) => html`<li>${problemText(p)}</li>`)}</ul>` : null}
  </div>`;
}

export function problemText(p) {
  const where = [p.file, p.line ? `line ${p.line}` : '', p.field].filter(Boolean).join(' ');
  return `${p.severity === 'warning' ? 'Warning' : 'Error'}: ${where ? `${where}: ` : ''}${p.message}`;
}

/** request() that keeps the error body (problems) for SaveResult. */
export async function save(path, method, body) {
  try {
    return { ok: await request(path, { method, body }) };
  } catch (e) {
    return { error: { status: e.status, message: e.message, body: e.body } };
  }
}

/** History of a file with restore, and the audit trail of its changes. */
export function HistoryAudit({ file, version, canEdit, onRestored, n }) {
  const hist = useApi(`/api/config/history?file=${encodeURIComponent(file)}&n=${n || 0}`);
  const aud = useApi(`/api/config/audit?file=${encodeURIComponent(file)}&n=${n || 0}`);
  const [msg, setMsg] = useState(null);
  const restore = async (id) => {
    if (!window.confirm(`Restore ${file} from ${id}? The current version is kept in the history.`)) return;
    const r = await save('/api/config/restore', 'POST', { file, id, version });
    setMsg(r);
    if (r.ok && onRestored) onRestored();
  };
  return html`<div class="row g-3 mt-2">
    <div class="col-lg-6"><div class="card"><div class="card-header">History of ${file}</div>
      <div class="card-body p-0">
      ${msg ? html`<div class="p-2"><${SaveResult} result=${msg} /></div>` : null}
      <table class="table table-sm mb-0" id="history-table"><thead><tr><th>Saved</th><th>By</th><th class="text-end">Size</th><th></th></tr></thead>
      <tbody>${(hist.data ? hist.data.backups : []).map((b) => html`<tr data-id=${b.id}>
        <td>${fmt.time(b.ts)}</td><td>${b.actor}</td><td class="text-end">${b.size} B</td>
        <td class="text-end"><button type="button" class="btn btn-sm btn-outline-warning history-restore" disabled=${!canEdit} onClick=${() => restore(b.id)}>Restore</button></td></tr>`)}
      ${hist.data && hist.data.backups.length === 0 ? html`<tr><td colspan="4" class="text-body-secondary">No earlier versions yet.</td></tr>` : null}
      </tbody></table></div></div></div>
    <div class="col-lg-6"><div class="card"><div class="card-header">Changes (audit log)</div>
      <div class="card-body p-0"><table class="table table-sm mb-0" id="audit-table"><thead><tr><th>When</th><th>Who</th><th>What</th><th>Outcome</th></tr></thead>
      <tbody>${(aud.data ? aud.data.events : []).map((e) => html`<tr>
        <td>${fmt.time(e.ts)}</td><td>${e.actor}</td><td>${e.target}${e.reason ? html`<div class="small text-body-secondary">${e.reason}</div>` : null}</td><td>${e.outcome}</td></tr>`)}
      ${aud.data && aud.data.events.length === 0 ? html`<tr><td colspan="4" class="text-body-secondary">No changes recorded.</td></tr>` : null}
      </tbody></table></div></div></div>
  </div>`;
}
