// Users: add, remove, change role, reset password. The server refuses to
// remove or demote the last admin.
import { html, useState } from '../ui/preact.js';
import { useApi } from '../ui/hooks.js';
import { mountPage } from '../ui/page.js';
import { PageHeader, ErrorBox, Loading } from '../ui/widgets.js';
import { ConfigMenu, SaveResult, save } from '../ui/config.js';
import * as fmt from '../lib/fmt.js';

function UsersPage({ session }) {
  const menu = useApi('/api/config/sections');
  const admin = session.role === 'admin';
  const users = useApi(admin ? '/api/users' : null);
  const [n, setN] = useState(0);
  const audit = useApi(admin ? `/api/config/audit?users=1&n=${n}` : null);
  const [result, setResult] = useState(null);
  const [form, setForm] = useState({ username: '', password: '', role: 'readonly' });
  const done = (r, msg) => { setResult(r.ok ? { ok: { message: msg } } : r); if (r.ok) { users.reload(); setN((x) => x + 1); } };
  const add = async (e) => {
    e.preventDefault();
    done(await save('/api/users', 'POST', form), `User ${form.username} added.`);
    setForm({ username: '', password: '', role: 'readonly' });
  };
  const setRole = async (u, role) => done(await save(`/api/users/${encodeURIComponent(u)}`, 'PATCH', { role }), `${u} is now ${role}.`);
  const reset = async (u) => {
    const p = window.prompt(`New password for ${u} (at least 8 characters)`);
    if (p) done(await save(`/api/users/${encodeURIComponent(u)}`, 'PATCH', { password: p }), `Password of ${u} reset.`);
  };
  const del = async (u) => {
    if (window.confirm(`Remove user ${u}?`)) done(await save(`/api/users/${encodeURIComponent(u)}`, 'DELETE'), `User ${u} removed.`);
  };
  return html`<${PageHeader} title="Configuration: Users" />
    ${menu.data ? html`<${ConfigMenu} menu=${menu.data.menu} current="users" />` : null}
    ${!admin ? html`<div class="alert alert-info" id="readonly-banner">Only administrators manage users.</div>` : html`
    <${ErrorBox} error=${users.error} />
    <${SaveResult} result=${result} />
    <div class="card mb-3"><div class="card-body p-0"><table class="table table-sm mb-0" id="users-table">
      <thead><tr><th>User</th><th>Role</th><th>Created</th><th></th></tr></thead>
      <tbody>${users.data ? users.data.map((u) => html`<tr data-user=${u.username}>
        <td>${u.username}${u.username === session.username ? ' (you)' : ''}</td>
        <td><select class="form-select form-select-sm user-role" style="width:auto" value=${u.role} onChange=${(e) => setRole(u.username, e.target.value)}>
          <option value="admin">Admin</option><option value="readonly">Read only</option></select></td>
        <td>${fmt.time(u.created)}</td>
        <td class="text-end"><button type="button" class="btn btn-sm btn-outline-secondary user-reset" onClick=${() => reset(u.username)}>Reset password</button>
          <button type="button" class="btn btn-sm btn-outline-danger user-delete ms-1" onClick=${() => del(u.username)}>Remove</button></td></tr>`) : null}</tbody>
    </table>${users.data ? null : html`<${Loading} />`}</div></div>
    <form class="card mb-3" id="user-add-form" onSubmit=${add}><div class="card-header">Add a user</div><div class="card-body row g-2">
      <div class="col-md-4"><input class="form-control form-control-sm" id="new-user-name" placeholder="Username" value=${form.username} onInput=${(e) => setForm({ ...form, username: e.target.value })} /></div>
      <div class="col-md-4"><input class="form-control form-control-sm" id="new-user-pass" type="password" autocomplete="new-password" placeholder="Password (8+ characters)" value=${form.password} onInput=${(e) => setForm({ ...form, password: e.target.value })} /></div>
      <div class="col-md-2"><select class="form-select form-select-sm" id="new-user-role" value=${form.role} onChange=${(e) => setForm({ ...form, role: e.target.value })}>
        <option value="readonly">Read only</option><option value="admin">Admin</option></select></div>
      <div class="col-md-2"><button class="btn btn-sm btn-primary" type="submit" id="new-user-add">Add user</button></div>
    </div></form>
    <div class="card"><div class="card-header">Changes (audit log)</div><div class="card-body p-0"><table class="table table-sm mb-0" id="audit-table">
      <tbody>${(audit.data ? audit.data.events : []).map((e) => html`<tr><td>${fmt.time(e.ts)}</td><td>${e.actor}</td><td>${e.action}</td><td>${e.target}</td><td>${e.reason || ''}</td><td>${e.outcome}</td></tr>`)}</tbody></table></div></div>`}`;
}

mountPage(UsersPage);
