import{a as h,e as a,f as c}from"./chunk-CE426F3A.js";import{k as o}from"./chunk-HBBFCDRV.js";import{b as m}from"./chunk-KS2RGVWW.js";function S({menu:e,current:t}){return e?a`<nav class="mb-3" id="config-menu" aria-label="Configuration sections">
    ${[["settings","Settings"],["integrations","Integrations"],["files","Files and users"]].map(([n,d])=>a`<div class="d-flex flex-wrap align-items-center gap-1 mb-1">
      <span class="small text-body-secondary me-1 config-menu-label">${d}</span>
      ${e.filter(i=>i.menu===n).map(i=>a`<a class=${`btn btn-sm ${i.id===t?"btn-primary active":"btn-outline-secondary"}`}
        href=${i.href} data-section=${i.id} aria-current=${i.id===t?"page":null}>${i.title}</a>`)}
    </div>`)}
  </nav>`:null}function C({canEdit:e,owners:t,role:r}){return t&&t.length?a`<div class="alert alert-warning" id="readonly-banner" role="status">Editing is disabled because these integrations are the source of truth: ${t.join(", ")}. They overwrite this file on their next run; change the data in the integration, or turn it off first.</div>`:!e||r!=="admin"?a`<div class="alert alert-info" id="readonly-banner" role="status">You are logged in read-only: values are shown, saving is for administrators.</div>`:null}function b({result:e}){if(!e)return null;if(e.error){let r=e.error,n=r.body&&r.body.problems||[];return a`<div class="alert alert-danger" id="save-result" data-status=${r.status} role="alert">
      <div id="save-message">${r.message}</div>
      ${n.length?a`<ul class="mb-0 mt-2 small" id="save-problems">${n.map(d=>a`<li>${$(d)}</li>`)}</ul>`:null}
    </div>`}let t=e.ok;return a`<div class=${`alert ${t.apply_error?"alert-warning":"alert-success"}`} id="save-result" data-status="200" role="status">
    <div id="save-message">${t.message||"Saved."}${t.backup?" The previous version is in the history.":""}</div>
    ${t.applied?a`<div class="small" id="save-applied">Applied: ${t.applied}</div>`:null}
    ${t.apply_error?a`<div class="small" id="save-apply-error">Saved, but lqosd could not apply it: ${t.apply_error}</div>`:null}
    ${t.restart_needed&&t.restart_needed.length?a`<div class="small" id="save-restart">Takes effect when lqosd restarts: ${t.restart_needed.join(", ")}</div>`:null}
    ${t.warnings&&t.warnings.length?a`<ul class="mb-0 mt-2 small">${t.warnings.map(r=>a`<li>${$(r)}</li>`)}</ul>`:null}
  </div>`}function $(e){let t=[e.file,e.line?`line ${e.line}`:"",e.field].filter(Boolean).join(" ");return`${e.severity==="warning"?"Warning":"Error"}: ${t?`${t}: `:""}${e.message}`}async function f(e,t,r){try{return{ok:await m(e,{method:t,body:r})}}catch(n){return{error:{status:n.status,message:n.message,body:n.body}}}}function T({file:e,version:t,canEdit:r,onRestored:n,n:d}){let i=c(`/api/config/history?file=${encodeURIComponent(e)}&n=${d||0}`),l=c(`/api/config/audit?file=${encodeURIComponent(e)}&n=${d||0}`),[u,p]=h(null),g=async s=>{if(!window.confirm(`Restore ${e} from ${s}? The current version is kept in the history.`))return;let v=await f("/api/config/restore","POST",{file:e,id:s,version:t});p(v),v.ok&&n&&n()};return a`<div class="row g-3 mt-2">
    <div class="col-lg-6"><div class="card"><div class="card-header">History of ${e}</div>
      <div class="card-body p-0">
      ${u?a`<div class="p-2"><${b} result=${u} /></div>`:null}
      <table class="table table-sm mb-0" id="history-table"><thead><tr><th>Saved</th><th>By</th><th class="text-end">Size</th><th></th></tr></thead>
      <tbody>${(i.data?i.data.backups:[]).map(s=>a`<tr data-id=${s.id}>
        <td>${o(s.ts)}</td><td>${s.actor}</td><td class="text-end">${s.size} B</td>
        <td class="text-end"><button type="button" class="btn btn-sm btn-outline-warning history-restore" disabled=${!r} onClick=${()=>g(s.id)}>Restore</button></td></tr>`)}
      ${i.data&&i.data.backups.length===0?a`<tr><td colspan="4" class="text-body-secondary">No earlier versions yet.</td></tr>`:null}
      </tbody></table></div></div></div>
    <div class="col-lg-6"><div class="card"><div class="card-header">Changes (audit log)</div>
      <div class="card-body p-0"><table class="table table-sm mb-0" id="audit-table"><thead><tr><th>When</th><th>Who</th><th>What</th><th>Outcome</th></tr></thead>
      <tbody>${(l.data?l.data.events:[]).map(s=>a`<tr>
        <td>${o(s.ts)}</td><td>${s.actor}</td><td>${s.target}${s.reason?a`<div class="small text-body-secondary">${s.reason}</div>`:null}</td><td>${s.outcome}</td></tr>`)}
      ${l.data&&l.data.events.length===0?a`<tr><td colspan="4" class="text-body-secondary">No changes recorded.</td></tr>`:null}
      </tbody></table></div></div></div>
  </div>`}export{S as a,C as b,b as c,$ as d,f as e,T as f};
