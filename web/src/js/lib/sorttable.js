// Click-to-sort for tables built with the DOM helper (the dashboard's live
// lists). Header cells with data-key sort their column; a cell's
// data-sort (numbers) or text is the value. The choice survives re-renders:
// call resort(table) after replacing the rows.

function value(td, num) {
  if (!td) return num ? 0 : '';
  const v = td.dataset.sort ?? td.textContent.trim();
  return num ? Number(v) || 0 : v.toLowerCase();
}

/** resort(table) sorts the body by the table's chosen column, if any. */
export function resort(table) {
  const th = table.querySelector('th[aria-sort="ascending"], th[aria-sort="descending"]');
  if (!th) return;
  const col = [...th.parentNode.children].indexOf(th);
  const num = th.dataset.num === '1';
  const desc = th.getAttribute('aria-sort') === 'descending';
  const body = table.tBodies[0];
  const rows = [...body.rows].sort((a, b) => {
    const x = value(a.cells[col], num);
    const y = value(b.cells[col], num);
    const c = num ? x - y : x.localeCompare(y, undefined, { numeric: true });
    return desc ? -c : c;
  });
  body.append(...rows);
}

/** sortable(table) makes the data-key headers clickable (and keyboard-operable). */
export function sortable(table) {
  for (const th of table.querySelectorAll('th[data-key]')) {
    th.setAttribute('aria-sort', 'none');
    th.tabIndex = 0;
    const click = () => {
      const next = th.getAttribute('aria-sort') === (th.dataset.num === '1' ? 'descending' : 'ascending')
        ? (th.dataset.num === '1' ? 'ascending' : 'descending')
        : (th.dataset.num === '1' ? 'descending' : 'ascending');
      for (const o of table.querySelectorAll('th[data-key]')) o.setAttribute('aria-sort', 'none');
      th.setAttribute('aria-sort', next);
      resort(table);
    };
    th.addEventListener('click', click);
    th.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); click(); } });
  }
}
