import type { Site } from './model.js';

/** How much a building of each OSM type houses, per m² of floor, relative to apartments. */
const RESIDENTIAL_WEIGHT: Record<string, number> = {
  apartments: 1,
  residential: 1,
  house: 1,
  detached: 1,
  semidetached_house: 1,
  terrace: 1,
  dormitory: 1,
  bungalow: 1,
  // Untyped buildings in a dense city are mostly housing; counted at a lower weight.
  yes: 0.6,
};

export interface PopulationOptions {
  /** Total residents of the city from an official source, distributed over buildings. */
  total: number;
  /** Floors assumed when a building's `building:levels` is unknown. */
  defaultLevels: number;
}

export const POPULATION_METHOD =
  'dasymetric: the official total distributed over buildings in proportion to footprint × floors × housing weight ' +
  '(apartments/residential/house 1, untyped 0.6, non-residential 0), integer shares by largest remainder';

/**
 * Places a city's known population on its real buildings. Residents go only to
 * buildings that house people, in proportion to their floor area; the shares are
 * whole people and add up exactly to the total.
 */
export function estimateResidents(sites: Iterable<Site>, options: PopulationOptions): Map<string, number> {
  const weights: { id: string; w: number }[] = [];
  let sum = 0;
  for (const s of sites) {
    if (s.category !== 'building' || !s.buildingType || !s.footprintM2 || s.areaId === null) continue;
    const w = (RESIDENTIAL_WEIGHT[s.buildingType] ?? 0) * s.footprintM2 * (s.levels ?? options.defaultLevels);
    if (w <= 0) continue;
    weights.push({ id: s.id, w });
    sum += w;
  }
  const out = new Map<string, number>();
  if (sum === 0 || options.total <= 0) return out;
  const shares = weights.map(({ id, w }) => {
    const exact = (options.total * w) / sum;
    return { id, floor: Math.floor(exact), rest: exact - Math.floor(exact) };
  });
  let left = options.total - shares.reduce((a, s) => a + s.floor, 0);
  // Largest remainder: the people left over go to the buildings closest to one more.
  const byRest = [...shares].sort((a, b) => b.rest - a.rest || (a.id < b.id ? -1 : 1));
  for (const s of byRest) {
    if (left <= 0) break;
    s.floor++;
    left--;
  }
  for (const s of shares) if (s.floor > 0) out.set(s.id, s.floor);
  return out;
}
