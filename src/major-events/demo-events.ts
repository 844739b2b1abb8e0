import type { Position } from '../kernel/geo.js';
import type { Principal } from '../platform/access.js';
import type { MajorEventsService } from './events-service.js';
import { CLEARANCE, type FeatureKind } from './model.js';

const ring = (...p: Position[]): Position[][] => [[...p, p[0]!]];
const H = 3_600_000;

/**
 * Two concurrent demo events in Monaco, with places from the city's OSM extract
 * (positions of the named nodes and ways quoted beside them):
 * a motor race around Port Hercule run by the police with the fire service and the
 * organiser's stewards, and a festival at the Chapiteau de Fontvieille run by the
 * city with the private security company and a police liaison.
 */
export async function seedDemoEvents(
  service: MajorEventsService,
  who: { police: Principal; city: Principal },
  orgIds: Record<string, string>,
  now: number,
): Promise<{ events: number; features: number; raceId: string; festivalId: string }> {
  const iso = (t: number): string => new Date(t).toISOString();
  let features = 0;
  const draw = async (
    eventId: string,
    by: Principal,
    kind: FeatureKind,
    name: string,
    coordinates: unknown,
    minClearance: number,
    note = '',
    sharedWith: string[] | null = null,
  ): Promise<void> => {
    const type = kind === 'perimeter' || kind === 'zone' ? 'Polygon' : kind === 'evacuation-route' ? 'LineString' : 'Point';
    await service.drawFeature(eventId, { kind, name, note, geometry: { type, coordinates }, minClearance: minClearance as 1, sharedWith }, by);
    features++;
  };

  const race = await service.create(
    {
      name: 'Harbour Grand Prix',
      description: 'Street race around Port Hercule: circuit perimeter, spectator gates, medical posts.',
      startsAt: iso(now - H),
      endsAt: iso(now + 8 * H),
      participants: [
        { orgId: orgIds.fire!, maxClearance: 3, defaultClearance: 2 },
        { orgId: orgIds.events!, maxClearance: 2, defaultClearance: 2 },
      ],
      members: [
        { username: 'commander', eventRole: 'Gold commander', clearance: CLEARANCE.command },
        { username: 'responder', eventRole: 'Fire safety officer', clearance: CLEARANCE.officer },
        { username: 'steward', eventRole: 'Gate steward', clearance: CLEARANCE.staff },
      ],
    },
    who.police,
  );
  const r = race.eventId,
    police = who.police;
  await draw(
    r,
    police,
    'perimeter',
    'Circuit perimeter — Port Hercule',
    ring([7.4192, 43.7384], [7.4213, 43.7331], [7.4262, 43.7318], [7.4287, 43.7362], [7.4251, 43.7388]),
    CLEARANCE.publicInfo,
  );
  await draw(r, police, 'gate', 'Gate A — Sainte-Dévote', [7.4211586, 43.7368509], CLEARANCE.publicInfo, 'bus station Sainte-Dévote (OSM)');
  await draw(r, police, 'gate', 'Gate B — Stade Nautique', [7.4215859, 43.7337201], CLEARANCE.publicInfo, 'bus stop Stade Nautique (OSM)');
  await draw(r, police, 'gate', 'Gate C — Boulevard Louis II', [7.4242117, 43.7371044], CLEARANCE.publicInfo);
  await draw(r, police, 'first-aid', 'First aid — Piscine du Port Hercule', [7.42184, 43.7347931], CLEARANCE.publicInfo);
  await draw(
    r,
    police,
    'evacuation-route',
    'Evacuation west to Parc Princesse Antoinette',
    [
      [7.4215859, 43.7337201],
      [7.419, 43.7336],
      [7.4152042, 43.733244],
    ],
    CLEARANCE.publicInfo,
  );
  await draw(r, police, 'resource', 'Barrier team 1', [7.4192096, 43.7385839], CLEARANCE.staff, 'Pont Sainte-Dévote');
  await draw(
    r,
    police,
    'zone',
    'Command post — Quai des Artistes',
    ring([7.4233, 43.7324], [7.4245, 43.7324], [7.4245, 43.733], [7.4233, 43.733]),
    CLEARANCE.officer,
    'officers only',
  );
  await service.start(r, police);

  const festival = await service.create(
    {
      name: 'Fontvieille Summer Festival',
      description: 'Open-air concerts at the Chapiteau de Fontvieille.',
      startsAt: iso(now - H / 2),
      endsAt: iso(now + 6 * H),
      participants: [
        { orgId: orgIds.security!, maxClearance: 2, defaultClearance: 2 },
        { orgId: orgIds.police!, maxClearance: 3, defaultClearance: 1 },
      ],
      members: [
        { username: 'admin', eventRole: 'Event coordinator', clearance: CLEARANCE.command },
        { username: 'guard', eventRole: 'Security team lead', clearance: CLEARANCE.staff },
        { username: 'commander', eventRole: 'Police liaison', clearance: CLEARANCE.officer },
      ],
    },
    who.city,
  );
  const f = festival.eventId,
    city = who.city;
  await draw(
    f,
    city,
    'perimeter',
    'Festival grounds — Chapiteau de Fontvieille',
    ring([7.4168, 43.7275], [7.417, 43.7257], [7.42, 43.7255], [7.4203, 43.7274]),
    CLEARANCE.publicInfo,
  );
  await draw(f, city, 'gate', 'North gate — Avenue Albert II', [7.4154946, 43.7290051], CLEARANCE.publicInfo);
  await draw(f, city, 'gate', 'East gate — Port de Fontvieille', [7.4172541, 43.7302153], CLEARANCE.publicInfo);
  await draw(f, city, 'first-aid', 'First aid — Église de Fontvieille', [7.4183149, 43.7280084], CLEARANCE.publicInfo);
  await draw(
    f,
    city,
    'evacuation-route',
    'Evacuation to Stade Louis II',
    [
      [7.417, 43.7266],
      [7.4155, 43.727],
      [7.4141156, 43.7272538],
    ],
    CLEARANCE.publicInfo,
  );
  await draw(
    f,
    city,
    'zone',
    'Stage front (crowd density zone)',
    ring([7.418, 43.7262], [7.4192, 43.7262], [7.4192, 43.7268], [7.418, 43.7268]),
    CLEARANCE.staff,
    'people counts from src/crowd later',
  );
  await draw(f, city, 'resource', 'Security patrol 2', [7.4188, 43.7271], CLEARANCE.staff, '', [orgIds.security!, orgIds.city!]);
  await service.start(f, city);
  return { events: 2, features, raceId: race.eventId, festivalId: festival.eventId };
}
