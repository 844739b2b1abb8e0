import { haversineM, type Position } from '../kernel/geo.js';
import { placeParam, sitePlace, wordLabel, type Device, type DeviceKind, type GeneratedLabel, type Site, type Zone } from '../city/contract.js';

/** Deterministic pseudo-random numbers (mulberry32): the demo city is the same on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PUBLIC = new Set([
  'school',
  'hospital',
  'clinic',
  'town-hall',
  'public-venue',
  'hotel',
  'pharmacy',
  'place-of-worship',
  'transport',
  'police-station',
  'fire-station',
]);
const ZONE_NAMES = ['Entrance', 'Ground floor', 'Upper floors', 'Basement', 'Car park', 'Technical room'];
const DETECTORS: DeviceKind[] = ['motion-detector', 'door-contact', 'smoke-detector', 'glass-break', 'heat-detector'];

export interface DemoOrgs {
  marc: string;
  city: string;
  police: string;
}

/** Roughly evenly spread picks: each next site is the one farthest from those already picked. */
function spread(sites: Site[], count: number, random: () => number): Site[] {
  if (sites.length === 0 || count <= 0) return [];
  const picked = [sites[Math.floor(random() * sites.length)]!];
  const nearest = sites.map((s) => haversineM(s.position, picked[0]!.position));
  while (picked.length < Math.min(count, sites.length)) {
    let best = 0;
    for (let i = 1; i < sites.length; i++) if (nearest[i]! > nearest[best]!) best = i;
    const next = sites[best]!;
    picked.push(next);
    sites.forEach((s, i) => (nearest[i] = Math.min(nearest[i]!, haversineM(s.position, next.position))));
  }
  return picked;
}

const jitter = (p: Position, random: () => number): Position => [
  Math.round((p[0] + (random() - 0.5) * 0.0002) * 1e7) / 1e7,
  Math.round((p[1] + (random() - 0.5) * 0.00015) * 1e7) / 1e7,
];

/** A sector's coverage: a wedge from the antenna, azimuth and beam width in degrees, range in metres, as a closed ring. */
export function sectorRing(centre: Position, azimuthDeg: number, beamDeg: number, rangeM: number): Position[] {
  const mPerDegLat = 111_320;
  const mPerDegLon = mPerDegLat * Math.cos((centre[1] * Math.PI) / 180);
  const ring: Position[] = [centre];
  for (let a = azimuthDeg - beamDeg / 2; a <= azimuthDeg + beamDeg / 2 + 1e-9; a += beamDeg / 8) {
    const rad = (a * Math.PI) / 180;
    ring.push([
      Math.round((centre[0] + (rangeM * Math.sin(rad)) / mPerDegLon) * 1e7) / 1e7,
      Math.round((centre[1] + (rangeM * Math.cos(rad)) / mPerDegLat) * 1e7) / 1e7,
    ]);
  }
  ring.push(centre);
  return ring;
}

/**
 * The demo city's installed base on its real buildings: alarm panels monitored by
 * the MARC (every public building and one building in five) with zones and
 * detectors, panic buttons, site cameras at monitored public buildings, gas
 * sensors, police street cameras, city sirens spread over
 * the city and loudspeakers in public venues, a noise sensor at each of them, and
 * invented cell sites (flagged DEMO, test PLMN 001-01) for cell broadcast.
 */
export function generateDemoDevices(
  allSites: Iterable<Site>,
  orgs: DemoOrgs,
  seed = 37123,
  areaName: (areaId: string) => string | null = () => null,
): { zones: Zone[]; devices: Device[] } {
  const random = seededRandom(seed);
  // What people call a site: its name, address, or kind and neighbourhood — never its id. A generated name keeps
  // its parts (labelParts), so a screen says it in the reader's language; the label stays the English as written.
  const where = (site: Site) => placeParam(sitePlace(site, site.areaId ? areaName(site.areaId) : null));
  const named = (template: string, params: GeneratedLabel['params']): Pick<Device, 'label' | 'labelParts'> => {
    const labelParts: GeneratedLabel = { template, params };
    return { label: wordLabel(labelParts), labelParts };
  };
  const sites = [...allSites].filter((s) => s.areaId !== null).sort((a, b) => (a.id < b.id ? -1 : 1));
  const zones: Zone[] = [];
  const devices: Device[] = [];
  let account = 0x1000;
  const add = (kind: DeviceKind, site: Site, orgId: string, extra: Partial<Device> = {}): Device => {
    const d: Device = {
      id: `dev:${kind}:${devices.length + 1}`,
      kind,
      ...named('{kind} — {where}', { kind: { kind }, where: where(site) }),
      siteId: site.id,
      zoneId: null,
      position: jitter(site.position, random),
      orgId,
      account: null,
      protocol: null,
      parentId: null,
      ...extra,
    };
    devices.push(d);
    return d;
  };

  for (const site of sites) {
    const isPublic = PUBLIC.has(site.category);
    if (!isPublic && !(site.category === 'building' && random() < 0.2)) continue;
    const acct = (account++).toString(16).toUpperCase();
    const panel = add('alarm-panel', site, orgs.marc, {
      account: acct,
      protocol: random() < 0.8 ? 'sia-dc09' : 'contact-id',
      ...named('Panel {account} — {where}', { account: acct, where: where(site) }),
    });
    const zoneCount = 2 + Math.floor(random() * 3);
    for (let z = 1; z <= zoneCount; z++) {
      const zone: Zone = { id: `zone:${site.id}:${z}`, siteId: site.id, number: z, name: ZONE_NAMES[(z - 1) % ZONE_NAMES.length]!, orgId: orgs.marc };
      zones.push(zone);
      const detectors = 1 + Math.floor(random() * 2);
      for (let k = 0; k < detectors; k++) {
        add(DETECTORS[Math.floor(random() * DETECTORS.length)]!, site, orgs.marc, { zoneId: zone.id, parentId: panel.id });
      }
    }
    if (site.category === 'pharmacy' || site.category === 'hotel' || site.category === 'town-hall')
      add('panic-button', site, orgs.marc, { parentId: panel.id });
    // Monitored public buildings have a camera the MARC can look through (remote verification).
    if (isPublic) add('camera', site, orgs.marc, { protocol: 'http', ...named('Site camera — {where}', { where: where(site) }) });
  }
  for (const site of sites) {
    if (site.category === 'hospital' || site.category === 'school') add('gas-sensor', site, orgs.city, { protocol: 'mqtt' });
    if (site.category === 'transport' || site.category === 'public-venue') add('camera', site, orgs.police, { protocol: 'http' });
    if (site.category === 'public-venue' || site.category === 'school' || site.category === 'town-hall')
      add('loudspeaker', site, orgs.city, { protocol: 'mqtt' });
  }
  const buildings = sites.filter((s) => s.category === 'building');
  for (const site of spread(buildings, 20, random)) add('camera', site, orgs.police, { protocol: 'http' });
  for (const site of spread(buildings, 12, random)) add('siren', site, orgs.city, { protocol: 'mqtt', ...named('Siren — {where}', { where: where(site) }) });
  // A noise sensor beside each warning device: the measured ambient its sound level is set above.
  for (const d of devices.filter((x) => x.kind === 'siren' || x.kind === 'loudspeaker')) {
    add(
      'noise-sensor',
      sites.find((x) => x.id === d.siteId)!,
      orgs.city,
      {
        protocol: 'mqtt',
        parentId: d.id,
        position: d.position,
        ...named('Noise sensor (dB(A)) — {device}', { device: d.labelParts ? { label: d.labelParts } : d.label }),
      },
    );
  }
  // INVENTED cell sites, clearly flagged: 8 sites of 3 sectors on the test network's PLMN 001-01, not any operator's.
  spread(buildings, 8, random).forEach((site, n) => {
    for (let sector = 0; sector < 3; sector++) {
      const enb = (0xd0000 + n + 1).toString(16).toUpperCase();
      add('cell-site', site, orgs.city, {
        protocol: null,
        position: site.position,
        ...named('DEMO cell site (invented) {n}, sector {sector} — {where}', { n: n + 1, sector: sector + 1, where: where(site) }),
        cell: { cellId: `001-01-${enb}${String(sector + 1).padStart(2, '0')}`, coverage: sectorRing(site.position, sector * 120 + 30, 120, 450) },
      });
    }
  });
  // Water-level gauges (storm drains, underground car parks) the city's early-warning rules watch; last, so earlier ids stay as they were.
  for (const site of spread(buildings, 3, random))
    add('water-level-sensor', site, orgs.city, { protocol: 'mqtt', ...named('Water level gauge — {where}', { where: where(site) }) });
  return { zones, devices };
}
