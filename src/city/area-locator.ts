import { bboxContains, bboxOf, geometryContains, haversineM, type BBox, type Position } from '../kernel/geo.js';
import type { Area } from './model.js';

/**
 * The neighbourhood a point is in: inside a neighbourhood's boundary, else (inside the
 * city) the nearest neighbourhood known only as a named place, else none. The rule
 * the OSM import assigns sites by, so a site and a person at the same place agree.
 */
export function neighbourhoodAt<A extends Omit<Area, 'orgId'>>(
  p: Position,
  shaped: readonly { area: A; bbox: BBox }[],
  places: readonly A[],
  city: A | null,
): A | null {
  const hit = shaped.find((x) => bboxContains(x.bbox, p) && geometryContains(x.area.geometry!, p));
  if (hit) return hit.area;
  if (city?.geometry && !geometryContains(city.geometry, p)) return null;
  let best: { area: A; d: number } | null = null;
  for (const x of places) {
    const d = haversineM(p, x.center);
    if (!best || d < best.d) best = { area: x, d };
  }
  return best?.area ?? null;
}

/** `neighbourhoodAt` over the city's current areas, prepared once per change of the areas. */
export function neighbourhoodLocator(areas: () => ReadonlyMap<string, Area>): (p: Position) => { id: string; name: string } | null {
  let prepared: { of: ReadonlyMap<string, Area>; size: number; shaped: { area: Area; bbox: BBox }[]; places: Area[]; city: Area | null } | null = null;
  return (p) => {
    const all = areas();
    if (!prepared || prepared.of !== all || prepared.size !== all.size) {
      const list = [...all.values()];
      const hoods = list.filter((a) => a.level === 'neighbourhood');
      prepared = {
        of: all,
        size: all.size,
        shaped: hoods.filter((a) => a.geometry).map((area) => ({ area, bbox: bboxOf(area.geometry!) })),
        places: hoods.filter((a) => !a.geometry),
        city: list.find((a) => a.level === 'city') ?? null,
      };
    }
    const hit = neighbourhoodAt(p, prepared.shaped, prepared.places, prepared.city);
    return hit ? { id: hit.id, name: hit.name } : null;
  };
}
