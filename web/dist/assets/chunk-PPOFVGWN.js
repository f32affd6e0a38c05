import{e as t}from"./chunk-CE426F3A.js";function n({files:a}){let r=(a||[]).filter(e=>!e.loaded);return t`${r.length?t`<div class="alert alert-warning small mt-3" id="geo-data-warning">
      IP data incomplete: ${r.map(e=>t`<div>${e.kind} database ${e.path||""}: ${e.error}</div>`)}
    </div>`:null}
    <p class="small text-body-secondary mt-3 mb-0" id="geo-credit">
      <a href="https://db-ip.com" rel="noopener noreferrer" target="_blank">IP Geolocation by DB-IP</a> (CC BY 4.0);
      AS numbers from RouteViews, NRO and DB-IP (CC BY 4.0); outlines from Natural Earth. See About in the user menu.</p>`}export{n as a};
