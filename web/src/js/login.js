// Login page.
import { postPublic } from './lib/api.js';

const form = document.getElementById('login-form');

// Already logged in (e.g. a bookmark to the login page): go to the dashboard.
fetch('/api/setup-status', { credentials: 'same-origin' }).then((r) => r.json()).then((st) => {
  if (st.logged_in) window.location.assign('/index.html');
}).catch(() => {});
const errBox = document.getElementById('login-error');

function showError(text) {
  errBox.textContent = text;
  errBox.classList.remove('d-none');
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  errBox.classList.add('d-none');
  const username = document.getElementById('username').value.trim();
  const password = document.getElementById('password').value;
  if (!username || !password) {
    showError('Enter a username and a password.');
    return;
  }
  const btn = document.getElementById('login-submit');
  btn.disabled = true;
  try {
    await postPublic('/api/login', { username, password });
    window.location.assign('/index.html');
  } catch (e) {
    if (e.reason === 'first_run_required') {
      window.location.assign('/first-run.html');
      return;
    }
    if (e.status === 429) showError('Too many failed attempts. Wait a minute and try again.');
    else if (e.reason === 'invalid_credentials') showError('Invalid username or password.');
    else showError(`Login failed: ${e.message}`);
  } finally {
    btn.disabled = false;
  }
});
