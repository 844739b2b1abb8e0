import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signedIn } from '../../test/support/api-client.js';
import { partnerLinkedNode } from '../../test/support/exchange-nodes.js';
import { distributionToXml, envelope } from './edxl/edxl-de.js';
import { sitRepToXml, type SitRep } from './edxl/sitrep.js';

test('partner SitReps: stored on the incident they concern, the latest shown with its origin; one about no incident here is refused', async () => {
  const { vigil, identity, exchange: ex, agency, partner, close } = await partnerLinkedNode();
  try {
    let n = 0;
    const deliver = (contents: Parameters<typeof envelope>[0]['contents']): Promise<void> =>
      ex.handle(
        distributionToXml(envelope({ distributionId: `${partner}:${++n}`, senderId: partner, to: [agency], kind: 'Report', now: Date.now(), contents })),
      );

    // The partner's incident arrives first, then its situation reports about it.
    await deliver([
      {
        json: {
          vigil: 'incident',
          change: 'opened',
          note: null,
          incident: {
            id: 'samu-case-9',
            reference: 'DRFR15-9',
            version: 1,
            type: 'traffic-accident',
            priority: 1,
            title: 'Coach overturned',
            description: 'Many casualties',
            position: [7.4285, 43.7398],
            address: null,
            status: 'on-scene',
            resolution: null,
            createdAt: new Date().toISOString(),
            closedAt: null,
            units: [],
          },
        },
      },
    ]);
    const local = ex.state.origins.get(`${partner}/samu-case-9`)!.localIncidentId;
    const commander = await signedIn(vigil, 'commander');
    assert.deepEqual((await commander('GET', `/api/exchange/incidents/${local}/partner-sitrep`)).json, { sitRep: null });

    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const sitRep = (reportNumber: number, summary: string, incidentId = 'samu-case-9'): SitRep => ({
      messageId: `${partner}:sitrep:${reportNumber}`,
      preparedBy: 'SAMU 06',
      reportNumber,
      version: 'Update',
      from: now,
      to: now,
      title: 'Coach overturned',
      incidentId,
      lifecyclePhase: 'Response',
      urgency: 'Urgent',
      situation: {
        incidentName: 'DRFR15-9',
        incidentType: 'traffic-accident',
        location: [43.7398, 7.4285],
        address: null,
        status: 'on-scene',
        priority: 1,
        summary,
      },
      resources: [{ callSign: 'SMUR 1', kind: 'ambulance', organisation: 'SAMU 06', committedAt: now, releasedAt: null }],
      casualties: { immediate: 3, delayed: 5, minor: 12, deceased: 1, unknown: 2 },
    });
    await deliver([{ xml: sitRepToXml(sitRep(2, 'Triage post set up')) }]);
    // An older report arriving late does not replace the latest.
    await deliver([{ xml: sitRepToXml(sitRep(1, 'First on scene')) }]);

    const shown = await commander('GET', `/api/exchange/incidents/${local}/partner-sitrep`);
    assert.equal(shown.status, 200, shown.body);
    const s = shown.json.sitRep;
    assert.equal(s.agency, partner);
    assert.equal(s.preparedBy, 'SAMU 06');
    assert.equal(s.reportNumber, 2);
    assert.equal(s.summary, 'Triage post set up');
    assert.deepEqual(s.casualties, { immediate: 3, delayed: 5, minor: 12, deceased: 1, unknown: 2 });
    assert.equal(s.resources[0].callSign, 'SMUR 1');
    assert.ok(s.receivedAt);

    // About no incident here: refused (an error report), nothing stored.
    const rejectedBefore = ex.health(identity.resolvePrincipalOf('commander')).rejected;
    await deliver([{ xml: sitRepToXml(sitRep(3, 'Elsewhere', 'samu-case-unknown')) }]);
    assert.equal(ex.health(identity.resolvePrincipalOf('commander')).rejected, rejectedBefore + 1);
    assert.equal(ex.state.partnerSitReps.size, 1);

    // One of ours by its id: only an incident sent to the partner (its organisation shares with the partner's). A police
    // incident the partner was never sent is not the partner's to report on: refused, nothing stored on it.
    const opened = await commander('POST', '/api/incidents', { type: 'other', position: [7.42, 43.73], source: 'call', title: 'Not shared' });
    assert.equal(opened.status, 201, opened.body);
    const unsent = opened.json.incident.incidentId as string;
    const rejectedNow = ex.health(identity.resolvePrincipalOf('commander')).rejected;
    await deliver([{ xml: sitRepToXml({ ...sitRep(4, 'Injected', unsent), messageId: `${partner}:sitrep:x4` }) }]);
    assert.equal(ex.health(identity.resolvePrincipalOf('commander')).rejected, rejectedNow + 1);
    assert.equal(ex.state.partnerSitReps.has(unsent), false);
    assert.deepEqual((await commander('GET', `/api/exchange/incidents/${unsent}/partner-sitrep`)).json, { sitRep: null });
    // Once the police share with the partner's organisation, their incidents go to the partner, which may report on them.
    const police = identity.state.usersByName.get('commander')!.orgId;
    await identity.grantShare(
      { fromOrgId: police, toOrgId: ex.partnerOrgId()!, rights: 'read', note: 'sent to the hub' },
      identity.resolvePrincipalOf('admin'),
    );
    const sent = await commander('POST', '/api/incidents', { type: 'other', position: [7.42, 43.73], source: 'call', title: 'Shared' });
    assert.equal(sent.status, 201, sent.body);
    const sentId = sent.json.incident.incidentId as string;
    assert.ok(ex.state.sent.has(sentId), 'the shared incident was sent');
    await deliver([{ xml: sitRepToXml({ ...sitRep(5, 'On our incident', sentId), messageId: `${partner}:sitrep:x5` }) }]);
    assert.equal((await commander('GET', `/api/exchange/incidents/${sentId}/partner-sitrep`)).json.sitRep?.summary, 'On our incident');

    // The police withdraw the share: the partner no longer reports on the incident it was sent before.
    const share = [...identity.state.shares.values()].find((x) => x.fromOrgId === police && x.toOrgId === ex.partnerOrgId())!;
    await identity.revokeShare(share.id, identity.resolvePrincipalOf('admin'));
    const rejectedShared = ex.health(identity.resolvePrincipalOf('commander')).rejected;
    await deliver([{ xml: sitRepToXml({ ...sitRep(6, 'After the share ended', sentId), messageId: `${partner}:sitrep:x6` }) }]);
    assert.equal(ex.health(identity.resolvePrincipalOf('commander')).rejected, rejectedShared + 1);
    assert.equal((await commander('GET', `/api/exchange/incidents/${sentId}/partner-sitrep`)).json.sitRep?.summary, 'On our incident');

    // Who may not read the incident does not read its SitRep either.
    const steward = await signedIn(vigil, 'steward');
    assert.notEqual((await steward('GET', `/api/exchange/incidents/${local}/partner-sitrep`)).status, 200);
  } finally {
    await close();
  }
});
