// First-run page: create the first admin.
import { postPublic } from './lib/api.js';

const form = document.getElementById('first-run-form');
const errBox = document.getElementById('first-run-error');
let minPassword = 8;

function showError(text) {
  errBox.textContent = text;
  errBox.classList.remove('d-none');
}

fetch('/api/setup-status').then((r) => r.json()).then((st) => {
  if (!st.first_run) {
    window.location.assign('/login.html');
    return;
  }
  minPassword = st.min_password || minPassword;
  document.getElementById('password-help').textContent = `At least ${minPassword} characters.`;
  document.getElementById('token-group').classList.toggle('d-none', !st.token_required);
}).catch(() => {});

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  errBox.classList.add('d-none');
  const username = document.getElementById('username').value.trim();
  const password = document.getElementById('password').value;
  const password2 = document.getElementById('password2').value;
  const token = document.getElementById('token').value.trim();
  if (!username) { showError('Enter a username.'); return; }
  if (password.length < minPassword) { showError(`The password needs at least ${minPassword} characters.`); return; }
  if (password !== password2) { showError('The passwords do not match.'); return; }
  const btn = document.getElementById('first-run-submit');
  btn.disabled = true;
  try {
    await postPublic('/api/first-run', { username, password, token });
    window.location.assign('/index.html');
  } catch (e) {
    if (e.reason === 'already_configured') { window.location.assign('/login.html'); return; }
    if (e.reason === 'setup_token_required') document.getElementById('token-group').classList.remove('d-none');
    showError(e.message);
  } finally {
    btn.disabled = false;
  }
});
