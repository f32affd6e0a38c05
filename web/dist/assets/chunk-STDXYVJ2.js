import{a as h,d as P,e as o}from"./chunk-CE426F3A.js";function w(e,t){return typeof e=="number"&&typeof t=="number"?e-t:String(e??"").localeCompare(String(t??""),void 0,{numeric:!0,sensitivity:"base"})}function E({columns:e,sort:t,desc:a,onSort:u}){return o`<thead><tr>${e.map(n=>{let i=n.sort!==!1,r=t===n.key?a?"descending":"ascending":"none",c=()=>u(n.key,t===n.key?!a:!!n.num);return o`<th class=${n.num?"table-num":""} scope="col" title=${n.title||null} data-key=${n.key}
      aria-sort=${i?r:null} tabindex=${i?0:null}
      onClick=${i?c:null} onKeyDown=${i?d=>{(d.key==="Enter"||d.key===" ")&&(d.preventDefault(),c())}:null}>${n.label}</th>`})}</tr></thead>`}function j({id:e,columns:t,rows:a,rowKey:u,sort:n,desc:i=!1,onSort:r,pageSize:c=0,empty:d="Nothing to show.",rowClass:g}){let[k,M]=h({sort:n,desc:i}),[C,D]=h(0),$=r?n:k.sort,m=r?i:k.desc,p=P(()=>{if(r||!$)return a;let s=t.find(b=>b.key===$),l=s&&typeof s.sort=="function"?s.sort:b=>b[$],x=[...a].sort((b,N)=>w(l(b),l(N)));return m?x.reverse():x},[a,$,m,r,t]),y=c?Math.max(1,Math.ceil(p.length/c)):1,f=Math.min(C,y-1),v=c?p.slice(f*c,(f+1)*c):p;return o`<div class="table-wrap"><table class="table table-sm table-hover align-middle mb-0 table-sort" id=${e}>
    <${E} columns=${t} sort=${$} desc=${m} onSort=${(s,l)=>{r?r(s,l):M({sort:s,desc:l})}} />
    <tbody>${v.length===0?o`<tr><td colspan=${t.length} class="text-body-secondary small empty-row">${d}</td></tr>`:v.map(s=>o`<tr key=${u(s)} data-key=${u(s)} class=${g?g(s):null}>${t.map(l=>o`<td class=${l.num?"table-num":""}>${l.cell?l.cell(s):s[l.key]}</td>`)}</tr>`)}</tbody>
  </table></div>
  ${y>1?o`<${H} page=${f} pages=${y} onPage=${D} />`:null}`}function H({page:e,pages:t,onPage:a,label:u}){return o`<nav class="d-flex align-items-center gap-2 mt-2 small pager" aria-label="Pages">
    <button type="button" class="btn btn-sm btn-outline-secondary pager-prev" disabled=${e<=0} onClick=${()=>a(e-1)}>‹ Previous</button>
    <span class="pager-status">${u||`Page ${e+1} of ${t}`}</span>
    <button type="button" class="btn btn-sm btn-outline-secondary pager-next" disabled=${e>=t-1} onClick=${()=>a(e+1)}>Next ›</button>
  </nav>`}export{E as a,j as b,H as c};
