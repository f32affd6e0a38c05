// Sortable, pageable table. Columns: {key, label, num, sort(row) → value,
// cell(row) → content, title}. Sorting is local unless onSort is given
// (server-side lists pass sort state and rows of the current page).
import { html, useMemo, useState } from './preact.js';

function compare(a, b) {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a ?? '').localeCompare(String(b ?? ''), undefined, { numeric: true, sensitivity: 'base' });
}

export function SortHeader({ columns, sort, desc, onSort }) {
  return html`<thead><tr>${columns.map((c) => {
    const sortable = c.sort !== false;
    const state = sort === c.key ? (desc ? 'descending' : 'ascending') : 'none';
    const click = () => onSort(c.key, sort === c.key ? !desc : !!c.num);
    return html`<th class=${c.num ? 'table-num' : ''} scope="col" title=${c.title || null} data-key=${c.key}
      aria-sort=${sortable ? state : null} tabindex=${sortable ? 0 : null}
      onClick=${sortable ? click : null} onKeyDown=${sortable ? (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); click(); } } : null}>${c.label}</th>`;
  })}</tr></thead>`;
}

/**
 * DataTable({id, columns, rows, rowKey, sort, desc, onSort, pageSize, empty})
 * Without onSort it keeps its own sort state (initial: sort/desc props).
 */
export function DataTable({ id, columns, rows, rowKey, sort: sort0, desc: desc0 = false, onSort, pageSize = 0, empty = 'Nothing to show.', rowClass }) {
  const [local, setLocal] = useState({ sort: sort0, desc: desc0 });
  const [page, setPage] = useState(0);
  const sort = onSort ? sort0 : local.sort;
  const desc = onSort ? desc0 : local.desc;
  const sorted = useMemo(() => {
    if (onSort || !sort) return rows;
    const col = columns.find((c) => c.key === sort);
    const val = (col && typeof col.sort === 'function') ? col.sort : (r) => r[sort];
    const out = [...rows].sort((a, b) => compare(val(a), val(b)));
    return desc ? out.reverse() : out;
  }, [rows, sort, desc, onSort, columns]);
  const pages = pageSize ? Math.max(1, Math.ceil(sorted.length / pageSize)) : 1;
  const p = Math.min(page, pages - 1);
  const shown = pageSize ? sorted.slice(p * pageSize, (p + 1) * pageSize) : sorted;
  const setSort = (key, d) => { if (onSort) onSort(key, d); else setLocal({ sort: key, desc: d }); };
  return html`<div class="table-wrap"><table class="table table-sm table-hover align-middle mb-0 table-sort" id=${id}>
    <${SortHeader} columns=${columns} sort=${sort} desc=${desc} onSort=${setSort} />
    <tbody>${shown.length === 0
      ? html`<tr><td colspan=${columns.length} class="text-body-secondary small empty-row">${empty}</td></tr>`
      : shown.map((r) => html`<tr key=${rowKey(r)} data-key=${rowKey(r)} class=${rowClass ? rowClass(r) : null}>${columns.map((c) => html`<td class=${c.num ? 'table-num' : ''}>${c.cell ? c.cell(r) : r[c.key]}</td>`)}</tr>`)}</tbody>
  </table></div>
  ${pages > 1 ? html`<${Pager} page=${p} pages=${pages} onPage=${setPage} />` : null}`;
}

export function Pager({ page, pages, onPage, label }) {
  return html`<nav class="d-flex align-items-center gap-2 mt-2 small pager" aria-label="Pages">
    <button type="button" class="btn btn-sm btn-outline-secondary pager-prev" disabled=${page <= 0} onClick=${() => onPage(page - 1)}>‹ Previous</button>
    <span class="pager-status">${label || `Page ${page + 1} of ${pages}`}</span>
    <button type="button" class="btn btn-sm btn-outline-secondary pager-next" disabled=${page >= pages - 1} onClick=${() => onPage(page + 1)}>Next ›</button>
  </nav>`;
}
