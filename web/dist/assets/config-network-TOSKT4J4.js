import{a as M,b as R,c as I,d as w,e as h,f as L}from"./chunk-GUVD7BLL.js";import{a as m,b as P,e as r,f as g,j as S,l as O,o as T,p as A}from"./chunk-CE426F3A.js";import"./chunk-HBBFCDRV.js";import"./chunk-KS2RGVWW.js";import"./chunk-WOT6VMZA.js";var D=e=>JSON.parse(JSON.stringify(e));function k(e,a,o=null){for(let t of e)a(t,o),k(t.children||[],a,t)}function x(e,a){for(let o of e){if(o.name===a)return e;let t=x(o.children||[],a);if(t)return t}return null}function j(e,a){return e.name===a?!0:(e.children||[]).some(o=>j(o,a))}function f(e){return e===""||e===null||e===void 0?null:Number(e)}function B({n:e,depth:a,ops:o,canEdit:t,problems:u,allNames:c}){let b=u.filter(l=>l.node===e.name),v=c.filter(l=>l!==e.name&&!j(e,l));return r`<li class="list-group-item net-node" data-name=${e.name} style=${{paddingLeft:`${.75+a*1.25}rem`}}>
    <div class="d-flex flex-wrap align-items-center gap-2">
      <strong class="net-name">${e.name}</strong>
      ${e.virtual?r`<span class="badge text-bg-secondary">virtual</span>`:null}
      ${e.id?r`<span class="small text-body-secondary font-monospace">${e.id}</span>`:null}
      <label class="small">⬇ <input type="number" step="any" min="0" class="form-control form-control-sm d-inline-block net-down" style="width:7rem" disabled=${!t}
        value=${e.download_mbps} onInput=${l=>o.set(e,"download_mbps",f(l.target.value)??0)} /> Mbps</label>
      <label class="small">⬆ <input type="number" step="any" min="0" class="form-control form-control-sm d-inline-block net-up" style="width:7rem" disabled=${!t}
        value=${e.upload_mbps} onInput=${l=>o.set(e,"upload_mbps",f(l.target.value)??0)} /> Mbps</label>
      <label class="small">lat <input type="number" step="any" class="form-control form-control-sm d-inline-block net-lat" style="width:6.5rem" disabled=${!t}
        value=${e.latitude??""} onInput=${l=>o.set(e,"latitude",f(l.target.value))} /></label>
      <label class="small">lon <input type="number" step="any" class="form-control form-control-sm d-inline-block net-lon" style="width:6.5rem" disabled=${!t}
        value=${e.longitude??""} onInput=${l=>o.set(e,"longitude",f(l.target.value))} /></label>
      <span class="ms-auto d-flex gap-1">
        <button type="button" class="btn btn-sm btn-outline-secondary net-add" disabled=${!t} onClick=${()=>o.add(e)}>Add child</button>
        <button type="button" class="btn btn-sm btn-outline-secondary net-rename" disabled=${!t} onClick=${()=>o.rename(e)}>Rename</button>
        <select class="form-select form-select-sm net-move" style="width:auto" disabled=${!t} value="" onChange=${l=>o.move(e,l.target.value)} aria-label="Move under">
          <option value="">Move under…</option><option value="/">(top level)</option>
          ${v.map(l=>r`<option value=${l}>${l}</option>`)}</select>
        <button type="button" class="btn btn-sm btn-outline-danger net-delete" disabled=${!t} onClick=${()=>o.del(e)}>Delete</button>
      </span>
    </div>
    ${b.map(l=>r`<div class=${`small net-problem ${l.severity==="error"?"text-danger":"text-warning"}`}>${w(l)}</div>`)}
  </li>
  ${(e.children||[]).map(l=>r`<${B} n=${l} depth=${a+1} ops=${o} canEdit=${t} problems=${u} allNames=${c} />`)}`}function E({data:e,session:a,reload:o}){let[t,u]=m(D(e.nodes||[])),[c,b]=m(e.problems||[]),[v,l]=m(null),[H,N]=m(!1),[J,U]=m(0);P(()=>{u(D(e.nodes||[])),b(e.problems||[]),N(!1)},[e]);let p=e.can_edit&&a.role==="admin",y=[];k(t,n=>y.push(n.name));let $=()=>{u([...t]),N(!0)},C=(n,s)=>{let i=window.prompt(n,s);if(i===null)return null;let d=i.trim();return d?y.includes(d)&&d!==s?(window.alert(`A node named "${d}" exists; names must be unique.`),null):d:null},_={set(n,s,i){n[s]=i,$()},add(n){let s=C("Name of the new node");if(!s)return;let i={name:s,download_mbps:n?n.download_mbps:1e3,upload_mbps:n?n.upload_mbps:1e3,latitude:null,longitude:null,children:[]};n?n.children=[...n.children||[],i]:t.push(i),$()},rename(n){let s=C("New name",n.name);s&&(n.name=s,$())},del(n){if(!window.confirm(`Delete ${n.name} and everything below it?`))return;let s=x(t,n.name);s.splice(s.indexOf(n),1),$()},move(n,s){if(!s)return;let i=x(t,n.name);i.splice(i.indexOf(n),1),s==="/"?t.push(n):k(t,d=>{d.name===s&&(d.children=[...d.children||[],n])}),$()}},q=async()=>{let n=await h("/api/config/network/check","POST",{version:e.version,nodes:t});n.ok?(b(n.ok.problems),l({ok:{message:n.ok.ok?"The checks pass.":"The checks found errors."}})):l(n)},z=async()=>{let n=await h("/api/config/network","PUT",{version:e.version,nodes:t});l(n),n.error&&n.error.body&&n.error.body.problems&&b(n.error.body.problems),n.ok&&(U(s=>s+1),o())};return r`<div id="network-editor" data-version=${e.version}>
    <div class="d-flex gap-2 mb-2 align-items-center">
      <button type="button" class="btn btn-sm btn-outline-secondary" id="net-add-top" disabled=${!p} onClick=${()=>_.add(null)}>Add top-level node</button>
      <button type="button" class="btn btn-sm btn-outline-info" id="net-check" onClick=${q} disabled=${!p}>Check</button>
      <button type="button" class="btn btn-sm btn-primary" id="net-save" onClick=${z} disabled=${!p}>Save network.json</button>
      ${H?r`<span class="small text-warning" id="net-dirty">Unsaved changes</span>`:null}
      <span class="small text-body-secondary ms-auto">${e.path}</span>
    </div>
    <${I} result=${v} />
    ${c.filter(n=>!n.node).length?r`<ul class="small" id="net-other-problems">${c.filter(n=>!n.node).map(n=>r`<li>${w(n)}</li>`)}</ul>`:null}
    <ul class="list-group" id="net-tree">
      ${t.length===0?r`<li class="list-group-item text-body-secondary">No nodes: a flat network (circuits are spread over generated parent nodes).</li>`:null}
      ${t.map(n=>r`<${B} n=${n} depth=${0} ops=${_} canEdit=${p} problems=${c} allNames=${y} />`)}
    </ul>
    <${L} file="network.json" version=${e.version} canEdit=${p} onRestored=${o} n=${J} />
  </div>`}function F({session:e}){let a=g("/api/config/sections"),{data:o,error:t,reload:u}=g("/api/config/network");return r`<${O} title="Configuration: Network Layout" />
    ${a.data?r`<${M} menu=${a.data.menu} current="network" />`:null}
    <${T} error=${t} />
    ${o?r`<${R} canEdit=${o.can_edit} owners=${o.owners} role=${e.role} />
      <${E} data=${o} session=${e} reload=${u} />`:t?null:r`<${A} />`}`}S(F);
