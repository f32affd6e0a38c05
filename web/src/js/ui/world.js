// The world outline: Natural Earth 1:110m country boundaries (public
// domain) as TopoJSON from world-atlas (ISC), turned into GeoJSON for
// echarts.registerMap. Bundled into its own chunk.
import { feature } from 'topojson-client';
import countries from 'world-atlas/countries-110m.json';

// A ring that crosses the antimeridian (Russia, Fiji) would be drawn across
// the whole map: its points on the far side are moved to the edge.
function clampRing(ring) {
  const east = ring.filter(([lon]) => lon > 150).length;
  const west = ring.filter(([lon]) => lon < -150).length;
  if (!east || !west) return ring;
  return east >= west ? ring.map(([lon, lat]) => [lon < 0 ? 180 : lon, lat]) : ring.map(([lon, lat]) => [lon > 0 ? -180 : lon, lat]);
}

function clamp(geom) {
  if (!geom) return geom;
  if (geom.type === 'Polygon') return { ...geom, coordinates: geom.coordinates.map(clampRing) };
  if (geom.type === 'MultiPolygon') return { ...geom, coordinates: geom.coordinates.map((p) => p.map(clampRing)) };
  return geom;
}

const fc = feature(countries, countries.objects.countries);
// Antarctica is left out: on a flat map it is a band along the bottom.
export const world = { ...fc, features: fc.features.filter((f) => f.id !== '010').map((f) => ({ ...f, geometry: clamp(f.geometry) })) };
