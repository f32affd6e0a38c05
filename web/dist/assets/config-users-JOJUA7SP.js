import{a as y,c as g,e as r}from"./chunk-GUVD7BLL.js";import{a as l,e as a,f as i,j as v,l as b,o as f,p as w}from"./chunk-CE426F3A.js";import{k as c}from"./chunk-HBBFCDRV.js";import"./chunk-KS2RGVWW.js";import"./chunk-WOT6VMZA.js";function S({session:u}){let p=i("/api/config/sections"),m=u.role==="admin",o=i(m?"/api/users":null),[h,C]=l(0),$=i(m?`/api/config/audit?users=1&n=${h}`:null),[R,U]=l(null),[s,d]=l({username:"",password:"",role:"readonly"}),n=(e,t)=>{U(e.ok?{ok:{message:t}}:e),e.ok&&(o.reload(),C(E=>E+1))},P=async e=>{e.preventDefault(),n(await r("/api/users","POST",s),`User ${s.username} added.`),d({username:"",password:"",role:"readonly"})},A=async(e,t)=>n(await r(`/api/users/${encodeURIComponent(e)}`,"PATCH",{role:t}),`${e} is now ${t}.`),k=async e=>{let t=window.prompt(`New password for ${e} (at least 8 characters)`);t&&n(await r(`/api/users/${encodeURIComponent(e)}`,"PATCH",{password:t}),`Password of ${e} reset.`)},I=async e=>{window.confirm(`Remove user ${e}?`)&&n(await r(`/api/users/${encodeURIComponent(e)}`,"DELETE"),`User ${e} removed.`)};return a`<${b} title="Configuration: Users" />
    ${p.data?a`<${y} menu=${p.data.menu} current="users" />`:null}
    ${m?a`
    <${f} error=${o.error} />
    <${g} result=${R} />
    <div class="card mb-3"><div class="card-body p-0"><table class="table table-sm mb-0" id="users-table">
      <thead><tr><th>User</th><th>Role</th><th>Created</th><th></th></tr></thead>
      <tbody>${o.data?o.data.map(e=>a`<tr data-user=${e.username}>
        <td>${e.username}${e.username===u.username?" (you)":""}</td>
        <td><select class="form-select form-select-sm user-role" style="width:auto" value=${e.role} onChange=${t=>A(e.username,t.target.value)}>
          <option value="admin">Admin</option><option value="readonly">Read only</option></select></td>
        <td>${c(e.created)}</td>
        <td class="text-end"><button type="button" class="btn btn-sm btn-outline-secondary user-reset" onClick=${()=>k(e.username)}>Reset password</button>
          <button type="button" class="btn btn-sm btn-outline-danger user-delete ms-1" onClick=${()=>I(e.username)}>Remove</button></td></tr>`):null}</tbody>
    </table>${o.data?null:a`<${w} />`}</div></div>
    <form class="card mb-3" id="user-add-form" onSubmit=${P}><div class="card-header">Add a user</div><div class="card-body row g-2">
      <div class="col-md-4"><input class="form-control form-control-sm" id="new-user-name" placeholder="Username" value=${s.username} onInput=${e=>d({...s,username:e.target.value})} /></div>
      <div class="col-md-4"><input class="form-control form-control-sm" id="new-user-pass" type="password" autocomplete="new-password" placeholder="Password (8+ characters)" value=${s.password} onInput=${e=>d({...s,password:e.target.value})} /></div>
      <div class="col-md-2"><select class="form-select form-select-sm" id="new-user-role" value=${s.role} onChange=${e=>d({...s,role:e.target.value})}>
        <option value="readonly">Read only</option><option value="admin">Admin</option></select></div>
      <div class="col-md-2"><button class="btn btn-sm btn-primary" type="submit" id="new-user-add">Add user</button></div>
    </div></form>
    <div class="card"><div class="card-header">Changes (audit log)</div><div class="card-body p-0"><table class="table table-sm mb-0" id="audit-table">
      <tbody>${($.data?$.data.events:[]).map(e=>a`<tr><td>${c(e.ts)}</td><td>${e.actor}</td><td>${e.action}</td><td>${e.target}</td><td>${e.reason||""}</td><td>${e.outcome}</td></tr>`)}</tbody></table></div></div>`:a`<div class="alert alert-info" id="readonly-banner">Only administrators manage users.</div>`}`}v(S);
