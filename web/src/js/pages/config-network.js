// Network Layout editor: network.json as a tree. Add, rename, move and
// delete nodes, set rates and coordinates; the planner's checks (the same
// as `libreqos validate`) run on "Check" and on save, and their problems
// are shown on the node they name.
import { html, useState, useEffect } from '../ui/preact.js';
import { useApi } from '../ui/hooks.js';
import { mountPage } from '../ui/page.js';
import { PageHeader, ErrorBox, Loading } from '../ui/widgets.js';
import { ConfigMenu, ReadOnlyBanner, SaveResult, HistoryAudit, save, problemText } from '../ui/config.js';

const clone = (x) => JSON.parse(JSON.stringify(x));

function walk(nodes, fn, parent = null) {
  for (const n of nodes) { fn(n, parent); walk(n.children || [], fn, n); }
}

function findParentList(nodes, name) {
  for (const n of nodes) {
    if (n.name === name) return nodes;
    const r = findParentList(n.children || [], name);
    if (r) return r;
  }
  return null;
}

function contains(node, name) {
  if (node.name === name) return true;
  return (node.children || []).some((c) => contains(c, name));
}

function num(v) { return v === '' || v === null || v === undefined ? null : Number(v); }

function NodeCard({ n, depth, ops, canEdit, problems, allNames }) {
  const mine = problems.filter((p) => p.node === n.name);
  const targets = allNames.filter((x) => x !== n.name && !contains(n, x));
  return html`<li class="list-group-item net-node" data-name=${n.name} style=${{ paddingLeft: `${0.75 + depth * 1.25}rem` }}>
    <div class="d-flex flex-wrap align-items-center gap-2">
      <strong class="net-name">${n.name}</strong>
      ${n.virtual ? html`<span class="badge text-bg-secondary">virtual</span>` : null}
      ${n.id ? html`<span class="small text-body-secondary font-monospace">${n.id}</span>` : null}
      <label class="small">⬇ <input type="number" step="any" min="0" class="form-control form-control-sm d-inline-block net-down" style="width:7rem" disabled=${!canEdit}
        value=${n.download_mbps} onInput=${(e) => ops.set(n, 'download_mbps', num(e.target.value) ?? 0)} /> Mbps</label>
      <label class="small">⬆ <input type="number" step="any" min="0" class="form-control form-control-sm d-inline-block net-up" style="width:7rem" disabled=${!canEdit}
        value=${n.upload_mbps} onInput=${(e) => ops.set(n, 'upload_mbps', num(e.target.value) ?? 0)} /> Mbps</label>
      <label class="small">lat <input type="number" step="any" class="form-control form-control-sm d-inline-block net-lat" style="width:6.5rem" disabled=${!canEdit}
        value=${n.latitude ?? ''} onInput=${(e) => ops.set(n, 'latitude', num(e.target.value))} /></label>
      <label class="small">lon <input type="number" step="any" class="form-control form-control-sm d-inline-block net-lon" style="width:6.5rem" disabled=${!canEdit}
        value=${n.longitude ?? ''} onInput=${(e) => ops.set(n, 'longitude', num(e.target.value))} /></label>
      <span class="ms-auto d-flex gap-1">
        <button type="button" class="btn btn-sm btn-outline-secondary net-add" disabled=${!canEdit} onClick=${() => ops.add(n)}>Add child</button>
        <button type="button" class="btn btn-sm btn-outline-secondary net-rename" disabled=${!canEdit} onClick=${() => ops.rename(n)}>Rename</button>
        <select class="form-select form-select-sm net-move" style="width:auto" disabled=${!canEdit} value="" onChange=${(e) => ops.move(n, e.target.value)} aria-label="Move under">
          <option value="">Move under…</option><option value="/">(top level)</option>
          ${targets.map((t) => html`<option value=${t}>${t}</option>`)}</select>
        <button type="button" class="btn btn-sm btn-outline-danger net-delete" disabled=${!canEdit} onClick=${() => ops.del(n)}>Delete</button>
      </span>
    </div>
    ${mine.map((p) => html`<div class=${`small net-problem ${p.severity === 'error' ? 'text-danger' : 'text-warning'}`}>${problemText(p)}</div>`)}
  </li>
  ${(n.children || []).map((c) => html`<${NodeCard} n=${c} depth=${depth + 1} ops=${ops} canEdit=${canEdit} problems=${problems} allNames=${allNames} />`)}`;
}

function NetworkEditor({ data, session, reload }) {
  const [tree, setTree] = useState(clone(data.nodes || []));
  const [problems, setProblems] = useState(data.problems || []);
  const [result, setResult] = useState(null);
  const [dirty, setDirty] = useState(false);
  const [n, setN] = useState(0);
  useEffect(() => { setTree(clone(data.nodes || [])); setProblems(data.problems || []); setDirty(false); }, [data]);
  const canEdit = data.can_edit && session.role === 'admin';
  const names = [];
  walk(tree, (x) => names.push(x.name));
  const commit = () => { setTree([...tree]); setDirty(true); };
  const askName = (title, def) => {
    const v = window.prompt(title, def);
    if (v === null) return null;
    const name = v.trim();
    if (!name) return null;
    if (names.includes(name) && name !== def) { window.alert(`A node named "${name}" exists; names must be unique.`); return null; }
    return name;
  };
  const ops = {
    set(node, k, v) { node[k] = v; commit(); },
    add(parent) {
      const name = askName('Name of the new node');
      if (!name) return;
      const node = { name, download_mbps: parent ? parent.download_mbps : 1000, upload_mbps: parent ? parent.upload_mbps : 1000, latitude: null, longitude: null, children: [] };
      if (parent) parent.children = [...(parent.children || []), node]; else tree.push(node);
      commit();
    },
    rename(node) { const name = askName('New name', node.name); if (name) { node.name = name; commit(); } },
    del(node) {
      if (!window.confirm(`Delete ${node.name} and everything below it?`)) return;
      const list = findParentList(tree, node.name);
      list.splice(list.indexOf(node), 1);
      commit();
    },
    move(node, target) {
      if (!target) return;
      const list = findParentList(tree, node.name);
      list.splice(list.indexOf(node), 1);
      if (target === '/') tree.push(node); else walk(tree, (x) => { if (x.name === target) x.children = [...(x.children || []), node]; });
      commit();
    },
  };
  const check = async () => {
    const r = await save('/api/config/network/check', 'POST', { version: data.version, nodes: tree });
    if (r.ok) { setProblems(r.ok.problems); setResult({ ok: { message: r.ok.ok ? 'The checks pass.' : 'The checks found errors.' } }); }
    else setResult(r);
  };
  const onSave = async () => {
    const r = await save('/api/config/network', 'PUT', { version: data.version, nodes: tree });
    setResult(r);
    if (r.error && r.error.body && r.error.body.problems) setProblems(r.error.body.problems);
    if (r.ok) { setN((x) => x + 1); reload(); }
  };
  return html`<div id="network-editor" data-version=${data.version}>
    <div class="d-flex gap-2 mb-2 align-items-center">
      <button type="button" class="btn btn-sm btn-outline-secondary" id="net-add-top" disabled=${!canEdit} onClick=${() => ops.add(null)}>Add top-level node</button>
      <button type="button" class="btn btn-sm btn-outline-info" id="net-check" onClick=${check} disabled=${!canEdit}>Check</button>
      <button type="button" class="btn btn-sm btn-primary" id="net-save" onClick=${onSave} disabled=${!canEdit}>Save network.json</button>
      ${dirty ? html`<span class="small text-warning" id="net-dirty">Unsaved changes</span>` : null}
      <span class="small text-body-secondary ms-auto">${data.path}</span>
    </div>
    <${SaveResult} result=${result} />
    ${problems.filter((p) => !p.node).length ? html`<ul class="small" id="net-other-problems">${problems.filter((p) => !p.node).map((p) => html`<li>${problemText(p)}</li>`)}</ul>` : null}
    <ul class="list-group" id="net-tree">
      ${tree.length === 0 ? html`<li class="list-group-item text-body-secondary">No nodes: a flat network (circuits are spread over generated parent nodes).</li>` : null}
      ${tree.map((x) => html`<${NodeCard} n=${x} depth=${0} ops=${ops} canEdit=${canEdit} problems=${problems} allNames=${names} />`)}
    </ul>
    <${HistoryAudit} file="network.json" version=${data.version} canEdit=${canEdit} onRestored=${reload} n=${n} />
  </div>`;
}

function NetworkPage({ session }) {
  const menu = useApi('/api/config/sections');
  const { data, error, reload } = useApi('/api/config/network');
  return html`<${PageHeader} title="Configuration: Network Layout" />
    ${menu.data ? html`<${ConfigMenu} menu=${menu.data.menu} current="network" />` : null}
    <${ErrorBox} error=${error} />
    ${data ? html`<${ReadOnlyBanner} canEdit=${data.can_edit} owners=${data.owners} role=${session.role} />
      <${NetworkEditor} data=${data} session=${session} reload=${reload} />` : error ? null : html`<${Loading} />`}`;
}

mountPage(NetworkPage);
