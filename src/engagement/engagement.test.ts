import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signedIn } from '../../test/support/api-client.js';
import { startTestNode, stopTestNode } from '../../test/support/test-node.js';
import { consultationProblems, consultationStatus, decisionProblems, grievanceTimes, quadrantOf, stakeholderProblems, type StakeholderInput } from './model.js';

const DIMS = {
  aims: 'safer streets',
  challenges: 'few volunteers',
  potential: 'local knowledge',
  constraints: 'evenings only',
  role: 'watch',
  contributions: 'reports',
};
const group = (name: string, extra: Partial<StakeholderInput> = {}): StakeholderInput => ({
  name,
  kind: 'group',
  parentId: null,
  capacity: null,
  scale: 'neighbourhood',
  sector: 'residents',
  categories: ['affected'],
  stance: 'opponent',
  influence: 2,
  interest: 5,
  dimensions: DIMS,
  ...extra,
});

test('rules: status by times, every contribution answered, grievance promises, quadrants, registry checks', () => {
  const c = {
    publishedAt: null as string | null,
    closedAt: null as string | null,
    decision: null,
    opensAt: '2026-12-01T00:00:00Z',
    closesAt: '2026-12-10T00:00:00Z',
  };
  const at = (s: string) => Date.parse(s);
  assert.equal(consultationStatus(c, at('2026-12-05T00:00:00Z')), 'draft');
  c.publishedAt = '2026-11-20T00:00:00Z';
  assert.equal(consultationStatus(c, at('2026-11-25T00:00:00Z')), 'published');
  assert.equal(consultationStatus(c, at('2026-12-01T00:00:00Z')), 'open');
  assert.equal(consultationStatus(c, at('2026-12-10T00:00:00Z')), 'closed');
  c.closedAt = '2026-12-02T00:00:00Z';
  assert.equal(consultationStatus(c, at('2026-12-03T00:00:00Z')), 'closed');
  assert.equal(consultationStatus({ ...c, decision: { summary: 's', decidedAt: '', outcomes: [] } } as never, at('2026-12-03T00:00:00Z')), 'decided');

  assert.deepEqual(decisionProblems([{ contributionId: 'a', effect: 'adopted', explanation: 'moved the route' }], ['a']), []);
  const bad = decisionProblems(
    [
      { contributionId: 'a', effect: 'adopted', explanation: ' ' },
      { contributionId: 'a', effect: 'adopted', explanation: 'x' },
      { contributionId: 'z', effect: 'out-of-scope', explanation: 'x' },
    ],
    ['a', 'b'],
  ).join('\n');
  for (const want of [/a: say how/, /a is answered twice/, /z is not one of/, /1 not answered \(b\)/]) assert.match(bad, want);

  const g = { receivedAt: '2026-12-01T00:00:00Z', acknowledgedAt: '2026-12-01T12:00:00Z', resolvedAt: null };
  assert.deepEqual(grievanceTimes(g, at('2026-12-05T00:00:00Z')), { hoursToAcknowledge: 12, hoursToResolve: null, acknowledgeLate: false, resolveLate: false });
  assert.equal(grievanceTimes({ ...g, acknowledgedAt: null }, at('2026-12-04T00:00:00Z')).acknowledgeLate, true);
  assert.equal(grievanceTimes(g, at('2027-01-05T00:00:00Z')).resolveLate, true);

  assert.equal(quadrantOf({ influence: 5, interest: 5 }), 'manage-closely');
  assert.equal(quadrantOf({ influence: 5, interest: 1 }), 'keep-satisfied');
  assert.equal(quadrantOf({ influence: 1, interest: 4 }), 'keep-informed');
  assert.equal(quadrantOf({ influence: 3, interest: 3 }), 'monitor');

  assert.deepEqual(stakeholderProblems(group('Residents')), []);
  assert.match(stakeholderProblems(group('x', { categories: ['active'] })).join(), /stance .* is said of the affected/);
  assert.match(stakeholderProblems(group('x', { kind: 'representative' })).join(), /represents an organisation/);
  assert.match(stakeholderProblems(group('x', { categories: [] })).join(), /at least one category/);
  const cons = {
    title: 't',
    question: 'q?',
    information: 'i',
    invitedIds: [],
    openToPublic: false,
    opensAt: '2026-12-02T00:00:00Z',
    closesAt: '2026-12-01T00:00:00Z',
  };
  assert.match(consultationProblems(cons).join(), /closes after it opens.*invite stakeholders/);
});

test('API: registry, matrix and map; a consultation from publication to a decision each participant reads; grievances with times; policy and personal data', async () => {
  const vigil = await startTestNode('engage', { VIGIL_REPORTS_PER_IP: '4' });
  const app = vigil.server.app;
  const publicCall = async (method: 'GET' | 'POST', url: string, payload?: unknown, ip = '198.51.100.7') => {
    const r = await app.inject({ method, url, payload: payload as object, remoteAddress: ip });
    return { status: r.statusCode, json: r.json() as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  try {
    const analyst = await signedIn(vigil, 'analyst');
    const commander = await signedIn(vigil, 'commander');
    const operator = await signedIn(vigil, 'operator');

    // The registry: an organisation, its representative, an affected group; a relation.
    const assoc = await analyst(
      'POST',
      '/api/engagement/stakeholders',
      group('Test Traders Association', {
        kind: 'organisation',
        sector: 'private',
        categories: ['active', 'beneficiary'],
        stance: null,
        influence: 4,
        interest: 4,
      }),
    );
    assert.equal(assoc.status, 201, assoc.body);
    const assocId = assoc.json.stakeholder.stakeholderId as string;
    const rep = await analyst(
      'POST',
      '/api/engagement/stakeholders',
      group('Jo Chair', { kind: 'representative', parentId: assocId, capacity: 'Chair', categories: ['active'], stance: null }),
    );
    assert.equal(rep.status, 201, rep.body);
    const residents = (await analyst('POST', '/api/engagement/stakeholders', group('Test Residents of the Port'))).json.stakeholder.stakeholderId as string;
    assert.equal((await analyst('POST', '/api/engagement/stakeholders', { ...group('x'), kind: 'nope' })).status, 400, 'schema refuses an unknown kind');
    assert.equal((await analyst('POST', '/api/engagement/stakeholders', group('x', { categories: ['active'] }))).status, 400, 'a stance is for the affected');
    assert.equal(
      (await analyst('POST', '/api/engagement/relations', { fromId: rep.json.stakeholder.stakeholderId, toId: assocId, kind: 'represents' })).status,
      201,
    );
    assert.equal(
      (await analyst('POST', '/api/engagement/relations', { fromId: residents, toId: assocId, kind: 'opposes', note: 'terrace licences' })).status,
      201,
    );
    const overview = (await analyst('GET', '/api/engagement')).json;
    assert.equal(overview.stakeholders.find((s: { stakeholderId: string }) => s.stakeholderId === assocId).quadrant, 'manage-closely');
    assert.ok(overview.relations.length >= 2);

    // The policy: the commander's role is not engagement's; a police analyst would see only what the city shares with the police.
    assert.equal((await commander('GET', '/api/engagement')).status, 403);
    assert.equal((await operator('GET', '/api/engagement')).status, 403);

    // A consultation: drafted (not public), published (public, open now), answered by a stakeholder and the public.
    const now = Date.now();
    const draft = await analyst('POST', '/api/engagement/consultations', {
      title: 'Night-time closure of the port promenade',
      question: 'Should the promenade close from 01:00 to 05:00?',
      information: 'Incidents at night rose by a third; options: close, more patrols, better lighting.',
      invitedIds: [assocId, residents],
      openToPublic: true,
      opensAt: new Date(now - 60_000).toISOString(),
      closesAt: new Date(now + 3_600_000).toISOString(),
    });
    assert.equal(draft.status, 201, draft.body);
    const cid = draft.json.consultation.consultationId as string;
    assert.equal((await publicCall('GET', `/api/public/engagement/consultations/${cid}`)).status, 404, 'a draft is not public');
    assert.equal((await publicCall('POST', `/api/public/engagement/consultations/${cid}/answers`, { text: 'too early', position: 'support' })).status, 404);
    assert.equal((await analyst('POST', `/api/engagement/consultations/${cid}/publish`)).json.consultation.status, 'open');
    const listed = (await publicCall('GET', '/api/public/engagement/consultations')).json.consultations as { consultationId: string; information: string }[];
    assert.match(listed.find((c) => c.consultationId === cid)!.information, /rose by a third/);

    const answersNow = async () => (await publicCall('GET', `/api/public/engagement/consultations/${cid}`)).json.consultation.contributions as number | null;
    assert.equal(await answersNow(), 0, 'no answer yet: 0 describes nobody and is published');
    const byStakeholder = await analyst('POST', `/api/engagement/consultations/${cid}/contributions`, {
      stakeholderId: assocId,
      text: 'Close at 02:00, not 01:00: our terraces.',
      position: 'mixed',
    });
    assert.equal(byStakeholder.status, 201, byStakeholder.body);
    const notInvited = rep.json.stakeholder.stakeholderId as string;
    assert.equal(
      (await analyst('POST', `/api/engagement/consultations/${cid}/contributions`, { stakeholderId: notInvited, text: 'hello', position: 'support' })).status,
      409,
    );
    const pub1 = await publicCall('POST', `/api/public/engagement/consultations/${cid}/answers`, {
      text: 'Better lighting instead, please.',
      position: 'oppose',
      name: 'Ada Resident',
      email: 'ada@example.org',
    });
    assert.equal(pub1.status, 201);
    const pub2 = await publicCall('POST', `/api/public/engagement/consultations/${cid}/answers`, { text: 'Yes, close it.', position: 'support' });
    assert.equal(await answersNow(), null, '3 answers: the public reads "fewer than 5", not 3');
    assert.equal(
      (await publicCall('POST', `/api/public/engagement/consultations/${cid}/answers`, { text: 'x', position: 'support' })).status,
      400,
      'validated: too short',
    );
    assert.equal(
      (await publicCall('POST', `/api/public/engagement/consultations/${cid}/answers`, { text: 'ok then', position: 'maybe' })).status,
      400,
      'validated: position',
    );
    assert.equal(
      (await publicCall('POST', `/api/public/engagement/consultations/${cid}/answers`, { text: 'ok then', position: 'support', email: 'not-mail' })).status,
      400,
    );
    // Rate-limited per network: 4 an hour here (VIGIL_REPORTS_PER_IP); the answer to the draft counted too, schema refusals did not.
    assert.equal((await publicCall('POST', `/api/public/engagement/consultations/${cid}/answers`, { text: 'third', position: 'no-opinion' })).status, 201);
    assert.equal((await publicCall('POST', `/api/public/engagement/consultations/${cid}/answers`, { text: 'fourth', position: 'no-opinion' })).status, 429);
    assert.equal(
      (await publicCall('POST', `/api/public/engagement/consultations/${cid}/answers`, { text: 'fifth', position: 'no-opinion' }, '198.51.100.8')).status,
      201,
    );

    // Before the decision the participant reads their answer, no outcome yet.
    const before = (await publicCall('GET', `/api/public/engagement/follow/${pub1.json.followToken}`)).json.follow;
    assert.equal(before.text, 'Better lighting instead, please.');
    assert.equal(before.outcome, null);
    assert.equal((await publicCall('GET', '/api/public/engagement/follow/nope')).status, 404);

    // Staff read contributions; the participant's name only for the owner organisation, the read recorded.
    const detail = await analyst('GET', `/api/engagement/consultations/${cid}`);
    const contributions = detail.json.contributions as { contributionId: string; contact: { name: string } | null; stakeholderName: string | null }[];
    assert.equal(contributions.length, 5);
    assert.equal(contributions.find((c) => c.contributionId === pub1.json.contributionId)!.contact!.name, 'Ada Resident');
    assert.ok(!detail.body.includes('followHash'));
    const reads = await vigil.ctx.log.read({ typePrefixes: ['privacy.personal.read'], limit: 100 });
    assert.ok(
      reads.some((e) => JSON.stringify(e.data).includes(`participant:${pub1.json.contributionId}`)),
      'the read of a participant is recorded',
    );

    // No decision while open; then close, and a decision must answer every contribution.
    assert.equal((await analyst('POST', `/api/engagement/consultations/${cid}/decision`, { summary: 's', outcomes: [] })).status, 409);
    assert.equal((await analyst('POST', `/api/engagement/consultations/${cid}/close`)).json.consultation.status, 'closed');
    assert.equal(
      (await publicCall('POST', `/api/public/engagement/consultations/${cid}/answers`, { text: 'late answer', position: 'support' }, '203.0.113.9')).status,
      409,
    );
    const partial = await analyst('POST', `/api/engagement/consultations/${cid}/decision`, {
      summary: 'Closed 02:00–05:00 with better lighting',
      outcomes: [{ contributionId: pub1.json.contributionId, effect: 'adopted', explanation: 'Lighting is added.' }],
    });
    assert.equal(partial.status, 400);
    assert.match(partial.body, /every contribution is heard: 4 not answered/);
    const outcomes = contributions.map((c) =>
      c.contributionId === pub1.json.contributionId
        ? { contributionId: c.contributionId, effect: 'adopted', explanation: 'Better lighting is added along the whole promenade.' }
        : c.contributionId === byStakeholder.json.contributionId
          ? { contributionId: c.contributionId, effect: 'partly-adopted', explanation: 'Closure starts at 02:00, as asked.' }
          : { contributionId: c.contributionId, effect: 'considered-not-adopted', explanation: 'A full closure from 01:00 was not kept.' },
    );
    const decided = await analyst('POST', `/api/engagement/consultations/${cid}/decision`, { summary: 'Closed 02:00–05:00 with better lighting', outcomes });
    assert.equal(decided.status, 200, decided.body);
    assert.equal(decided.json.consultation.status, 'decided');

    // k-anonymity (k = 5 by default): the public reads the 5 answers, but no count by effect that rests on 1 … 4 people;
    // the counts of 1, 1 and 3 are withheld (null, read as "fewer than 5"), the empty one stays 0.
    const publicView = (await publicCall('GET', `/api/public/engagement/consultations/${cid}`)).json.consultation;
    assert.equal(publicView.minCount, 5);
    assert.equal(publicView.contributions, 5);
    assert.deepEqual(publicView.decision.counts, { adopted: null, 'partly-adopted': null, 'considered-not-adopted': null, 'out-of-scope': 0 });

    // Each participant sees the decision and how their input counted.
    const p1 = (await publicCall('GET', `/api/public/engagement/follow/${pub1.json.followToken}`)).json.follow;
    assert.deepEqual(p1.outcome, { effect: 'adopted', explanation: 'Better lighting is added along the whole promenade.' });
    assert.equal(p1.consultation.decision.summary, 'Closed 02:00–05:00 with better lighting');
    assert.equal((await publicCall('GET', `/api/public/engagement/follow/${pub2.json.followToken}`)).json.follow.outcome.effect, 'considered-not-adopted');
    assert.equal((await publicCall('GET', `/api/public/engagement/follow/${byStakeholder.json.followToken}`)).json.follow.outcome.effect, 'partly-adopted');
    assert.ok(!JSON.stringify(p1).includes('Ada'), "the public view does not carry the participant's name");

    // The stakeholder's engagement log: invited, contributed, answered; an interaction logged by hand.
    assert.equal(
      (await analyst('POST', `/api/engagement/stakeholders/${assocId}/log`, { kind: 'meeting', summary: 'Met the board about terraces' })).status,
      201,
    );
    const log = (await analyst('GET', `/api/engagement/stakeholders/${assocId}/log`)).json.log as { kind: string }[];
    for (const k of ['registered', 'invited', 'contributed', 'answered', 'meeting'])
      assert.ok(
        log.some((e) => e.kind === k),
        `log has ${k}`,
      );

    // Grievances: from the public (to the consultation's organisation), acknowledged, resolved; the complainant follows.
    const grievance = await publicCall(
      'POST',
      '/api/public/engagement/grievances',
      { subject: 'My answer was lost', text: 'I answered by post and see nothing.', consultationId: cid, email: 'bo@example.org' },
      '203.0.113.10',
    );
    assert.equal(grievance.status, 201);
    const gid = grievance.json.grievanceId as string;
    const g1 = (await analyst('GET', `/api/engagement/grievances/${gid}`)).json.grievance;
    assert.equal(g1.contact.email, 'bo@example.org');
    assert.equal(g1.status, 'received');
    assert.equal(
      (await analyst('POST', `/api/engagement/grievances/${gid}/acknowledge`, { note: 'We are looking for it.' })).json.grievance.status,
      'acknowledged',
    );
    const resolved = (await analyst('POST', `/api/engagement/grievances/${gid}/resolve`, { response: 'Found and added before the decision.' })).json.grievance;
    assert.equal(resolved.status, 'resolved');
    assert.equal(typeof resolved.hoursToResolve, 'number');
    const followed = (await publicCall('GET', `/api/public/engagement/follow/${grievance.json.followToken}`)).json.follow;
    assert.equal(followed.response, 'Found and added before the decision.');
    assert.ok(Date.parse(followed.resolveBy) - Date.parse(followed.receivedAt) === 30 * 86_400_000);
    assert.equal((await analyst('POST', '/api/engagement/grievances', { subject: 'Noise', text: 'Works at night', stakeholderId: residents })).status, 201);
    assert.ok((await analyst('GET', '/api/engagement')).json.figures.medianHoursToResolve !== null);

    // Erasure of the participant class: the name is gone everywhere, the decision stays.
    await vigil.ctx.personal.shred([`participant:${pub1.json.contributionId}`]);
    const after = (await analyst('GET', `/api/engagement/consultations/${cid}`)).json.contributions as { contributionId: string; contact: unknown }[];
    assert.equal(after.find((c) => c.contributionId === pub1.json.contributionId)!.contact, null);

    // OpenAPI lists the routes.
    const openapi = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, unknown> };
    assert.ok(openapi.paths['/api/public/engagement/consultations/{id}/answers']);
    assert.ok(openapi.paths['/api/engagement/consultations/{id}/decision']);
  } finally {
    await stopTestNode(vigil);
  }
});
