import type { OsmData } from '../adapters/osm/osm-reader.js';
import { areaM2, centroid, type Polygon, type Position } from '../kernel/geo.js';
import type { AssemblyPoint } from './model.js';

/** Open spaces people can gather in when the extract tags no emergency=assembly_point (see docs/routing.md). */
const OPEN_SPACE = (t: Record<string, string>): boolean =>
  t.leisure === 'park' ||
  t.leisure === 'garden' ||
  t.leisure === 'pitch' ||
  t.leisure === 'stadium' ||
  t.place === 'square' ||
  (t.highway === 'pedestrian' && t.area === 'yes');
const MIN_OPEN_SPACE_M2 = 1500;

/** Assembly points of an extract: tagged ones if any, else named open spaces of at least 1 500 m². */
export function assemblyPointsOf(osm: OsmData): AssemblyPoint[] {
  const tagged: AssemblyPoint[] = [];
  for (const n of osm.taggedNodes) {
    if (n.tags.emergency === 'assembly_point')
      tagged.push({
        id: `osm-node-${n.id}`,
        name: n.tags.name ?? 'Assembly point',
        position: n.position,
        source: 'osm-assembly-point',
        capacity: Number(n.tags.capacity) || null,
      });
  }
  const open: AssemblyPoint[] = [];
  for (const w of osm.ways.values()) {
    const ring = w.refs.map((r) => osm.nodes.get(r)).filter((p): p is Position => p !== undefined);
    if (ring.length < 4 || w.refs[0] !== w.refs[w.refs.length - 1]) continue;
    const polygon: Polygon = { type: 'Polygon', coordinates: [ring] };
    if (w.tags.emergency === 'assembly_point') {
      tagged.push({
        id: `osm-way-${w.id}`,
        name: w.tags.name ?? 'Assembly point',
        position: centroid(polygon),
        source: 'osm-assembly-point',
        capacity: Number(w.tags.capacity) || null,
      });
    } else if (OPEN_SPACE(w.tags) && w.tags.name && areaM2(polygon) >= MIN_OPEN_SPACE_M2) {
      open.push({ id: `osm-way-${w.id}`, name: w.tags.name, position: centroid(polygon), source: 'open-space', capacity: Math.round(areaM2(polygon) / 2) });
    }
  }
  return tagged.length > 0 ? tagged : open;
}
