// Privacy mode. Purely cosmetic and client-side: the server sends the same
// data. State lives in localStorage["redact"] ("true"/"false"); elements
// with class "redactable" are blurred by CSS; charts listen for the
// "redact-change" event and re-render their labels with mask().

const KEY = 'redact';

export function isRedacted() {
  return localStorage.getItem(KEY) === 'true';
}

function apply() {
  document.documentElement.classList.toggle('redact', isRedacted());
}

export function setRedacted(on) {
  localStorage.setItem(KEY, on ? 'true' : 'false');
  apply();
  window.dispatchEvent(new CustomEvent('redact-change', { detail: { redacted: on } }));
}

/** Label text for canvases (charts), where CSS blur cannot reach. */
export function mask(text) {
  if (!isRedacted()) return text;
  return '•'.repeat(Math.min(Math.max(String(text).length, 4), 12));
}

if (localStorage.getItem(KEY) === null) localStorage.setItem(KEY, 'false');
apply();
