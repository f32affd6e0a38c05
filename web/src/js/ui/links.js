// The bookmarkable URLs of the drill-down pages, built in one place.
export const nodeHref = (id) => `/node.html?id=${encodeURIComponent(id)}`;
export const circuitHref = (id) => `/circuit.html?id=${encodeURIComponent(id)}`;
