import{b as s,c,d as u}from"./chunk-MJUNVLWT.js";import{a as L,b as v,d as R,e as y}from"./chunk-CE426F3A.js";import{g as $,j as f,n as g,p as C}from"./chunk-HBBFCDRV.js";import{b as x}from"./chunk-KS2RGVWW.js";var N=[["5m","Live 5 min"],["1h","1 hour"],["24h","24 hours"]],E=300;function q({kind:b,id:T,initial:l,latest:m,limitMbps:d,range:o,setRange:P}){let[a,p]=L(l?l.points:[]);v(()=>{if(o==="5m"&&l){p(l.points);return}let t=!0;return x(`/api/history?kind=${b}&id=${encodeURIComponent(T)}&range=${o}`).then(e=>t&&p(e.points)).catch(()=>{}),()=>{t=!1}},[b,T,o]),v(()=>{o!=="5m"||!m||p(t=>{if(t.length&&t[t.length-1][0]>=m[0])return t;let e=[...t,m];return e.length>E?e.slice(e.length-E):e})},[m&&m[0]]);let h=R(()=>{let t=i=>a.map(n=>[n[0],n[i]]),e=[{name:"Download",data:t(1),color:s.down,area:!0},{name:"Upload",data:t(2),color:s.up,area:!0}];if(d&&a.length){let i=[a[0][0],a[a.length-1][0]];e.push({name:"Limit \u2B07",data:i.map(n=>[n,d.down*1e6]),color:s.down,dashed:!0}),e.push({name:"Limit \u2B06",data:i.map(n=>[n,d.up*1e6]),color:s.up,dashed:!0})}return{tp:u(e),rtt:u([{name:"Median RTT",data:t(3),color:s.rtt}],f),retx:u([{name:"Retransmits",data:t(4),color:s.retx}],g)}},[a,d]),r=a[a.length-1],w=(t,e)=>r?`Latest ${e(r[t])} at ${C(new Date(r[0]))}; ${a.length} samples.`:"No samples yet.";return y`<div class="card mb-3"><div class="card-header d-flex flex-wrap align-items-center gap-2">
      <span class="me-auto">History</span>
      <div class="btn-group btn-group-sm" role="group" aria-label="Time range" id="range-select">
        ${N.map(([t,e])=>y`<button type="button" class=${`btn ${o===t?"btn-primary":"btn-outline-secondary"}`}
          aria-pressed=${o===t?"true":"false"} data-range=${t} onClick=${()=>P(t)}>${e}</button>`)}
      </div></div>
    <div class="card-body"><div class="row g-3">
      <div class="col-lg-6"><h2 class="h6">Throughput${d?" against the limit":""}</h2>
        <${c} id="chart-throughput" option=${h.tp} label="Throughput over time, download and upload" summary=${r?`Latest download ${$(r[1])}, upload ${$(r[2])}; ${a.length} samples.`:"No samples yet."} /></div>
      <div class="col-lg-3 col-md-6"><h2 class="h6">Median RTT</h2>
        <${c} id="chart-rtt" option=${h.rtt} label="Median round-trip time over time" summary=${w(3,f)} /></div>
      <div class="col-lg-3 col-md-6"><h2 class="h6">TCP retransmits</h2>
        <${c} id="chart-retx" option=${h.retx} label="TCP retransmit percentage over time" summary=${w(4,g)} /></div>
    </div><p class="small text-body-secondary mb-0 mt-2" id="history-count">${a.length} samples${o==="5m"?" \xB7 1 s":" \xB7 1 min averages"}</p></div></div>`}export{q as a};
