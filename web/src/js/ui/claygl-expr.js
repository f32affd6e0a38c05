// The size expressions of ECharts GL's effect compositor ("width * dpr / 4",
// "[width * 1.0, height * 1.0]"), evaluated without eval: claygl compiles
// them with new Function, which the UI's Content-Security-Policy (no
// 'unsafe-eval') refuses. build.mjs routes claygl's call here.
const VARS = { width: 0, height: 1, dpr: 2 };

export function compileExpr(src) {
  const s = String(src).trim();
  if (s.startsWith('[') && s.endsWith(']')) {
    const parts = s.slice(1, -1).split(',').map(compileExpr);
    return (w, h, d) => parts.map((f) => f(w, h, d));
  }
  const t = s.split(/\s*([*/])\s*/);
  const operand = (x) => {
    if (x in VARS) return (a) => a[VARS[x]];
    if (/^\d+(\.\d+)?$/.test(x)) { const n = Number(x); return () => n; }
    throw new Error('Invalid expression.');
  };
  const first = operand(t[0]);
  const steps = [];
  for (let i = 1; i < t.length; i += 2) {
    if (t[i] !== '*' && t[i] !== '/') throw new Error('Invalid expression.');
    steps.push([t[i], operand(t[i + 1])]);
  }
  return (w, h, d) => {
    const a = [w, h, d];
    let v = first(a);
    for (const [op, f] of steps) v = op === '*' ? v * f(a) : v / f(a);
    return v;
  };
}
