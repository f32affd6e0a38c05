// The page registry: the one list of the web UI's pages. build.mjs makes a
// bundle entry and an HTML file for each, the Go server serves exactly
// these paths (from dist/pages.json), and the shell builds the navigation
// from it. Adding a page = one entry here plus its module in js/pages/.
//
// nav: shown in the navigation bar; under: the nav entry kept active on a
// drill-down page (node → tree, circuit → devices).
export const pages = [
  { id: 'dashboard', path: '/index.html', title: 'Dashboard', icon: 'speedometer2', nav: true, html: 'src/pages/index.html' },
  { id: 'tree', path: '/tree.html', title: 'Network Tree', icon: 'diagram-3', nav: true },
  { id: 'node', path: '/node.html', title: 'Node', icon: 'diagram-2', under: 'tree' },
  { id: 'circuit', path: '/circuit.html', title: 'Circuit', icon: 'person', under: 'devices' },
  { id: 'cpu', path: '/cpu.html', title: 'CPU Tree', icon: 'cpu', nav: true },
  { id: 'devices', path: '/devices.html', title: 'Shaped Devices', icon: 'pc-display', nav: true },
  { id: 'unknown', path: '/unknown.html', title: 'Unknown IPs', icon: 'question-diamond', nav: true },
  { id: 'asn', path: '/asn_analysis.html', title: 'ASN Analysis', icon: 'bar-chart-line', nav: true },
  { id: 'globe', path: '/flow_map.html', title: 'Flow Globe', icon: 'globe2', nav: true },
  { id: 'sitemap', path: '/site_map.html', title: 'Site Map', icon: 'geo-alt', nav: true },
  { id: 'config', path: '/config.html', title: 'Configuration', icon: 'gear', nav: true },
  { id: 'config-network', path: '/config-network.html', title: 'Network Layout', icon: 'diagram-3', under: 'config' },
  { id: 'config-devices', path: '/config-devices.html', title: 'Shaped Devices Editor', icon: 'pc-display', under: 'config' },
  { id: 'config-users', path: '/config-users.html', title: 'Users', icon: 'people', under: 'config' },
];

// Standalone pages without the shell (no session needed).
export const publicPages = [
  { id: 'login', path: '/login.html', title: 'Log in', html: 'src/pages/login.html' },
  { id: 'first-run', path: '/first-run.html', title: 'First run', html: 'src/pages/first-run.html' },
];
