// The attribution the IP data's licence asks for on pages that show its
// results, and a warning when a database is missing.
import { html } from './preact.js';

export function DataCredit({ files }) {
  const broken = (files || []).filter((f) => !f.loaded);
  return html`${broken.length ? html`<div class="alert alert-warning small mt-3" id="geo-data-warning">
      IP data incomplete: ${broken.map((f) => html`<div>${f.kind} database ${f.path || ''}: ${f.error}</div>`)}
    </div>` : null}
    <p class="small text-body-secondary mt-3 mb-0" id="geo-credit">
      <a href="https://db-ip.com" rel="noopener noreferrer" target="_blank">IP Geolocation by DB-IP</a> (CC BY 4.0);
      AS numbers from RouteViews, NRO and DB-IP (CC BY 4.0); outlines from Natural Earth. See About in the user menu.</p>`;
}
