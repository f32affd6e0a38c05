// Tiny DOM builder. Text is always set with text nodes, never parsed as
// HTML, so names coming from integrations cannot inject markup.

/**
 * h('div', {class: 'x', dataset: {id: 1}, onclick: fn}, 'text', childNode)
 * Attributes starting with "on" become event listeners.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replace all children of el. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/** Set text of the element with the given id (no-op if absent). */
export function setText(id, text) {
  const el = document.getElementById(id);
  if (el) el.textContent = text;
}

/** Bootstrap icon element. */
export function icon(name, extra = '') {
  return h('i', { class: `bi bi-${name} ${extra}`.trim(), 'aria-hidden': 'true' });
}
