// Small shared pieces: page header, utilisation bar, redactable text,
// stat card, alerts.
import { html } from './preact.js';
import * as fmt from '../lib/fmt.js';
import { nodeHref } from './links.js';

/** Redactable text (blurred in privacy mode). */
export const R = ({ children, class: cls = '' }) => html`<span class=${`redactable ${cls}`.trim()}>${children}</span>`;

export function PageHeader({ title, children, sub }) {
  return html`<div class="d-flex flex-wrap align-items-center gap-2 mb-3">
    <h1 class="h4 mb-0 me-auto" id="page-title">${title}</h1>${children}
  </div>${sub ? html`<div class="mb-3">${sub}</div>` : null}`;
}

/** Utilisation of a limit: bar and percent; colours match the dashboard's CPU bars. */
export function UtilBar({ bps, maxMbps }) {
  const pct = maxMbps > 0 ? (100 * bps) / (maxMbps * 1e6) : 0;
  const cls = pct >= 90 ? 'bg-danger' : pct >= 70 ? 'bg-warning' : 'bg-success';
  return html`<div class="d-flex align-items-center gap-2 live util" title=${`${fmt.bps(bps)} of ${fmt.mbps(maxMbps)}`}>
    <div class="progress util-bar flex-grow-1" role="progressbar" aria-valuenow=${Math.round(pct)} aria-valuemin="0" aria-valuemax="100" aria-label="Utilisation">
      <div class=${`progress-bar ${cls}`} style=${{ width: `${Math.min(100, pct)}%` }}></div></div>
    <span class="small util-pct">${pct.toFixed(0)}%</span></div>`;
}

export function Stat({ label, value, id, sub }) {
  return html`<div class="col-6 col-md-4 col-xl-2"><div class="card h-100"><div class="card-body py-2">
    <div class="stat-label">${label}</div><div class="stat-value live" id=${id}>${value}</div>
    ${sub ? html`<div class="small text-body-secondary">${sub}</div>` : null}</div></div></div>`;
}

export function ErrorBox({ error }) {
  if (!error) return null;
  const msg = error.status === 501 && error.reason !== 'no_editor' ? 'This data source does not provide network pages.' : error.message;
  return html`<div class="alert alert-danger" role="alert" id="page-error">${msg}</div>`;
}

export const Loading = () => html`<p class="text-body-secondary" id="page-loading">Loading…</p>`;

export function DirPair({ v, f }) {
  return html`<span class="live text-nowrap">${f(v.down)} / ${f(v.up)}</span>`;
}

/** Breadcrumb of parent nodes, root first; each a link. */
export function Breadcrumb({ path, lastIsLink = false }) {
  return html`<nav aria-label="Parent nodes"><ol class="breadcrumb mb-2 small" id="breadcrumb">
    <li class="breadcrumb-item"><a href="/tree.html">Network</a></li>
    ${path.map((p, i) => (i === path.length - 1 && !lastIsLink
    ? html`<li class="breadcrumb-item active" aria-current="page"><${R}>${p.name}<//></li>`
    : html`<li class="breadcrumb-item"><a href=${nodeHref(p.id)}><${R}>${p.name}<//></a></li>`))}
  </ol></nav>`;
}

