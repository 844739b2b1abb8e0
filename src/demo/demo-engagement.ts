import type { Category, Dimensions, RelationKind, Scale, Sector, Stance, StakeholderKind } from '../engagement/contract.js';
import type { EngagementService } from '../engagement/index.js';
import type { Principal } from '../platform/access.js';

interface DemoStakeholder {
  key: string;
  name: string;
  kind: StakeholderKind;
  parent?: string;
  capacity?: string;
  scale: Scale;
  sector: Sector;
  categories: Category[];
  stance?: Stance;
  influence: number;
  interest: number;
  dimensions: Dimensions;
}

const dims = (aims: string, challenges: string, potential: string, constraints: string, role: string, contributions: string): Dimensions => ({
  aims,
  challenges,
  potential,
  constraints,
  role,
  contributions,
});

/**
 * The demo city's stakeholder registry: invented groups and people, the categories of
 * ITU-T Y Suppl. 34 Appendix I. Names are made up; none stands for a real body.
 */
export const DEMO_STAKEHOLDERS: readonly DemoStakeholder[] = [
  {
    key: 'traders',
    name: 'Port Hercule Traders’ Association',
    kind: 'organisation',
    scale: 'neighbourhood',
    sector: 'private',
    categories: ['active', 'beneficiary'],
    influence: 4,
    interest: 4,
    dimensions: dims(
      'Busy, safe quays all year',
      'Night-time disorder scares customers away',
      'Staff on the quays every evening; shop cameras',
      'Small businesses, little time for meetings',
      'Partner of the port’s safety plan',
      'Report incidents; open shops as safe havens',
    ),
  },
  {
    key: 'traders-chair',
    name: 'Lucia Ferrandi',
    kind: 'representative',
    parent: 'traders',
    capacity: 'Chair of the Port Hercule Traders’ Association',
    scale: 'neighbourhood',
    sector: 'private',
    categories: ['active'],
    influence: 4,
    interest: 4,
    dimensions: dims('Speak for the traders', 'Mandate renewed yearly', 'Knows every shop owner', 'Volunteer', 'Spokesperson', 'Brings the members’ views'),
  },
  {
    key: 'residents',
    name: 'La Condamine Residents’ Committee',
    kind: 'group',
    scale: 'neighbourhood',
    sector: 'residents',
    categories: ['affected'],
    stance: 'supporter',
    influence: 2,
    interest: 5,
    dimensions: dims(
      'Quiet nights and safe streets',
      'Noise from the port at night; ageing residents',
      'Eyes on the street; a phone tree of 300 homes',
      'No budget; meets monthly',
      'Voice of the neighbourhood',
      'Citizen reports; neighbourhood watch',
    ),
  },
  {
    key: 'nightlife',
    name: 'Port Night-life Venues Group',
    kind: 'group',
    scale: 'neighbourhood',
    sector: 'private',
    categories: ['affected', 'beneficiary'],
    stance: 'opponent',
    influence: 3,
    interest: 5,
    dimensions: dims(
      'Keep late opening hours in summer',
      'Restrictions on amplified music',
      'Door staff trained in first aid',
      'Seasonal staff; licences renewed yearly',
      'Runs the busiest places at night',
      'Door staff report to the police; shared radio',
    ),
  },
  {
    key: 'hoteliers',
    name: 'Monte-Carlo Hoteliers’ Federation',
    kind: 'organisation',
    scale: 'city',
    sector: 'private',
    categories: ['active', 'beneficiary'],
    influence: 5,
    interest: 3,
    dimensions: dims(
      'The city’s reputation as a safe destination',
      'Guests who do not speak French; evacuations of large hotels',
      'Rooms for displaced people; multilingual staff',
      'Guests’ privacy',
      'Shelters in an emergency',
      'Relays public alerts to guests',
    ),
  },
  {
    key: 'access',
    name: 'Accessible City Association',
    kind: 'organisation',
    scale: 'city',
    sector: 'civil-society',
    categories: ['affected', 'active'],
    stance: 'supporter',
    influence: 2,
    interest: 5,
    dimensions: dims(
      'Alerts and evacuation routes that work for everyone',
      'Steps, lifts out of order, alerts only by sound',
      'Members who test routes and messages',
      'Volunteers',
      'Adviser on accessibility',
      'Tests the citizen app with screen readers',
    ),
  },
  {
    key: 'parents',
    name: 'Fontvieille Schools’ Parents Association',
    kind: 'group',
    scale: 'neighbourhood',
    sector: 'residents',
    categories: ['affected', 'beneficiary'],
    stance: 'supporter',
    influence: 2,
    interest: 4,
    dimensions: dims(
      'Safe ways to school',
      'Traffic at drop-off times',
      'Parents on every school route',
      'Term time only',
      'Partner of school safety',
      'Walking buses; reports',
    ),
  },
  {
    key: 'telecom',
    name: 'RivieraNet Telecom',
    kind: 'organisation',
    scale: 'national',
    sector: 'private',
    categories: ['technology-enabler'],
    influence: 4,
    interest: 2,
    dimensions: dims(
      'Contracts for the city’s networks',
      'Cell broadcast capacity in a crowd',
      'Cell broadcast; network data on crowd density',
      'Commercial confidentiality; regulation',
      'Carrier of public warnings',
      'Runs cell broadcast for public alerts',
    ),
  },
  {
    key: 'lab',
    name: 'Mediterranean Urban Resilience Lab',
    kind: 'organisation',
    scale: 'regional',
    sector: 'academia',
    categories: ['technology-enabler'],
    influence: 2,
    interest: 3,
    dimensions: dims(
      'Research on urban risk',
      'Access to data',
      'Models of flooding and crowds',
      'Grant cycles',
      'Adviser',
      'Evaluates the cockpit’s indicators',
    ),
  },
  {
    key: 'buses',
    name: 'Municipal Bus Operator',
    kind: 'organisation',
    scale: 'city',
    sector: 'public',
    categories: ['city-enabler', 'active'],
    influence: 4,
    interest: 3,
    dimensions: dims(
      'Keep lines running safely',
      'Closures during events; drivers alone at night',
      'Buses for evacuations; drivers who know every street',
      'Timetables; union agreements',
      'Moves people in an evacuation',
      'Reports incidents; evacuation buses',
    ),
  },
  {
    key: 'communes',
    name: 'Neighbouring Communes Liaison Committee',
    kind: 'group',
    scale: 'regional',
    sector: 'public',
    categories: ['city-enabler', 'affected'],
    stance: 'neutral',
    influence: 3,
    interest: 3,
    dimensions: dims(
      'Coordinated alerts across the border',
      'Two countries, two alert systems',
      'Mutual aid; shared roads',
      'Different laws',
      'Partner across the border',
      'Shares alerts and road closures',
    ),
  },
];

const RELATIONS: readonly [string, RelationKind, string, string | null][] = [
  ['traders-chair', 'represents', 'traders', null],
  ['traders', 'partners-with', 'hoteliers', 'shared summer safety campaign'],
  ['residents', 'opposes', 'nightlife', 'noise after 01:00'],
  ['nightlife', 'member-of', 'traders', null],
  ['telecom', 'supplies', 'buses', 'on-board connectivity'],
  ['lab', 'informs', 'access', 'accessible routes study'],
  ['parents', 'partners-with', 'residents', null],
  ['buses', 'informs', 'communes', 'cross-border lines'],
  ['access', 'informs', 'hoteliers', 'accessible evacuation of hotels'],
];

const DAY = 86_400_000;

/**
 * Seeds the demo registry (kept by the city), an open consultation on quiet hours around the
 * port, a decided one on the beach promenade's signage (every answer with how it counted), and
 * grievances. Returns a line for the demo's summary.
 */
export async function seedDemoEngagement(service: EngagementService, city: Principal, now: number): Promise<string> {
  const ids: Record<string, string> = {};
  for (const s of DEMO_STAKEHOLDERS) {
    const created = await service.registerStakeholder(
      {
        name: s.name,
        kind: s.kind,
        parentId: s.parent ? ids[s.parent]! : null,
        capacity: s.capacity ?? null,
        scale: s.scale,
        sector: s.sector,
        categories: s.categories,
        stance: s.stance ?? null,
        influence: s.influence,
        interest: s.interest,
        dimensions: s.dimensions,
      },
      city,
    );
    ids[s.key] = created.stakeholderId;
  }
  for (const [from, kind, to, note] of RELATIONS) await service.addRelation({ fromId: ids[from]!, toId: ids[to]!, kind, note }, city);
  await service.logInteraction(
    ids.traders!,
    { kind: 'meeting', summary: 'Summer safety briefing with the board', at: new Date(now - 20 * DAY).toISOString() },
    city,
  );
  await service.logInteraction(
    ids.telecom!,
    { kind: 'call', summary: 'Cell broadcast test planned for the spring', at: new Date(now - 9 * DAY).toISOString() },
    city,
  );

  // Decided: the promenade's signage and lighting, answered by stakeholders and the public.
  const decided = await service.draftConsultation(
    {
      title: 'Safety signage and lighting on the Larvotto promenade',
      question: 'Which of the three designs for evacuation signs and night lighting should the promenade get?',
      information:
        'The promenade is being renewed. Option A: signs at each beach access, standard lighting. Option B: signs every 50 m with tactile plates, brighter lighting. ' +
        'Option C: option B with signs in four languages. Cost: A 120 k€, B 210 k€, C 230 k€. Works take place in the low season.',
      invitedIds: [ids.access!, ids.hoteliers!, ids.parents!],
      openToPublic: true,
      opensAt: new Date(now - 30 * DAY).toISOString(),
      closesAt: new Date(now + DAY).toISOString(),
    },
    city,
  );
  await service.publish(decided.consultationId, city);
  const answers = [
    await service.recordContribution(
      decided.consultationId,
      { stakeholderId: ids.access!, text: 'Option B at least: tactile plates and signs at wheelchair height, lit at night.', position: 'support' },
      city,
    ),
    await service.recordContribution(
      decided.consultationId,
      { stakeholderId: ids.hoteliers!, text: 'Option C: half of our guests read neither French nor English.', position: 'support' },
      city,
    ),
    await service.answerPublic(decided.consultationId, { text: 'Brighter lighting will disturb the flats facing the beach.', position: 'oppose' }),
    await service.answerPublic(decided.consultationId, { text: 'Please add a defibrillator near the signs.', position: 'mixed' }),
  ];
  await service.close(decided.consultationId, city);
  const explain = [
    ['adopted', 'Tactile plates every 50 m, at wheelchair height, lit at night (option B as the base).'],
    ['partly-adopted', 'Signs in French, English and Italian; a QR code gives the other languages.'],
    ['partly-adopted', 'Lighting is brighter on the path only, shielded towards the buildings.'],
    ['out-of-scope', 'Defibrillators are a separate programme: passed on to the health department.'],
  ] as const;
  await service.decide(
    decided.consultationId,
    {
      summary: 'Option C in three languages with shielded lighting; works from January.',
      outcomes: answers.map((a, i) => ({ contributionId: a.contributionId, effect: explain[i]![0], explanation: explain[i]![1] })),
    },
    city,
  );

  // Open: quiet hours around the port this summer.
  const open = await service.draftConsultation(
    {
      title: 'Quiet hours around Port Hercule in summer',
      question: 'Should amplified music on terraces around Port Hercule stop at 01:00 from June to September?',
      information:
        'Night-time noise complaints around the port doubled last summer and incidents between 01:00 and 04:00 rose by a third. ' +
        'The proposal: amplified music stops at 01:00, venues close their terraces at 02:00, more patrols on the quays. Alternatives are welcome.',
      invitedIds: [ids.traders!, ids.residents!, ids.nightlife!, ids.hoteliers!],
      openToPublic: true,
      opensAt: new Date(now - 2 * DAY).toISOString(),
      closesAt: new Date(now + 12 * DAY).toISOString(),
    },
    city,
  );
  await service.publish(open.consultationId, city);
  await service.recordContribution(
    open.consultationId,
    { stakeholderId: ids.residents!, text: 'Yes, and enforce it: the rule exists in part already and is not respected.', position: 'support' },
    city,
  );
  await service.recordContribution(
    open.consultationId,
    { stakeholderId: ids.nightlife!, text: '02:00 for the music, with our door staff keeping the quays calm.', position: 'oppose' },
    city,
  );

  // Grievances: one answered, one waiting.
  const g = await service.recordGrievance(
    { subject: 'Not invited to the promenade consultation', text: 'Our venues on the Larvotto were not asked.', stakeholderId: ids.nightlife! },
    city,
  );
  await service.acknowledgeGrievance(g.grievanceId, 'Received; we are checking the invitation list.', city);
  await service.resolveGrievance(g.grievanceId, 'You are invited to every consultation on the Larvotto from now on; the registry was corrected.', city);
  await service.fileGrievancePublic({
    subject: 'Consultation page hard to read',
    text: 'The consultation text is too small on my phone.',
    consultationId: open.consultationId,
  });
  return `${DEMO_STAKEHOLDERS.length} stakeholders, 2 consultations (1 open, 1 decided), 2 grievances`;
}
