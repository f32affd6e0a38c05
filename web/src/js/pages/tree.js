// Network Tree Overview: the whole hierarchy as a tree table with live
// figures from the "tree" channel.
import { html, useEffect, useMemo, useState } from '../ui/preact.js';
import { useApi, useChannel, useQueryParam } from '../ui/hooks.js';
import { mountPage, nodeHref } from '../ui/page.js';
import { SortHeader } from '../ui/table.js';
import { PageHeader, UtilBar, ErrorBox, Loading, R } from '../ui/widgets.js';
import * as fmt from '../lib/fmt.js';

/** @typedef {import('../api-types').TreeNode} TreeNode */

// Live row layout of the tree channel (see TreeLive in Go).
const MAX_LIVE_ROWS = 200; // the server's limit for tree:<indices>
const L = { down: 0, up: 1, p50: 2, p90: 3, retxD: 4, retxU: 5, dropsD: 6, dropsU: 7, marksD: 8, marksU: 9 };

const columns = [
  { key: 'name', label: 'Node' },
  { key: 'circuits', label: 'Circuits', num: true, title: 'Circuits in the whole subtree' },
  { key: 'down', label: '⬇ Down', num: true },
  { key: 'up', label: '⬆ Up', num: true },
  { key: 'util', label: 'Utilisation ⬇', num: true, title: 'Download against the node\'s limit' },
  { key: 'p50', label: 'RTT p50', num: true },
  { key: 'p90', label: 'RTT p90', num: true },
  { key: 'retx', label: 'Retx %', num: true, title: 'TCP retransmits, download / upload' },
  { key: 'drops', label: 'Drops', num: true, title: 'Queue drops, download / upload' },
  { key: 'marks', label: 'ECN marks', num: true, title: 'Queue ECN marks, download / upload' },
];

function sortValue(n, r, key) {
  switch (key) {
    case 'name': return n.name.toLowerCase();
    case 'circuits': return n.circuits;
    case 'util': return n.max_mbps.down > 0 ? r[L.down] / (n.max_mbps.down * 1e6) : 0;
    case 'retx': return Math.max(r[L.retxD], r[L.retxU]);
    case 'drops': return r[L.dropsD] + r[L.dropsU];
    case 'marks': return r[L.marksD] + r[L.marksU];
    default: return r[L[key]];
  }
}

function rowOf(n) {
  const l = n.live;
  return [l.bps.down, l.bps.up, l.rtt_p50_ms, l.rtt_p90_ms, l.retx_pct.down, l.retx_pct.up, l.drops.down, l.drops.up, l.marks.down, l.marks.up];
}

function TreePage() {
  const { data, error } = useApi('/api/tree');
  const [q, setQ] = useQueryParam('q', '');
  const [sort, setSort] = useQueryParam('sort', 'name');
  const [desc, setDesc] = useQueryParam('desc', '');
  const [open, setOpen] = useState(() => new Set());
  /** @type {TreeNode[]} */
  const nodes = data ? data.nodes : [];
  const [rows, setRows] = useState([]);
  useEffect(() => setRows(nodes.map(rowOf)), [data]);
  const children = useMemo(() => {
    const m = new Map();
    for (const n of nodes) {
      if (!m.has(n.parent)) m.set(n.parent, []);
      m.get(n.parent).push(n);
    }
    return m;
  }, [nodes]);
  // Search: matching nodes and their ancestors stay visible, expanded.
  const visibleBySearch = useMemo(() => {
    if (!q) return null;
    const needle = q.toLowerCase();
    const keep = new Set();
    for (const n of nodes) {
      if (!n.name.toLowerCase().includes(needle)) continue;
      for (let i = n.index; i >= 0 && !keep.has(i); i = nodes[i].parent) keep.add(i);
    }
    return keep;
  }, [nodes, q]);

  const cmp = (a, b) => {
    const va = sortValue(a, rows[a.index], sort);
    const vb = sortValue(b, rows[b.index], sort);
    const c = typeof va === 'string' ? va.localeCompare(vb) : va - vb;
    return desc ? -c : c;
  };
  const out = [];
  const walk = (parent, depth) => {
    const kids = [...(children.get(parent) || [])].sort(cmp);
    for (const n of kids) {
      if (visibleBySearch && !visibleBySearch.has(n.index)) continue;
      out.push([n, depth]);
      const expanded = visibleBySearch ? true : open.has(n.index);
      if (expanded) walk(n.index, depth + 1);
    }
  };
  if (data && rows.length === nodes.length) walk(-1, 0);
  // Live figures only for the rows on screen (a few hundred at most), so a
  // large network's update stays small; "tree" sends every node.
  const shown = out.map(([n]) => n.index).sort((a, b) => a - b);
  const live = useChannel(data && shown.length ? (shown.length <= MAX_LIVE_ROWS ? `tree:${shown.join(',')}` : 'tree') : null);
  useEffect(() => {
    if (!live) return;
    setRows((old) => {
      if (!live.index) return live.rows.length === old.length ? live.rows : old;
      const next = [...old];
      live.index.forEach((i, k) => { if (i < next.length) next[i] = live.rows[k]; });
      return next;
    });
  }, [live]);
  if (error) return html`<${PageHeader} title="Network Tree" /><${ErrorBox} error=${error} />`;
  if (!data) return html`<${PageHeader} title="Network Tree" /><${Loading} />`;
  const toggle = (i) => { const s = new Set(open); if (s.has(i)) s.delete(i); else s.add(i); setOpen(s); };
  const all = (on) => setOpen(on ? new Set(nodes.filter((n) => children.has(n.index)).map((n) => n.index)) : new Set());

  return html`<${PageHeader} title="Network Tree">
      <input type="search" class="form-control form-control-sm w-auto" id="tree-search" placeholder="Find node by name" aria-label="Find node by name"
        value=${q} onInput=${(e) => setQ(e.currentTarget.value)} />
      <button type="button" class="btn btn-sm btn-outline-secondary" id="tree-expand-all" onClick=${() => all(true)}>Expand all</button>
      <button type="button" class="btn btn-sm btn-outline-secondary" id="tree-collapse-all" onClick=${() => all(false)}>Collapse all</button>
    <//>
    <p class="small text-body-secondary">${fmt.count(nodes.length)} nodes · ${fmt.count(nodes.filter((n) => n.parent === -1).reduce((a, n) => a + n.circuits, 0))} circuits below them · live every second</p>
    <div class="card"><div class="table-wrap"><table class="table table-sm table-hover align-middle mb-0 table-sort" id="tree-table">
      <${SortHeader} columns=${columns} sort=${sort} desc=${desc === '1'} onSort=${(k, d) => { setSort(k); setDesc(d ? '1' : ''); }} />
      <tbody>${out.length === 0 ? html`<tr><td colspan="10" class="text-body-secondary small empty-row">No node matches.</td></tr>`
        : out.map(([n, depth]) => html`<${TreeRow} key=${n.index} n=${n} r=${rows[n.index]} depth=${depth}
          hasKids=${children.has(n.index)} open=${visibleBySearch ? true : open.has(n.index)} onToggle=${toggle} />`)}</tbody>
    </table></div></div>`;
}

function TreeRow({ n, r, depth, hasKids, open, onToggle }) {
  return html`<tr data-index=${n.index} data-id=${n.id} class="tree-row">
    <td style=${{ paddingLeft: `${0.4 + depth * 1.2}rem` }} class="text-nowrap">
      ${hasKids ? html`<button type="button" class="tree-toggle" aria-expanded=${open ? 'true' : 'false'} aria-label=${`${open ? 'Collapse' : 'Expand'} ${n.name}`}
        onClick=${() => onToggle(n.index)}>${open ? '▾' : '▸'}</button>` : html`<span class="tree-toggle d-inline-block"></span>`}
      <a href=${nodeHref(n.id)} class="node-link"><${R}>${n.name}<//></a>
      ${n.parent === -1 ? html` <span class="badge text-bg-secondary badge-top" title="Top-level node">top</span>` : null}
      ${n.generated ? html` <span class="badge text-bg-info badge-generated" title="Generated by the planner, not in network.json">generated</span>` : null}
    </td>
    <td class="table-num">${fmt.count(n.circuits)}</td>
    <td class="table-num live">${fmt.bps(r[L.down])}</td>
    <td class="table-num live">${fmt.bps(r[L.up])}</td>
    <td class="table-num"><${UtilBar} bps=${r[L.down]} maxMbps=${n.max_mbps.down} /></td>
    <td class="table-num live">${r[L.p50] ? fmt.ms(r[L.p50]) : '–'}</td>
    <td class="table-num live">${r[L.p90] ? fmt.ms(r[L.p90]) : '–'}</td>
    <td class="table-num live">${fmt.pct(r[L.retxD])} / ${fmt.pct(r[L.retxU])}</td>
    <td class="table-num live">${fmt.count(r[L.dropsD])} / ${fmt.count(r[L.dropsU])}</td>
    <td class="table-num live">${fmt.count(r[L.marksD])} / ${fmt.count(r[L.marksU])}</td>
  </tr>`;
}

mountPage(TreePage);
