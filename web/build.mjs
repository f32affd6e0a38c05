// Builds the front end into dist/ (committed, embedded by Go via web.go).
// Usage: npm ci && npm run build
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';

const out = 'dist';
rmSync(out, { recursive: true, force: true });
mkdirSync(`${out}/assets`, { recursive: true });

await esbuild.build({
  entryPoints: {
    index: 'src/js/index.js',
    login: 'src/js/login.js',
    'first-run': 'src/js/first-run.js',
    app: 'src/css/app.css',
  },
  outdir: `${out}/assets`,
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome100', 'firefox100', 'safari15'],
  loader: { '.woff': 'file', '.woff2': 'file' },
  assetNames: '[name]-[hash]',
  legalComments: 'eof',
  logLevel: 'info',
});

// bootstrap-icons ships woff and woff2; browsers we target use woff2, so
// drop the woff copy to keep the binary small.
for (const f of readdirSync(`${out}/assets`)) {
  if (f.endsWith('.woff')) rmSync(`${out}/assets/${f}`);
}
for (const f of readdirSync('src/pages')) cpSync(`src/pages/${f}`, `${out}/${f}`);
