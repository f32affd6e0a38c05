// Shaped Devices editor: ShapedDevices.csv as a paged, searchable table
// (paged on the server) with add, edit and delete, and CSV import/export.
// Every change is validated on the server like `libreqos validate`.
import { html, useState, useEffect } from '../ui/preact.js';
import { useApi } from '../ui/hooks.js';
import { mountPage } from '../ui/page.js';
import { PageHeader, ErrorBox, Loading } from '../ui/widgets.js';
import { Pager } from '../ui/table.js';
import { ConfigMenu, ReadOnlyBanner, SaveResult, HistoryAudit, save } from '../ui/config.js';
import { session as getSession } from '../lib/api.js';

const FIELDS = [
  ['circuit_id', 'Circuit ID'], ['circuit_name', 'Circuit Name'], ['device_id', 'Device ID'], ['device_name', 'Device Name'],
  ['parent_node', 'Parent Node'], ['mac', 'MAC or RADIUS user'], ['ipv4', 'IPv4 (comma-separated, /prefix allowed)'], ['ipv6', 'IPv6'],
  ['download_min_mbps', 'Download Min Mbps', 'n'], ['upload_min_mbps', 'Upload Min Mbps', 'n'], ['download_max_mbps', 'Download Max Mbps', 'n'],
  ['upload_max_mbps', 'Upload Max Mbps', 'n'], ['sqm', 'SQM override (cake, fq_codel, none, down/up)'], ['comment', 'Comment'],
];
const COLUMN_OF = { circuit_id: 'Circuit ID', circuit_name: 'Circuit Name', device_id: 'Device ID', device_name: 'Device Name', parent_node: 'Parent Node',
  mac: 'MAC', ipv4: 'IPv4', ipv6: 'IPv6', download_min_mbps: 'Download Min', upload_min_mbps: 'Upload Min', download_max_mbps: 'Download Max', upload_max_mbps: 'Upload Max', sqm: 'sqm', comment: 'Comment' };

const blank = () => ({ circuit_id: '', circuit_name: '', device_id: '', device_name: '', parent_node: '', mac: '', ipv4: '', ipv6: '',
  download_min_mbps: 10, upload_min_mbps: 10, download_max_mbps: 100, upload_max_mbps: 100, sqm: '', comment: '' });

function RowForm({ row, original, nodes, problems, onSave, onCancel }) {
  const [r, setR] = useState({ ...row });
  const errs = (k) => problems.filter((p) => (p.field || '').startsWith(COLUMN_OF[k]));
  return html`<form class="card mb-3" id="device-form" onSubmit=${(e) => { e.preventDefault(); onSave(r); }}>
    <div class="card-header">${original ? `Edit device ${original}` : 'Add a device'}</div>
    <div class="card-body row g-2">
      ${FIELDS.map(([k, label, t]) => html`<div class="col-md-4 col-lg-3"><label class="form-label small" for=${`dev-${k}`}>${label}</label>
        <input class="form-control form-control-sm" id=${`dev-${k}`} name=${k} type=${t === 'n' ? 'number' : 'text'} step="any"
          list=${k === 'parent_node' ? 'dev-nodes' : null} value=${r[k]}
          onInput=${(e) => setR({ ...r, [k]: t === 'n' ? Number(e.target.value) : e.target.value })} />
        ${errs(k).map((p) => html`<div class="invalid-feedback d-block field-error" data-key=${k}>${p.message}</div>`)}</div>`)}
      <datalist id="dev-nodes">${(nodes || []).map((x) => html`<option value=${x}></option>`)}</datalist>
    </div>
    <div class="card-footer d-flex gap-2"><button class="btn btn-sm btn-primary" type="submit" id="device-save">Save</button>
      <button class="btn btn-sm btn-outline-secondary" type="button" onClick=${onCancel}>Cancel</button></div>
  </form>`;
}

function DevicesEditor({ session }) {
  const [q, setQ] = useState('');
  const [qd, setQd] = useState('');
  const [page, setPage] = useState(0);
  const [limit, setLimit] = useState(25);
  const [edit, setEdit] = useState(null); // {row, original}
  const [result, setResult] = useState(null);
  const [n, setN] = useState(0);
  useEffect(() => { const t = setTimeout(() => { setQd(q); setPage(0); }, 250); return () => clearTimeout(t); }, [q]);
  const { data, error, reload } = useApi(`/api/config/devices?q=${encodeURIComponent(qd)}&offset=${page * limit}&limit=${limit}&n=${n}`);
  const menu = useApi('/api/config/sections');
  const canEdit = data && data.can_edit && session.role === 'admin';
  const problems = (result && result.error && result.error.body && result.error.body.problems) || [];
  const done = (r) => { setResult(r); if (r.ok) { setEdit(null); setN((x) => x + 1); } };
  const op = async (body) => done(await save('/api/config/devices', 'POST', { version: data.version, ...body }));
  const onImport = async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    const text = await file.text();
    const s = await getSession();
    const res = await fetch('/api/config/devices.csv', { method: 'PUT', body: text, credentials: 'same-origin',
      headers: { 'Content-Type': 'text/csv', 'X-CSRF-Token': s.csrf_token, 'X-Base-Version': data.version, Accept: 'application/json' } });
    let body = null;
    try { body = await res.json(); } catch { /* empty */ }
    e.target.value = '';
    done(res.ok ? { ok: { ...body, message: 'CSV imported.' } } : { error: { status: res.status, message: (body && body.message) || `HTTP ${res.status}`, body } });
  };
  return html`${menu.data ? html`<${ConfigMenu} menu=${menu.data.menu} current="devices" />` : null}
    <${ErrorBox} error=${error} />
    ${!data ? (error ? null : html`<${Loading} />`) : html`
    <${ReadOnlyBanner} canEdit=${data.can_edit} owners=${data.owners} role=${session.role} />
    <div class="d-flex flex-wrap gap-2 mb-2 align-items-center" id="devices-toolbar" data-version=${data.version}>
      <input class="form-control form-control-sm" style="max-width:20rem" type="search" id="dev-search" placeholder="Search circuits, devices, IPs…" value=${q} onInput=${(e) => setQ(e.target.value)} />
      <select class="form-select form-select-sm" style="width:auto" id="dev-page-size" value=${limit} onChange=${(e) => { setLimit(Number(e.target.value)); setPage(0); }}>
        ${[25, 50, 100, 250].map((x) => html`<option value=${x}>${x} per page</option>`)}</select>
      <span class="small" id="dev-count">${data.matched} of ${data.total} devices</span>
      <span class="ms-auto d-flex gap-2">
        <button type="button" class="btn btn-sm btn-primary" id="dev-add" disabled=${!canEdit} onClick=${() => { setResult(null); setEdit({ row: blank(), original: '' }); }}>Add device</button>
        <a class="btn btn-sm btn-outline-secondary" id="dev-export" href="/api/config/devices.csv" download="ShapedDevices.csv">Export CSV</a>
        <label class=${`btn btn-sm btn-outline-warning mb-0 ${canEdit ? '' : 'disabled'}`} for="dev-import">Import CSV</label>
        <input type="file" accept=".csv,text/csv" id="dev-import" class="d-none" disabled=${!canEdit} onChange=${onImport} />
      </span>
    </div>
    ${edit ? html`<${RowForm} row=${edit.row} original=${edit.original} nodes=${data.nodes} problems=${problems}
      onCancel=${() => setEdit(null)} onSave=${(row) => op(edit.original ? { op: 'update', device_id: edit.original, row } : { op: 'add', row })} />` : null}
    <${SaveResult} result=${result} />
    ${data.problems.length ? html`<div class="alert alert-warning small" id="dev-file-problems">The file as it is has errors: ${data.problems.map((p) => p.message).join('; ')}</div>` : null}
    <div class="table-responsive"><table class="table table-sm table-hover" id="devices-edit-table">
      <thead><tr><th>Circuit ID</th><th>Circuit</th><th>Device ID</th><th>Device</th><th>Parent</th><th>IPv4</th><th>IPv6</th><th class="text-end">Min ⬇/⬆</th><th class="text-end">Max ⬇/⬆</th><th>SQM</th><th></th></tr></thead>
      <tbody>${data.rows.map((r) => html`<tr data-device=${r.device_id} class=${problems.some((p) => p.device === r.device_id) ? 'table-danger' : ''}>
        <td>${r.circuit_id}</td><td>${r.circuit_name}</td><td>${r.device_id}</td><td>${r.device_name}</td><td>${r.parent_node}</td>
        <td class="font-monospace small">${r.ipv4}</td><td class="font-monospace small">${r.ipv6}</td>
        <td class="text-end">${r.download_min_mbps} / ${r.upload_min_mbps}</td><td class="text-end">${r.download_max_mbps} / ${r.upload_max_mbps}</td><td>${r.sqm}</td>
        <td class="text-end text-nowrap">
          <button type="button" class="btn btn-sm btn-outline-secondary dev-edit" disabled=${!canEdit} onClick=${() => { setResult(null); setEdit({ row: r, original: r.device_id }); }}>Edit</button>
          <button type="button" class="btn btn-sm btn-outline-danger dev-delete ms-1" disabled=${!canEdit}
            onClick=${() => window.confirm(`Delete device ${r.device_id}?`) && op({ op: 'delete', device_id: r.device_id })}>Delete</button></td></tr>`)}
      ${data.rows.length === 0 ? html`<tr><td colspan="11" class="text-body-secondary">No devices match.</td></tr>` : null}</tbody></table></div>
    <${Pager} page=${page} pages=${Math.max(1, Math.ceil(data.matched / limit))} onPage=${setPage} />
    <${HistoryAudit} file="ShapedDevices.csv" version=${data.version} canEdit=${canEdit} onRestored=${() => setN((x) => x + 1)} n=${n} />`}`;
}

function DevicesPage({ session }) {
  return html`<${PageHeader} title="Configuration: Shaped Devices" /><${DevicesEditor} session=${session} />`;
}

mountPage(DevicesPage);
