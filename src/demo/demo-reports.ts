import { SERVICE_BY_CODE, type Reporter } from '../citizen-reports/contract.js';
import type { CitizenReportsService } from '../citizen-reports/index.js';
import type { Position } from '../kernel/geo.js';
import type { Principal } from '../platform/access.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** What becomes of a demo report, and when (hours after it came in). */
type Triage =
  | { step: 'acknowledge'; after: number; note?: string }
  | { step: 'resolve'; after: number; note: string }
  | { step: 'merge'; after: number; into: string; note: string }
  /** Turned into an incident now (the incident opens at the demo's start). */
  | { step: 'incident' };

interface DemoReport {
  key: string;
  service: string;
  /** How long before the demo's start it came in. */
  ago: number;
  address: string;
  position: Position;
  description: string;
  attributes: Record<string, string>;
  by: 'city' | 'police' | 'fire';
  /** A reporter who asked to be told by e-mail (invented people, example.mc addresses). */
  reporter?: Reporter & { lang: 'en' | 'fr' };
  triage: Triage[];
}

/**
 * Citizen reports of the demo city's past week, on real Monaco streets (names from the
 * OpenStreetMap extract, positions on those streets), in every state triage gives: new,
 * acknowledged, merged into a duplicate, turned into an incident, resolved with a public
 * note. The people are invented.
 */
export const DEMO_REPORTS: readonly DemoReport[] = [
  {
    key: 'light-grimaldi',
    service: 'street-light-out',
    ago: 6 * DAY,
    address: 'Rue Grimaldi',
    position: [7.4196, 43.7331],
    description: 'The street light in front of the pharmacy has been off for three nights; the pavement is dark.',
    attributes: { light_state: 'off' },
    by: 'city',
    reporter: { email: 'jeanne.moreau@example.mc', firstName: 'Jeanne', lastName: 'Moreau', phone: null, lang: 'fr' },
    triage: [
      { step: 'acknowledge', after: 5, note: 'Passed to the public lighting team.' },
      { step: 'resolve', after: 30, note: 'The lamp was replaced on Tuesday morning; the street is lit again.' },
    ],
  },
  {
    key: 'bag-place-armes',
    service: 'suspicious-unattended-object',
    ago: 5 * DAY + 3 * HOUR,
    address: "Place d'Armes",
    position: [7.4189, 43.7318],
    description: 'A black suitcase left alone by the market stalls for half an hour.',
    attributes: { object_description: 'Black suitcase with wheels' },
    by: 'police',
    triage: [{ step: 'resolve', after: 1, note: 'A patrol checked it: luggage forgotten by a visitor, returned to its owner.' }],
  },
  {
    key: 'graffiti-albert',
    service: 'graffiti',
    ago: 5 * DAY,
    address: 'Boulevard Albert 1er',
    position: [7.4227, 43.7352],
    description: 'Tags sprayed on the wall of the underpass towards the port.',
    attributes: { offensive: 'no' },
    by: 'city',
    triage: [{ step: 'acknowledge', after: 20, note: 'The cleaning team is booked for this week.' }],
  },
  {
    key: 'noise-quai',
    service: 'noise',
    ago: 3 * DAY,
    address: 'Quai Antoine 1er',
    position: [7.4253, 43.7336],
    description: 'Amplified music from a terrace on the quay until 3 a.m.',
    attributes: { noise_source: 'venue' },
    by: 'police',
    triage: [
      { step: 'acknowledge', after: 8 },
      { step: 'resolve', after: 50, note: 'A patrol spoke to the venue; amplified music now stops at 01:00.' },
    ],
  },
  {
    key: 'noise-quai-again',
    service: 'noise',
    ago: 3 * DAY - 2 * HOUR,
    address: 'Quai Antoine 1er',
    position: [7.4255, 43.7337],
    description: 'Same loud music again tonight on the quay, we cannot sleep.',
    attributes: { noise_source: 'venue' },
    by: 'police',
    reporter: { email: 'p.rossi@example.mc', firstName: 'Paolo', lastName: 'Rossi', phone: null, lang: 'en' },
    triage: [{ step: 'merge', after: 9, into: 'noise-quai', note: 'The same terrace as an earlier report.' }],
  },
  {
    key: 'hydrant-gabian',
    service: 'damaged-fire-hydrant',
    ago: 2 * DAY,
    address: 'Rue du Gabian',
    position: [7.4148, 43.7288],
    description: 'A delivery van is parked on the fire hydrant every morning.',
    attributes: { hydrant_problem: 'blocked' },
    by: 'fire',
    triage: [{ step: 'acknowledge', after: 3, note: 'The municipal police will check the deliveries on this street.' }],
  },
  {
    key: 'exit-spelugues',
    service: 'blocked-emergency-exit',
    ago: DAY,
    address: 'Avenue des Spélugues',
    position: [7.4296, 43.7397],
    description: 'The side emergency exit of the car park is chained shut.',
    attributes: { building_open: 'yes', building_name: 'Car park' },
    by: 'fire',
    triage: [],
  },
  {
    key: 'light-larvotto',
    service: 'street-light-out',
    ago: 10 * HOUR,
    address: 'Boulevard du Larvotto',
    position: [7.4349, 43.7452],
    description: 'Two lamps flicker along the promenade near the beach access.',
    attributes: { light_state: 'flickering' },
    by: 'city',
    triage: [],
  },
  {
    key: 'flood-princesse-grace',
    service: 'flooding',
    ago: HOUR,
    address: 'Avenue Princesse Grace',
    position: [7.439, 43.748],
    description: 'Water over the road at the underpass entrance after the storm; cars are slowing down in it.',
    attributes: { water_depth_cm: '25' },
    by: 'fire',
    triage: [{ step: 'incident' }],
  },
];

/** Seeds the demo reports through the service (submission, then each triage step at its time); returns a summary line. */
export async function seedDemoReports(
  service: CitizenReportsService,
  triagers: Record<DemoReport['by'], Principal>,
  orgIds: Record<DemoReport['by'], string>,
  now: number,
): Promise<string> {
  const ids = new Map<string, string>();
  const steps: { at: number; report: DemoReport; triage: Triage }[] = [];
  // Oldest first: the reports' order is the order they came in.
  for (const d of [...DEMO_REPORTS].sort((a, b) => b.ago - a.ago)) {
    const at = now - d.ago;
    const { reporter: r, ...rest } = d;
    const { report } = await service.submit(
      {
        service: SERVICE_BY_CODE.get(rest.service)!,
        position: rest.position,
        address: rest.address,
        description: rest.description,
        attributes: rest.attributes,
        mediaUrl: null,
        reporter: r ? { email: r.email, firstName: r.firstName, lastName: r.lastName, phone: r.phone } : null,
        deviceId: null,
        photoLocationConsent: false,
        via: 'vigil-citizen-app',
        notify: r ? { channels: ['email'], lang: r.lang, push: null } : null,
      },
      null,
      orgIds[d.by],
      at,
    );
    ids.set(d.key, report.reportId);
    for (const t of d.triage) steps.push({ at: t.step === 'incident' ? now : at + t.after * HOUR, report: d, triage: t });
  }
  // Triage in the order it happened (a merge into a report comes before that report's resolution).
  steps.sort((a, b) => a.at - b.at);
  for (const { at, report, triage } of steps) {
    const id = ids.get(report.key)!;
    const by = triagers[report.by];
    if (triage.step === 'acknowledge') await service.acknowledge(id, triage.note ?? null, by, at);
    else if (triage.step === 'resolve') await service.resolve(id, triage.note, by, at);
    else if (triage.step === 'merge') await service.merge(id, ids.get(triage.into)!, triage.note, by, at);
    else await service.escalate(id, {}, by);
  }
  return `${DEMO_REPORTS.length} citizen reports`;
}
