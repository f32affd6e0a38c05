// Builds the front end into dist/ (committed, embedded by Go via web.go).
// Usage: npm ci && npm run build
//
// Every page of the registry (src/pages.mjs) becomes one entry; code shared
// between pages (Preact, ECharts, the shell) is split into chunks, so a
// page loads only what it uses and the browser caches shared code once.
// Every file in dist/assets has a content hash in its name, which lets the
// server mark them immutable; the HTML pages (never cached) name them.
import * as esbuild from 'esbuild';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { pages, publicPages } from './src/pages.mjs';

const out = 'dist';
rmSync(out, { recursive: true, force: true });
mkdirSync(`${out}/assets`, { recursive: true });

const entryOf = (p) => (publicPages.includes(p) ? `src/js/${p.id}.js` : `src/js/pages/${p.id}.js`);
const all = [...pages, ...publicPages];
const entryPoints = Object.fromEntries(all.map((p) => [p.id, entryOf(p)]));
entryPoints.app = 'src/css/app.css';

// echarts-gl imports echarts' and zrender's modules without the ".js" their
// package exports require; add it.
const deepImports = {
  name: 'deep-imports',
  setup(build) {
    build.onResolve({ filter: /^(echarts|zrender)\/lib\// }, (args) => (args.path.endsWith('.js') ? undefined
      : build.resolve(`${args.path}.js`, { kind: args.kind, resolveDir: args.resolveDir })));
  },
};

// claygl (under echarts-gl) compiles a few size expressions with new
// Function, which our CSP forbids: use the small evaluator in
// src/js/ui/claygl-expr.js instead.
const noEval = {
  name: 'claygl-no-eval',
  setup(build) {
    build.onLoad({ filter: /claygl[\\/]src[\\/]createCompositor\.js$/ }, async (args) => {
      const src = readFileSync(args.path, 'utf8');
      const call = "new Function('width', 'height', 'dpr', 'return ' + exprRes[1])";
      if (!src.includes(call)) throw new Error(`${args.path}: the expression compiler changed; update build.mjs`);
      const helper = JSON.stringify(new URL('./src/js/ui/claygl-expr.js', import.meta.url).pathname);
      return { contents: `import { compileExpr as lqosCompileExpr } from ${helper};\n${src.replace(call, 'lqosCompileExpr(exprRes[1])')}`, loader: 'js' };
    });
  },
};

const result = await esbuild.build({
  plugins: [deepImports, noEval],
  entryPoints,
  outdir: `${out}/assets`,
  bundle: true,
  splitting: true,
  minify: true,
  format: 'esm',
  target: ['chrome100', 'firefox100', 'safari15'],
  loader: { '.woff': 'file', '.woff2': 'file' },
  entryNames: '[name]-[hash]',
  chunkNames: 'chunk-[hash]',
  assetNames: '[name]-[hash]',
  legalComments: 'eof',
  metafile: true,
  logLevel: 'warning',
});

// entry id → its output file, and each output's static imports.
const outputs = result.metafile.outputs;
const byEntry = {};
for (const [file, o] of Object.entries(outputs)) {
  if (!o.entryPoint) continue;
  const id = Object.keys(entryPoints).find((k) => entryPoints[k] === o.entryPoint);
  if (id) byEntry[id] = file;
}
const url = (file) => `/${file.slice(out.length + 1)}`;

function staticImports(file, seen = new Set()) {
  for (const imp of outputs[file].imports) {
    if (imp.kind !== 'import-statement' || seen.has(imp.path)) continue;
    seen.add(imp.path);
    staticImports(imp.path, seen);
  }
  return seen;
}

function head(p) {
  const js = byEntry[p.id];
  const preload = [...staticImports(js)].filter((f) => f.endsWith('.js'))
    .map((f) => `<link rel="modulepreload" href="${url(f)}">`);
  return [`<link rel="stylesheet" href="${url(byEntry.app)}">`, ...preload,
    `<script type="module" src="${url(js)}"></script>`].join('\n  ');
}

const escapeHTML = (s) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
for (const p of all) {
  const tpl = readFileSync(p.html || 'src/pages/app.html', 'utf8');
  const html = tpl.replaceAll('{{head}}', head(p)).replaceAll('{{title}}', escapeHTML(p.title)).replaceAll('{{id}}', p.id);
  writeFileSync(`${out}${p.path}`, html);
}
// The Go server serves exactly these paths as pages.
writeFileSync(`${out}/pages.json`, `${JSON.stringify({
  pages: pages.map((p) => p.path),
  public: publicPages.map((p) => p.path),
}, null, 1)}\n`);

// bootstrap-icons ships woff and woff2; browsers we target use woff2, so
// drop the woff copy to keep the binary small.
for (const f of readdirSync(`${out}/assets`)) {
  if (f.endsWith('.woff')) rmSync(`${out}/assets/${f}`);
}

// Sizes, so a change that bloats a page shows in the build log.
const sizes = all.map((p) => {
  const files = [byEntry[p.id], ...staticImports(byEntry[p.id])];
  const kb = files.reduce((n, f) => n + outputs[f].bytes, 0) / 1024;
  return `${p.id} ${kb.toFixed(0)} KB`;
});
console.log(`JS per page (entry + static chunks, minified): ${sizes.join(', ')}`);
