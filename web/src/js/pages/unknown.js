// Unknown IPs: addresses seen in traffic that match no circuit (unshaped
// subscribers), exportable as CSV.
import { html } from '../ui/preact.js';
import { useApi } from '../ui/hooks.js';
import { mountPage } from '../ui/page.js';
import { DataTable } from '../ui/table.js';
import { PageHeader, ErrorBox, Loading, R } from '../ui/widgets.js';
import * as fmt from '../lib/fmt.js';

const cols = [
  { key: 'ip', label: 'Address', cell: (u) => html`<${R} class="font-monospace">${u.ip}<//>` },
  { key: 'down', label: '⬇ Bytes', num: true, sort: (u) => u.bytes.down, cell: (u) => fmt.bytes(u.bytes.down) },
  { key: 'up', label: '⬆ Bytes', num: true, sort: (u) => u.bytes.up, cell: (u) => fmt.bytes(u.bytes.up) },
  { key: 'rate', label: 'Rate ⬇ / ⬆', num: true, sort: (u) => u.bps.down, cell: (u) => `${fmt.bps(u.bps.down)} / ${fmt.bps(u.bps.up)}` },
  { key: 'last_seen', label: 'Last seen', cell: (u) => fmt.time(u.last_seen) },
];

function UnknownPage() {
  const { data, error, reload } = useApi('/api/unknown');
  return html`<${PageHeader} title="Unknown IPs">
      <button type="button" class="btn btn-sm btn-outline-secondary" id="unknown-refresh" onClick=${reload}>Refresh</button>
      <a class="btn btn-sm btn-outline-primary" id="unknown-csv" href="/api/unknown.csv" download="unknown-ips.csv">Export CSV</a><//>
    <p class="small text-body-secondary">Addresses seen in traffic that match no circuit in ShapedDevices.csv: likely unshaped subscribers.</p>
    <${ErrorBox} error=${error} />
    ${data ? html`<div class="card"><${DataTable} id="unknown-table" columns=${cols} rows=${data.rows} rowKey=${(u) => u.ip} sort="down" desc=${true} pageSize=${100} empty="No unknown addresses." /></div>`
    : error ? null : html`<${Loading} />`}`;
}

mountPage(UnknownPage);
