import{a as U,b as k,c as F,e as L,f as O}from"./chunk-GUVD7BLL.js";import{c as q}from"./chunk-STDXYVJ2.js";import{a as n,b as E,e as o,f as w,j as N,l as R,o as T,p as A}from"./chunk-CE426F3A.js";import"./chunk-HBBFCDRV.js";import{a as S}from"./chunk-KS2RGVWW.js";import"./chunk-WOT6VMZA.js";var B=[["circuit_id","Circuit ID"],["circuit_name","Circuit Name"],["device_id","Device ID"],["device_name","Device Name"],["parent_node","Parent Node"],["mac","MAC or RADIUS user"],["ipv4","IPv4 (comma-separated, /prefix allowed)"],["ipv6","IPv6"],["download_min_mbps","Download Min Mbps","n"],["upload_min_mbps","Upload Min Mbps","n"],["download_max_mbps","Download Max Mbps","n"],["upload_max_mbps","Upload Max Mbps","n"],["sqm","SQM override (cake, fq_codel, none, down/up)"],["comment","Comment"]],H={circuit_id:"Circuit ID",circuit_name:"Circuit Name",device_id:"Device ID",device_name:"Device Name",parent_node:"Parent Node",mac:"MAC",ipv4:"IPv4",ipv6:"IPv6",download_min_mbps:"Download Min",upload_min_mbps:"Upload Min",download_max_mbps:"Download Max",upload_max_mbps:"Upload Max",sqm:"sqm",comment:"Comment"},X=()=>({circuit_id:"",circuit_name:"",device_id:"",device_name:"",parent_node:"",mac:"",ipv4:"",ipv6:"",download_min_mbps:10,upload_min_mbps:10,download_max_mbps:100,upload_max_mbps:100,sqm:"",comment:""});function z({row:c,original:r,nodes:_,problems:f,onSave:h,onCancel:b}){let[l,m]=n({...c}),g=t=>f.filter(i=>(i.field||"").startsWith(H[t]));return o`<form class="card mb-3" id="device-form" onSubmit=${t=>{t.preventDefault(),h(l)}}>
    <div class="card-header">${r?`Edit device ${r}`:"Add a device"}</div>
    <div class="card-body row g-2">
      ${B.map(([t,i,s])=>o`<div class="col-md-4 col-lg-3"><label class="form-label small" for=${`dev-${t}`}>${i}</label>
        <input class="form-control form-control-sm" id=${`dev-${t}`} name=${t} type=${s==="n"?"number":"text"} step="any"
          list=${t==="parent_node"?"dev-nodes":null} value=${l[t]}
          onInput=${d=>m({...l,[t]:s==="n"?Number(d.target.value):d.target.value})} />
        ${g(t).map(d=>o`<div class="invalid-feedback d-block field-error" data-key=${t}>${d.message}</div>`)}</div>`)}
      <datalist id="dev-nodes">${(_||[]).map(t=>o`<option value=${t}></option>`)}</datalist>
    </div>
    <div class="card-footer d-flex gap-2"><button class="btn btn-sm btn-primary" type="submit" id="device-save">Save</button>
      <button class="btn btn-sm btn-outline-secondary" type="button" onClick=${b}>Cancel</button></div>
  </form>`}function W({session:c}){let[r,_]=n(""),[f,h]=n(""),[b,l]=n(0),[m,g]=n(25),[t,i]=n(null),[s,d]=n(null),[x,y]=n(0);E(()=>{let e=setTimeout(()=>{h(r),l(0)},250);return()=>clearTimeout(e)},[r]);let{data:a,error:C,reload:J}=w(`/api/config/devices?q=${encodeURIComponent(f)}&offset=${b*m}&limit=${m}&n=${x}`),D=w("/api/config/sections"),p=a&&a.can_edit&&c.role==="admin",M=s&&s.error&&s.error.body&&s.error.body.problems||[],I=e=>{d(e),e.ok&&(i(null),y(v=>v+1))},P=async e=>I(await L("/api/config/devices","POST",{version:a.version,...e})),Q=async e=>{let v=e.target.files[0];if(!v)return;let V=await v.text(),j=await S(),$=await fetch("/api/config/devices.csv",{method:"PUT",body:V,credentials:"same-origin",headers:{"Content-Type":"text/csv","X-CSRF-Token":j.csrf_token,"X-Base-Version":a.version,Accept:"application/json"}}),u=null;try{u=await $.json()}catch{}e.target.value="",I($.ok?{ok:{...u,message:"CSV imported."}}:{error:{status:$.status,message:u&&u.message||`HTTP ${$.status}`,body:u}})};return o`${D.data?o`<${U} menu=${D.data.menu} current="devices" />`:null}
    <${T} error=${C} />
    ${a?o`
    <${k} canEdit=${a.can_edit} owners=${a.owners} role=${c.role} />
    <div class="d-flex flex-wrap gap-2 mb-2 align-items-center" id="devices-toolbar" data-version=${a.version}>
      <input class="form-control form-control-sm" style="max-width:20rem" type="search" id="dev-search" placeholder="Search circuits, devices, IPs…" value=${r} onInput=${e=>_(e.target.value)} />
      <select class="form-select form-select-sm" style="width:auto" id="dev-page-size" value=${m} onChange=${e=>{g(Number(e.target.value)),l(0)}}>
        ${[25,50,100,250].map(e=>o`<option value=${e}>${e} per page</option>`)}</select>
      <span class="small" id="dev-count">${a.matched} of ${a.total} devices</span>
      <span class="ms-auto d-flex gap-2">
        <button type="button" class="btn btn-sm btn-primary" id="dev-add" disabled=${!p} onClick=${()=>{d(null),i({row:X(),original:""})}}>Add device</button>
        <a class="btn btn-sm btn-outline-secondary" id="dev-export" href="/api/config/devices.csv" download="ShapedDevices.csv">Export CSV</a>
        <label class=${`btn btn-sm btn-outline-warning mb-0 ${p?"":"disabled"}`} for="dev-import">Import CSV</label>
        <input type="file" accept=".csv,text/csv" id="dev-import" class="d-none" disabled=${!p} onChange=${Q} />
      </span>
    </div>
    ${t?o`<${z} row=${t.row} original=${t.original} nodes=${a.nodes} problems=${M}
      onCancel=${()=>i(null)} onSave=${e=>P(t.original?{op:"update",device_id:t.original,row:e}:{op:"add",row:e})} />`:null}
    <${F} result=${s} />
    ${a.problems.length?o`<div class="alert alert-warning small" id="dev-file-problems">The file as it is has errors: ${a.problems.map(e=>e.message).join("; ")}</div>`:null}
    <div class="table-responsive"><table class="table table-sm table-hover" id="devices-edit-table">
      <thead><tr><th>Circuit ID</th><th>Circuit</th><th>Device ID</th><th>Device</th><th>Parent</th><th>IPv4</th><th>IPv6</th><th class="text-end">Min ⬇/⬆</th><th class="text-end">Max ⬇/⬆</th><th>SQM</th><th></th></tr></thead>
      <tbody>${a.rows.map(e=>o`<tr data-device=${e.device_id} class=${M.some(v=>v.device===e.device_id)?"table-danger":""}>
        <td>${e.circuit_id}</td><td>${e.circuit_name}</td><td>${e.device_id}</td><td>${e.device_name}</td><td>${e.parent_node}</td>
        <td class="font-monospace small">${e.ipv4}</td><td class="font-monospace small">${e.ipv6}</td>
        <td class="text-end">${e.download_min_mbps} / ${e.upload_min_mbps}</td><td class="text-end">${e.download_max_mbps} / ${e.upload_max_mbps}</td><td>${e.sqm}</td>
        <td class="text-end text-nowrap">
          <button type="button" class="btn btn-sm btn-outline-secondary dev-edit" disabled=${!p} onClick=${()=>{d(null),i({row:e,original:e.device_id})}}>Edit</button>
          <button type="button" class="btn btn-sm btn-outline-danger dev-delete ms-1" disabled=${!p}
            onClick=${()=>window.confirm(`Delete device ${e.device_id}?`)&&P({op:"delete",device_id:e.device_id})}>Delete</button></td></tr>`)}
      ${a.rows.length===0?o`<tr><td colspan="11" class="text-body-secondary">No devices match.</td></tr>`:null}</tbody></table></div>
    <${q} page=${b} pages=${Math.max(1,Math.ceil(a.matched/m))} onPage=${l} />
    <${O} file="ShapedDevices.csv" version=${a.version} canEdit=${p} onRestored=${()=>y(e=>e+1)} n=${x} />`:C?null:o`<${A} />`}`}function G({session:c}){return o`<${R} title="Configuration: Shaped Devices" /><${W} session=${c} />`}N(G);
