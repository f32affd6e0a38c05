// Shared Playwright setup: Debian's chromium, headless, no network chatter.
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Log in through the form; resolves when the dashboard shows. */
export async function login(page, base, username, password) {
  await page.goto(`${base}/login.html`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#login-submit');
  await page.waitForURL(`${base}/index.html`);
  await page.waitForSelector('#topnav');
}
