// Shaped Devices: every row of ShapedDevices.csv, searched, sorted and
// paged on the server (10k+ rows), each linking to its circuit.
import { html, useEffect, useState } from '../ui/preact.js';
import { useApi, useQueryParam } from '../ui/hooks.js';
import { mountPage, circuitHref } from '../ui/page.js';
import { DataTable, Pager } from '../ui/table.js';
import { PageHeader, ErrorBox, Loading, R } from '../ui/widgets.js';
import * as fmt from '../lib/fmt.js';

const PAGE = 50;

const cols = [
  { key: 'circuit_name', label: 'Circuit', cell: (d) => html`<a href=${circuitHref(d.circuit_id)} class="circuit-link"><${R}>${d.circuit_name}<//></a>` },
  { key: 'device_name', label: 'Device', cell: (d) => html`<${R}>${d.device_name}<//>${d.dynamic ? html` <span class="badge text-bg-info dynamic-badge" title="from a RADIUS accounting session">dynamic</span>` : null}` },
  { key: 'parent_node', label: 'Parent node', cell: (d) => html`<${R}>${d.parent_node || '–'}<//>` },
  { key: 'mac', label: 'MAC', cell: (d) => html`<${R} class="font-monospace small">${d.mac || '–'}<//>` },
  { key: 'ip', label: 'IPs', cell: (d) => html`<${R} class="font-monospace small">${[...(d.ipv4 || []), ...(d.ipv6 || [])].join(', ')}<//>` },
  { key: 'max_down', label: '⬇ Plan', num: true, cell: (d) => `${d.min_mbps.down}–${d.max_mbps.down} Mbps` },
  { key: 'max_up', label: '⬆ Plan', num: true, cell: (d) => `${d.min_mbps.up}–${d.max_mbps.up} Mbps` },
];

function DevicesPage() {
  const [q, setQ] = useQueryParam('q', '');
  const [sort, setSort] = useQueryParam('sort', 'circuit_name');
  const [desc, setDesc] = useQueryParam('desc', '');
  const [page, setPage] = useQueryParam('page', '0');
  const [typed, setTyped] = useState(q);
  // Search waits for a pause in typing instead of one request per key.
  useEffect(() => {
    const t = setTimeout(() => { if (typed !== q) { setQ(typed); setPage('0'); } }, 250);
    return () => clearTimeout(t);
  }, [typed]);
  const p = Number(page) || 0;
  const { data, error } = useApi(`/api/devices?q=${encodeURIComponent(q)}&sort=${sort}&desc=${desc ? 1 : 0}&offset=${p * PAGE}&limit=${PAGE}`);
  /** @type {import('../api-types').DevicesView} */
  const v = data;
  const pages = v ? Math.max(1, Math.ceil(v.matched / PAGE)) : 1;
  return html`<${PageHeader} title="Shaped Devices">
      <input type="search" class="form-control form-control-sm w-auto" id="devices-search" placeholder="Name, IP, MAC, node" aria-label="Search devices"
        value=${typed} onInput=${(e) => setTyped(e.currentTarget.value)} /><//>
    <${ErrorBox} error=${error} />
    ${!v && !error ? html`<${Loading} />` : null}
    ${v ? html`<p class="small text-body-secondary" id="devices-count">${fmt.count(v.matched)} of ${fmt.count(v.total)} devices</p>
      <div class="card"><${DataTable} id="devices-list" columns=${cols} rows=${v.rows} rowKey=${(d) => `${d.circuit_id}|${d.device_id}`}
        sort=${sort} desc=${desc === '1'} onSort=${(k, d) => { setSort(k); setDesc(d ? '1' : ''); setPage('0'); }} empty="No device matches." /></div>
      <${Pager} page=${p} pages=${pages} onPage=${(n) => setPage(String(n))} label=${`Page ${p + 1} of ${pages}`} />` : null}`;
}

mountPage(DevicesPage);
