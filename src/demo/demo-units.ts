import type { Site } from '../city/contract.js';
import type { Position } from '../kernel/geo.js';
import type { UnitInput } from '../units/index.js';
import { demoFireBase } from './demo-city.js';

/**
 * DEMO units for Monaco — invented call signs and crews (flagged `demo`). They are
 * based at the hospital and police stations of the OSM extract; the extract has no
 * fire station, so the fire engines are based at the demo's fire-station sites
 * (demo-city.ts; invented positions in Fontvieille and at Port Hercule).
 */
export function demoUnits(
  sites: Iterable<Site>,
  crewUserIds: { responder: string | null; guard: string | null },
): { org: 'fire' | 'police' | 'security'; unit: UnitInput }[] {
  const all = [...sites];
  const hospital = all.find((s) => s.category === 'hospital' && s.id === 'site:osm:node/25237989') ?? all.find((s) => s.category === 'hospital');
  const police = all.filter((s) => s.category === 'police-station').sort((a, b) => a.id.localeCompare(b.id));
  const fontvieille = demoFireBase('fontvieille');
  const portHercule = demoFireBase('port-hercule');
  const fireBase: Position = fontvieille.position;
  const station = (b: { siteId: string; position: Position }) => all.find((s) => s.id === b.siteId);
  const at = (site: Site | undefined, fallback: Position): Pick<UnitInput, 'homeSiteId' | 'homePosition'> =>
    site ? { homeSiteId: site.id, homePosition: null } : { homeSiteId: null, homePosition: fallback };
  const crew = (names: string[], lead: string | null = null) =>
    names.map((name, i) => ({ name, role: i === 0 ? 'chief' : 'crew', userId: i === 0 ? lead : null }));
  return [
    {
      org: 'fire',
      unit: {
        callSign: 'FPT 1',
        kind: 'fire-engine',
        capabilities: ['fire-suppression', 'rescue', 'hazmat'],
        ...at(station(fontvieille), fireBase),
        crew: crew(['Robin Responder (demo)', 'Demo firefighter A', 'Demo firefighter B', 'Demo firefighter C'], crewUserIds.responder),
        demo: true,
      },
    },
    {
      org: 'fire',
      unit: {
        callSign: 'EPA 1',
        kind: 'fire-engine',
        capabilities: ['fire-suppression', 'rescue', 'ladder'],
        homeSiteId: station(fontvieille)?.id ?? null,
        homePosition: [fireBase[0] - 0.0006, fireBase[1] - 0.0003],
        crew: crew(['Demo ladder chief', 'Demo firefighter D']),
        demo: true,
      },
    },
    {
      org: 'fire',
      unit: {
        callSign: 'VSAV 1',
        kind: 'ambulance',
        capabilities: ['basic-life-support', 'patient-transport', 'rescue'],
        ...at(hospital, fireBase),
        crew: crew(['Demo paramedic A', 'Demo paramedic B']),
        demo: true,
      },
    },
    {
      org: 'fire',
      unit: {
        callSign: 'SMUR 1',
        kind: 'ambulance',
        capabilities: ['advanced-life-support', 'patient-transport'],
        ...at(hospital, fireBase),
        crew: crew(['Demo emergency physician', 'Demo nurse']),
        demo: true,
      },
    },
    {
      org: 'fire',
      unit: {
        callSign: 'VSNA 1',
        kind: 'fire-engine',
        capabilities: ['water-rescue', 'rescue'],
        ...at(station(portHercule), portHercule.position),
        crew: crew(['Demo diver A', 'Demo diver B']),
        demo: true,
      },
    },
    ...police.slice(0, 3).map((site, k) => ({
      org: 'police' as const,
      unit: {
        callSign: `PS ${k + 1}`,
        kind: 'police-car' as const,
        capabilities: ['law-enforcement', 'traffic-control'] as UnitInput['capabilities'],
        ...at(site, fireBase),
        crew: crew([`Demo officer ${2 * k + 1}`, `Demo officer ${2 * k + 2}`]),
        demo: true,
      },
    })),
    {
      org: 'security',
      unit: {
        callSign: 'PORTIER 1',
        kind: 'private-guard',
        capabilities: ['alarm-response', 'keyholding'],
        ...at(undefined, [7.426, 43.739]),
        crew: crew(['Gabriel Guard (demo)'], crewUserIds.guard),
        demo: true,
      },
    },
    {
      org: 'security',
      unit: {
        callSign: 'PORTIER 2',
        kind: 'private-guard',
        capabilities: ['alarm-response', 'keyholding'],
        ...at(undefined, [7.415, 43.731]),
        crew: crew(['Demo guard B']),
        demo: true,
      },
    },
    {
      org: 'security',
      unit: {
        callSign: 'DRONE 1',
        kind: 'drone',
        capabilities: ['aerial-view', 'thermal-camera'],
        ...at(undefined, [7.426, 43.739]),
        crew: crew(['Demo drone pilot']),
        demo: true,
      },
    },
  ];
}
