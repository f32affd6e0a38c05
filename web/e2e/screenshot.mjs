// Screenshot of the dashboard: node e2e/screenshot.mjs BASE USER PASS OUT.png [redact]
import { launch, login } from './browser.mjs';

const [base, user, pass, out, redact] = process.argv.slice(2);
const browser = await launch();
const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') console.log('console:', m.text()); });
page.on('pageerror', (e) => console.log('pageerror:', e.message));
await login(page, base, user, pass);
if (redact) await page.click('#redact-btn');
await page.waitForTimeout(7000);
await page.screenshot({ path: out, fullPage: true });
await browser.close();
