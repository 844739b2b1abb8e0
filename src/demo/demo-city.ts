import type { Site } from '../city/contract.js';
import type { Position } from '../kernel/geo.js';

/**
 * DEMO fire stations. Monaco's OSM extract tags no fire station, so the demo's
 * fire units had only a position; these make them explicit city-model sites so
 * the cockpit can measure who lives within N minutes of one. Names and positions
 * are invented for the demo (flagged in the name and the source), not Monaco's
 * real stations.
 */
export const DEMO_FIRE_STATIONS: Omit<Site, 'areaId' | 'residents'>[] = [
  {
    id: 'site:demo:fire-station-fontvieille',
    name: 'Fire station Fontvieille (demo)',
    category: 'fire-station',
    position: [7.418, 43.7287],
    footprintM2: null,
    levels: null,
    address: null,
    buildingType: null,
    source: 'demo: invented position',
  },
  {
    id: 'site:demo:fire-post-port-hercule',
    name: 'Fire and rescue post Port Hercule (demo)',
    category: 'fire-station',
    position: [7.4218, 43.7345],
    footprintM2: null,
    levels: null,
    address: null,
    buildingType: null,
    source: 'demo: invented position',
  },
];

export const demoFireBase = (id: 'fontvieille' | 'port-hercule'): { siteId: string; position: Position } => {
  const s = DEMO_FIRE_STATIONS.find((x) => x.id.endsWith(id))!;
  return { siteId: s.id, position: s.position };
};

/**
 * DEMO districts between the neighbourhoods and the city. Monaco has no official
 * level that groups its four traditional quartiers: the urban-planning division
 * (Ordonnance Souveraine of 13 September 2013: seven quartiers ordonnancés and two
 * secteurs réservés) is a finer, parallel partition whose boundaries are not in
 * the extract, and the three communes of 1911–1918 (Monaco, La Condamine,
 * Monte-Carlo) predate today's Fontvieille, reclaimed from the sea from 1971. So
 * the demo groups them west and east of the port, and says it is a demo.
 */
export const DEMO_DISTRICTS: { id: string; name: string; neighbourhoods: string[]; source: string }[] = [
  {
    id: 'area:demo:district-west',
    name: 'West (demo district)',
    neighbourhoods: ['Fontvieille', 'Monaco-Ville'],
    source: 'demo: grouping invented for the demo (no official district level)',
  },
  {
    id: 'area:demo:district-east',
    name: 'East (demo district)',
    neighbourhoods: ['La Condamine', 'Monte-Carlo'],
    source: 'demo: grouping invented for the demo (no official district level)',
  },
];
