// lqos.conf section editors: one generic form per section, described by the
// server (fields, types, which are secrets). Secrets are never sent here:
// the page knows only whether one is stored.
import { html, useState, useEffect } from '../ui/preact.js';
import { useApi, useQueryParam } from '../ui/hooks.js';
import { mountPage } from '../ui/page.js';
import { PageHeader, ErrorBox, Loading } from '../ui/widgets.js';
import { ConfigMenu, ReadOnlyBanner, SaveResult, HistoryAudit, save } from '../ui/config.js';

function fieldValue(fd, v) {
  if (fd.type === 'list') return (v || []).join('\n');
  if (v === null || v === undefined) return '';
  return String(v);
}

function Input({ fd, value, onChange, disabled, interfaces, secretState, clearing, onClear }) {
  const id = `f-${fd.key.replace(/[^a-z0-9]/gi, '-')}`;
  const common = { id, name: fd.key, disabled: disabled || fd.readonly, 'data-key': fd.key };
  switch (fd.type) {
    case 'bool':
      return html`<div class="form-check form-switch"><input class="form-check-input" type="checkbox" role="switch" ...${common}
        checked=${value === true} onChange=${(e) => onChange(e.target.checked)} /></div>`;
    case 'select':
      return html`<select class="form-select form-select-sm" ...${common} value=${fieldValue(fd, value)} onChange=${(e) => onChange(e.target.value)}>
        ${fd.options.map((o) => html`<option value=${o}>${o === '' ? '(not set)' : o}</option>`)}</select>`;
    case 'interface': {
      const names = (interfaces || []).map((i) => i.name);
      const v = fieldValue(fd, value);
      return html`<select class="form-select form-select-sm" ...${common} value=${v} onChange=${(e) => onChange(e.target.value)}>
        ${names.includes(v) ? null : html`<option value=${v}>${v} (not on this machine)</option>`}
        ${(interfaces || []).map((i) => html`<option value=${i.name}>${i.name} — ${i.state}, ${i.tx_queues} TX queues</option>`)}</select>`;
    }
    case 'list':
      return html`<textarea class="form-control form-control-sm font-monospace" rows="3" ...${common} value=${fieldValue(fd, value)}
        onInput=${(e) => onChange(e.target.value.split('\n'))}></textarea>`;
    case 'secret':
      return html`<div><div class="input-group input-group-sm">
        <input class="form-control" type="password" autocomplete="new-password" ...${common} value=${value || ''}
          placeholder=${secretState ? 'configured' : 'not set'} onInput=${(e) => onChange(e.target.value)} />
        <button type="button" class="btn btn-outline-danger secret-clear" disabled=${disabled || !secretState} onClick=${onClear}>${clearing ? 'Keep' : 'Clear'}</button></div>
        <div class="form-text secret-state" data-key=${fd.key}>${clearing ? 'Will be cleared when you save.'
    : value ? 'A new value will replace the stored one when you save.'
      : secretState ? 'Configured: stored on the server. Leave blank to keep it.' : 'No value stored.'}</div></div>`;
    default:
      return html`<input class="form-control form-control-sm" type=${fd.type === 'int' || fd.type === 'float' ? 'number' : 'text'}
        step=${fd.type === 'float' ? 'any' : '1'} ...${common} value=${fieldValue(fd, value)} onInput=${(e) => onChange(e.target.value)} />`;
  }
}

function encode(fd, v) {
  if (fd.type === 'int' || fd.type === 'float') {
    if (v === '' || v === null) return fd.optional ? null : v;
    const n = Number(v);
    return Number.isNaN(n) ? v : n;
  }
  if (fd.type === 'list') return (v || []).map((x) => x.trim()).filter(Boolean);
  if (fd.key === 'flows.netflow_version') return Number(v);
  return v;
}

function Interfaces({ list, error }) {
  return html`<div class="card mb-3"><div class="card-header">Interfaces on this machine</div><div class="card-body p-0">
    ${error ? html`<div class="alert alert-warning m-2">${error}</div>` : null}
    <table class="table table-sm mb-0" id="iface-table"><thead><tr><th>Name</th><th>Link</th><th>MAC</th><th class="text-end">MTU</th><th class="text-end">TX / RX queues</th><th>Kind</th></tr></thead>
    <tbody>${(list || []).map((i) => html`<tr data-name=${i.name}><td class="font-monospace">${i.name}</td>
      <td><span class=${`badge ${i.state === 'up' ? 'text-bg-success' : 'text-bg-secondary'}`}>${i.state}</span>${i.up ? '' : ' (admin down)'}</td>
      <td class="font-monospace small">${i.mac}</td><td class="text-end">${i.mtu}</td><td class="text-end">${i.tx_queues} / ${i.rx_queues}</td><td>${i.kind}</td></tr>`)}</tbody></table>
  </div></div>`;
}

function TestResult({ r }) {
  if (!r) return null;
  if (r.busy) return html`<div class="alert alert-secondary" id="test-result">Testing…</div>`;
  if (r.ok) return html`<div class="alert alert-success" id="test-result" data-kind="ok">Connection OK: ${r.circuits} circuits, ${r.devices} devices, ${r.nodes} nodes.</div>`;
  const labels = { dns: 'DNS error', tls: 'TLS error', auth: 'Authentication refused (401/403)', timeout: 'Timed out', refused: 'Connection refused', http: 'HTTP error', config: 'Settings incomplete', error: 'Error' };
  return html`<div class="alert alert-danger" id="test-result" data-kind=${r.kind}><strong>${labels[r.kind] || 'Error'}:</strong> ${r.error}</div>`;
}

function SectionForm({ data, session, reload }) {
  const sec = data.section;
  const [vals, setVals] = useState(data.state.values);
  const [secrets, setSecrets] = useState({});
  const [clear, setClear] = useState([]);
  const [result, setResult] = useState(null);
  const [test, setTest] = useState(null);
  const [n, setN] = useState(0);
  useEffect(() => { setVals(data.state.values); setSecrets({}); setClear([]); }, [data]);
  const canEdit = data.can_edit && session.role === 'admin';
  const mode = vals.mode;
  const problems = (result && result.error && result.error.body && result.error.body.problems) || [];
  const fieldErr = (key) => problems.filter((p) => p.field === key || (p.field || '').startsWith(`${key}[`));
  const body = () => {
    const values = {};
    for (const fd of sec.fields) {
      if (fd.readonly) continue;
      if (fd.type === 'secret') { if (secrets[fd.key]) values[fd.key] = secrets[fd.key]; continue; }
      if (fd.group && fd.group !== mode) continue;
      values[fd.key] = encode(fd, vals[fd.key]);
    }
    return { version: data.version, values, clear };
  };
  const onSave = async (e) => {
    e.preventDefault();
    const r = await save(`/api/config/section/${sec.id}`, 'PUT', body());
    setResult(r);
    if (r.ok) { setN((x) => x + 1); reload(); }
  };
  const onTest = async () => {
    setTest({ busy: true });
    const r = await save(`/api/config/section/${sec.id}/test`, 'POST', body());
    setTest(r.ok || { kind: 'error', error: r.error.message });
  };
  return html`<form id="config-form" data-section=${sec.id} data-version=${data.version} onSubmit=${onSave} novalidate>
    ${sec.intro ? html`<p class="small text-body-secondary">${sec.intro}</p>` : null}
    ${data.load_error ? html`<div class="alert alert-warning" id="load-error">lqos.conf does not load as it is: ${data.load_error}</div>` : null}
    ${sec.id === 'network_mode' ? html`<${Interfaces} list=${data.interfaces} error=${data.interfaces_error} />` : null}
    <div class="card"><div class="card-body">
    ${sec.fields.filter((fd) => !fd.group || fd.group === mode).map((fd) => {
    const errs = fieldErr(fd.key);
    return html`<div class="row mb-2 align-items-start config-field" data-key=${fd.key}>
      <label class="col-md-4 col-form-label col-form-label-sm" for=${`f-${fd.key.replace(/[^a-z0-9]/gi, '-')}`}>${fd.label}
        ${fd.restart ? html` <span class="badge text-bg-secondary" title="Read when lqosd starts">restart</span>` : null}
        <div class="small text-body-secondary font-monospace">${fd.key === 'mode' ? '[bridge] / [single_interface]' : fd.key}</div></label>
      <div class="col-md-8">
        <${Input} fd=${fd} value=${fd.type === 'secret' ? secrets[fd.key] : vals[fd.key]} disabled=${!canEdit} interfaces=${data.interfaces}
          secretState=${data.state.secrets[fd.key]} clearing=${clear.includes(fd.key)}
          onClear=${() => setClear(clear.includes(fd.key) ? clear.filter((k) => k !== fd.key) : [...clear, fd.key])}
          onChange=${(v) => (fd.type === 'secret' ? setSecrets({ ...secrets, [fd.key]: v }) : setVals({ ...vals, [fd.key]: v }))} />
        ${fd.help ? html`<div class="form-text">${fd.help}</div>` : null}
        ${errs.map((p) => html`<div class="invalid-feedback d-block field-error" data-key=${fd.key}>${p.message}</div>`)}
      </div></div>`;
  })}
    </div><div class="card-footer d-flex gap-2 align-items-center">
      <button type="submit" class="btn btn-primary btn-sm" id="config-save" disabled=${!canEdit}>Save</button>
      ${sec.integration ? html`<button type="button" class="btn btn-outline-info btn-sm" id="config-test" disabled=${!canEdit} onClick=${onTest}>Test connection</button>` : null}
      <span class="small text-body-secondary ms-auto">${data.path}</span>
    </div></div>
    <div class="mt-3"><${TestResult} r=${test} /><${SaveResult} result=${result} /></div>
    <${HistoryAudit} file="lqos.conf" version=${data.version} canEdit=${canEdit} onRestored=${reload} n=${n} />
  </form>`;
}

function ConfigPage({ session }) {
  const [section] = useQueryParam('section', 'general');
  const { data, error, reload } = useApi(`/api/config/section/${encodeURIComponent(section)}`);
  return html`<${PageHeader} title=${data ? `Configuration: ${data.section.title}` : 'Configuration'} />
    ${data ? html`<${ConfigMenu} menu=${data.menu} current=${section} />` : null}
    <${ErrorBox} error=${error} />
    ${data ? html`<${ReadOnlyBanner} canEdit=${data.can_edit} role=${session.role} />
      <${SectionForm} data=${data} session=${session} reload=${reload} />` : error ? null : html`<${Loading} />`}`;
}

mountPage(ConfigPage);
