// Mounts a page component under the shell. Every page module calls
// mountPage(Component) once.
import { html, render } from './preact.js';
import { initShell } from '../shell.js';

export async function mountPage(Component) {
  const session = await initShell();
  render(html`<${Component} session=${session} />`, document.getElementById('app'));
}

export { nodeHref, circuitHref } from './links.js';
