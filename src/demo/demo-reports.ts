import { SERVICE_BY_CODE, type Reporter } from '../citizen-reports/contract.js';
import type { CitizenReportsService } from '../citizen-reports/index.js';
import type { Position } from '../kernel/geo.js';
import type { Principal } from '../platform/access.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TRIAGERS = ['city', 'police', 'fire'] as const;

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
  by: (typeof TRIAGERS)[number];
  /** A reporter who asked to be told by e-mail (invented people, example.mc addresses). */
  reporter?: Reporter & { lang: 'en' | 'fr' };
  triage: Triage[];
}

/**
 * Citizen reports of the demo city's past week, on real Monaco streets (names from the
 * OpenStreetMap extract, positions on those streets), in every state triage gives: new,
 * acknowledged, merged into a duplicate, turned into an incident, resolved with a public
 * note. The people are invented.
 *
 * One report a block: a head line `key | service | came in … ago | triaged by | street | lon lat | attributes`
 * (attributes `code=value; …`), then indented lines: what the reporter wrote, an optional
 * `told by e-mail (lang): First Last, address`, and the triage steps in order —
 * `acknowledge after N h[: public note]`, `resolve after N h: note`, `merge into <key> after N h: note`, `incident`.
 */
const TABLE = `
light-grimaldi | street-light-out | 6 d | city | Rue Grimaldi | 7.4196 43.7331 | light_state=off
  The street light in front of the pharmacy has been off for three nights; the pavement is dark.
  told by e-mail (fr): Jeanne Moreau, jeanne.moreau@example.mc
  acknowledge after 5 h: Passed to the public lighting team.
  resolve after 30 h: The lamp was replaced on Tuesday morning; the street is lit again.

bag-place-armes | suspicious-unattended-object | 5 d 3 h | police | Place d'Armes | 7.4189 43.7318 | object_description=Black suitcase with wheels
  A black suitcase left alone by the market stalls for half an hour.
  resolve after 1 h: A patrol checked it: luggage forgotten by a visitor, returned to its owner.

graffiti-albert | graffiti | 5 d | city | Boulevard Albert 1er | 7.4227 43.7352 | offensive=no
  Tags sprayed on the wall of the underpass towards the port.
  acknowledge after 20 h: The cleaning team is booked for this week.

noise-quai | noise | 3 d | police | Quai Antoine 1er | 7.4253 43.7336 | noise_source=venue
  Amplified music from a terrace on the quay until 3 a.m.
  acknowledge after 8 h
  resolve after 50 h: A patrol spoke to the venue; amplified music now stops at 01:00.

noise-quai-again | noise | 2 d 22 h | police | Quai Antoine 1er | 7.4255 43.7337 | noise_source=venue
  Same loud music again tonight on the quay, we cannot sleep.
  told by e-mail (en): Paolo Rossi, p.rossi@example.mc
  merge into noise-quai after 9 h: The same terrace as an earlier report.

hydrant-gabian | damaged-fire-hydrant | 2 d | fire | Rue du Gabian | 7.4148 43.7288 | hydrant_problem=blocked
  A delivery van is parked on the fire hydrant every morning.
  acknowledge after 3 h: The municipal police will check the deliveries on this street.

exit-spelugues | blocked-emergency-exit | 1 d | fire | Avenue des Spélugues | 7.4296 43.7397 | building_open=yes; building_name=Car park
  The side emergency exit of the car park is chained shut.

light-larvotto | street-light-out | 10 h | city | Boulevard du Larvotto | 7.4349 43.7452 | light_state=flickering
  Two lamps flicker along the promenade near the beach access.

flood-princesse-grace | flooding | 1 h | fire | Avenue Princesse Grace | 7.439 43.748 | water_depth_cm=25
  Water over the road at the underpass entrance after the storm; cars are slowing down in it.
  incident
`;

/** `6 d`, `5 d 3 h`, `10 h` → ms. */
function duration(text: string): number | null {
  const m = /^(?:(\d+) d)?\s*(?:(\d+) h)?$/.exec(text.trim());
  return m && (m[1] || m[2]) ? Number(m[1] ?? 0) * DAY + Number(m[2] ?? 0) * HOUR : null;
}

/** One indented line of a block after the description: the reporter or a triage step. */
function detail(line: string, report: DemoReport): boolean {
  const told = /^told by e-mail \((en|fr)\): (\S+) (\S+), (\S+@\S+)$/.exec(line);
  if (told) {
    report.reporter = { email: told[4]!, firstName: told[2]!, lastName: told[3]!, phone: null, lang: told[1] as 'en' | 'fr' };
    return true;
  }
  if (line === 'incident') return report.triage.push({ step: 'incident' }) > 0;
  const step = /^(acknowledge|resolve|merge into (\S+)) after (\d+) h(?:: (.+))?$/.exec(line);
  if (!step) return false;
  const [, verb, into, after, note] = step;
  if (verb === 'acknowledge') report.triage.push({ step: 'acknowledge', after: Number(after), ...(note ? { note } : {}) });
  else if (!note) return false;
  else if (verb === 'resolve') report.triage.push({ step: 'resolve', after: Number(after), note });
  else report.triage.push({ step: 'merge', after: Number(after), into: into!, note });
  return true;
}

/** The table above as reports; a line it cannot read is an error naming that line (the demo must not seed half a city). */
export function parseDemoReports(table: string): DemoReport[] {
  const reports: DemoReport[] = [];
  const fail = (n: number, why: string): never => {
    throw new Error(`demo reports, line ${n}: ${why}`);
  };
  table.split('\n').forEach((raw, i) => {
    const n = i + 1;
    const line = raw.trim();
    if (!line) return;
    const current = reports.at(-1);
    if (raw.startsWith('  ')) {
      if (!current) return fail(n, 'an indented line before any report');
      if (!current.description) current.description = line;
      else if (!detail(line, current)) fail(n, `cannot read "${line}"`);
      return;
    }
    const [key, service, ago, by, address, where, attrs, ...extra] = line.split(' | ');
    const position = (where ?? '').split(' ').map(Number);
    const agoMs = duration(ago ?? '');
    if (extra.length > 0 || attrs === undefined) return fail(n, 'a report line has seven columns');
    if (!SERVICE_BY_CODE.has(service!)) return fail(n, `unknown service ${service}`);
    if (!TRIAGERS.includes(by as DemoReport['by'])) return fail(n, `triaged by ${by}?`);
    if (agoMs === null) return fail(n, `"${ago}" is not a time ago`);
    if (position.length !== 2 || position.some((x) => !Number.isFinite(x))) return fail(n, `"${where}" is not "lon lat"`);
    const attributes: Record<string, string> = {};
    for (const pair of attrs.split('; ')) {
      const eq = pair.indexOf('=');
      if (eq < 1) return fail(n, `attribute "${pair}" is not code=value`);
      attributes[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    reports.push({
      key: key!,
      service: service!,
      ago: agoMs,
      address: address!,
      position: position as Position,
      description: '',
      attributes,
      by: by as DemoReport['by'],
      triage: [],
    });
  });
  const keys = new Set(reports.map((r) => r.key));
  for (const r of reports) {
    if (!r.description) fail(0, `${r.key} has no description`);
    for (const t of r.triage) if (t.step === 'merge' && !keys.has(t.into)) fail(0, `${r.key} merges into unknown ${t.into}`);
  }
  return reports;
}

export const DEMO_REPORTS: readonly DemoReport[] = parseDemoReports(TABLE);

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
