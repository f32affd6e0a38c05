import{a as R,b as I,c as P,e as k,f as A}from"./chunk-GUVD7BLL.js";import{a as m,b as T,e as o,f as C,h as S,j as _,l as N,o as q,p as E}from"./chunk-CE426F3A.js";import"./chunk-HBBFCDRV.js";import"./chunk-KS2RGVWW.js";import"./chunk-WOT6VMZA.js";function g(e,n){return e.type==="list"?(n||[]).join(`
`):n==null?"":String(n)}function U({fd:e,value:n,onChange:s,disabled:l,interfaces:c,secretState:p,clearing:$,onClear:v}){let u={id:`f-${e.key.replace(/[^a-z0-9]/gi,"-")}`,name:e.key,disabled:l||e.readonly,"data-key":e.key};switch(e.type){case"bool":return o`<div class="form-check form-switch"><input class="form-check-input" type="checkbox" role="switch" ...${u}
        checked=${n===!0} onChange=${r=>s(r.target.checked)} /></div>`;case"select":return o`<select class="form-select form-select-sm" ...${u} value=${g(e,n)} onChange=${r=>s(r.target.value)}>
        ${e.options.map(r=>o`<option value=${r}>${r===""?"(not set)":r}</option>`)}</select>`;case"interface":{let r=(c||[]).map(i=>i.name),f=g(e,n);return o`<select class="form-select form-select-sm" ...${u} value=${f} onChange=${i=>s(i.target.value)}>
        ${r.includes(f)?null:o`<option value=${f}>${f} (not on this machine)</option>`}
        ${(c||[]).map(i=>o`<option value=${i.name}>${i.name} — ${i.state}, ${i.tx_queues} TX queues</option>`)}</select>`}case"list":return o`<textarea class="form-control form-control-sm font-monospace" rows="3" ...${u} value=${g(e,n)}
        onInput=${r=>s(r.target.value.split(`
`))}></textarea>`;case"secret":return o`<div><div class="input-group input-group-sm">
        <input class="form-control" type="password" autocomplete="new-password" ...${u} value=${n||""}
          placeholder=${p?"configured":"not set"} onInput=${r=>s(r.target.value)} />
        <button type="button" class="btn btn-outline-danger secret-clear" disabled=${l||!p} onClick=${v}>${$?"Keep":"Clear"}</button></div>
        <div class="form-text secret-state" data-key=${e.key}>${$?"Will be cleared when you save.":n?"A new value will replace the stored one when you save.":p?"Configured: stored on the server. Leave blank to keep it.":"No value stored."}</div></div>`;default:return o`<input class="form-control form-control-sm" type=${e.type==="int"||e.type==="float"?"number":"text"}
        step=${e.type==="float"?"any":"1"} ...${u} value=${g(e,n)} onInput=${r=>s(r.target.value)} />`}}function X(e,n){if(e.type==="int"||e.type==="float"){if(n===""||n===null)return e.optional?null:n;let s=Number(n);return Number.isNaN(s)?n:s}return e.type==="list"?(n||[]).map(s=>s.trim()).filter(Boolean):e.key==="flows.netflow_version"?Number(n):n}function z({list:e,error:n}){return o`<div class="card mb-3"><div class="card-header">Interfaces on this machine</div><div class="card-body p-0">
    ${n?o`<div class="alert alert-warning m-2">${n}</div>`:null}
    <table class="table table-sm mb-0" id="iface-table"><thead><tr><th>Name</th><th>Link</th><th>MAC</th><th class="text-end">MTU</th><th class="text-end">TX / RX queues</th><th>Kind</th></tr></thead>
    <tbody>${(e||[]).map(s=>o`<tr data-name=${s.name}><td class="font-monospace">${s.name}</td>
      <td><span class=${`badge ${s.state==="up"?"text-bg-success":"text-bg-secondary"}`}>${s.state}</span>${s.up?"":" (admin down)"}</td>
      <td class="font-monospace small">${s.mac}</td><td class="text-end">${s.mtu}</td><td class="text-end">${s.tx_queues} / ${s.rx_queues}</td><td>${s.kind}</td></tr>`)}</tbody></table>
  </div></div>`}function D({r:e}){if(!e)return null;if(e.busy)return o`<div class="alert alert-secondary" id="test-result">Testing…</div>`;if(e.ok)return o`<div class="alert alert-success" id="test-result" data-kind="ok">Connection OK: ${e.circuits} circuits, ${e.devices} devices, ${e.nodes} nodes.</div>`;let n={dns:"DNS error",tls:"TLS error",auth:"Authentication refused (401/403)",timeout:"Timed out",refused:"Connection refused",http:"HTTP error",config:"Settings incomplete",error:"Error"};return o`<div class="alert alert-danger" id="test-result" data-kind=${e.kind}><strong>${n[e.kind]||"Error"}:</strong> ${e.error}</div>`}function V({data:e,session:n,reload:s}){let l=e.section,[c,p]=m(e.state.values),[$,v]=m({}),[y,u]=m([]),[r,f]=m(null),[i,h]=m(null),[L,B]=m(0);T(()=>{p(e.state.values),v({}),u([])},[e]);let b=e.can_edit&&n.role==="admin",w=c.mode,H=r&&r.error&&r.error.body&&r.error.body.problems||[],K=t=>H.filter(a=>a.field===t||(a.field||"").startsWith(`${t}[`)),x=()=>{let t={};for(let a of l.fields)if(!a.readonly){if(a.type==="secret"){$[a.key]&&(t[a.key]=$[a.key]);continue}a.group&&a.group!==w||(t[a.key]=X(a,c[a.key]))}return{version:e.version,values:t,clear:y}},M=async t=>{t.preventDefault();let a=await k(`/api/config/section/${l.id}`,"PUT",x());f(a),a.ok&&(B(d=>d+1),s())},O=async()=>{h({busy:!0});let t=await k(`/api/config/section/${l.id}/test`,"POST",x());h(t.ok||{kind:"error",error:t.error.message})};return o`<form id="config-form" data-section=${l.id} data-version=${e.version} onSubmit=${M} novalidate>
    ${l.intro?o`<p class="small text-body-secondary">${l.intro}</p>`:null}
    ${e.load_error?o`<div class="alert alert-warning" id="load-error">lqos.conf does not load as it is: ${e.load_error}</div>`:null}
    ${l.id==="network_mode"?o`<${z} list=${e.interfaces} error=${e.interfaces_error} />`:null}
    <div class="card"><div class="card-body">
    ${l.fields.filter(t=>!t.group||t.group===w).map(t=>{let a=K(t.key);return o`<div class="row mb-2 align-items-start config-field" data-key=${t.key}>
      <label class="col-md-4 col-form-label col-form-label-sm" for=${`f-${t.key.replace(/[^a-z0-9]/gi,"-")}`}>${t.label}
        ${t.restart?o` <span class="badge text-bg-secondary" title="Read when lqosd starts">restart</span>`:null}
        <div class="small text-body-secondary font-monospace">${t.key==="mode"?"[bridge] / [single_interface]":t.key}</div></label>
      <div class="col-md-8">
        <${U} fd=${t} value=${t.type==="secret"?$[t.key]:c[t.key]} disabled=${!b} interfaces=${e.interfaces}
          secretState=${e.state.secrets[t.key]} clearing=${y.includes(t.key)}
          onClear=${()=>u(y.includes(t.key)?y.filter(d=>d!==t.key):[...y,t.key])}
          onChange=${d=>t.type==="secret"?v({...$,[t.key]:d}):p({...c,[t.key]:d})} />
        ${t.help?o`<div class="form-text">${t.help}</div>`:null}
        ${a.map(d=>o`<div class="invalid-feedback d-block field-error" data-key=${t.key}>${d.message}</div>`)}
      </div></div>`})}
    </div><div class="card-footer d-flex gap-2 align-items-center">
      <button type="submit" class="btn btn-primary btn-sm" id="config-save" disabled=${!b}>Save</button>
      ${l.integration?o`<button type="button" class="btn btn-outline-info btn-sm" id="config-test" disabled=${!b} onClick=${O}>Test connection</button>`:null}
      <span class="small text-body-secondary ms-auto">${e.path}</span>
    </div></div>
    <div class="mt-3"><${D} r=${i} /><${P} result=${r} /></div>
    <${A} file="lqos.conf" version=${e.version} canEdit=${b} onRestored=${s} n=${L} />
  </form>`}function W({session:e}){let[n]=S("section","general"),{data:s,error:l,reload:c}=C(`/api/config/section/${encodeURIComponent(n)}`);return o`<${N} title=${s?`Configuration: ${s.section.title}`:"Configuration"} />
    ${s?o`<${R} menu=${s.menu} current=${n} />`:null}
    <${q} error=${l} />
    ${s?o`<${I} canEdit=${s.can_edit} role=${e.role} />
      <${V} data=${s} session=${e} reload=${c} />`:l?null:o`<${E} />`}`}_(W);
