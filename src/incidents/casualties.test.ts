import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startDemoNode } from '../../test/e2e/browser.js';
import { signedIn } from '../../test/support/api-client.js';

const COUNTS = { immediate: 2, delayed: 3, minor: 7, deceased: 1, unknown: 4 };

test('casualties over the API: the commander records them (who and when), a role without rights is refused, the SitRep reports them', async () => {
  const { vigil, close } = await startDemoNode({ VIGIL_MQTT_EMBEDDED_PORT: 'off' });
  try {
    const commander = await signedIn(vigil, 'commander');
    const responder = await signedIn(vigil, 'responder');
    const opened = await commander('POST', '/api/incidents', { type: 'traffic-accident', position: [7.42, 43.73], source: 'call', title: 'Bus crash' });
    assert.equal(opened.status, 201, opened.body);
    const id = opened.json.incident.incidentId as string;

    // None recorded: the incident says so and the SitRep writes nothing (not zeros).
    assert.equal((await commander('GET', `/api/incidents/${id}`)).json.incident.casualties ?? null, null);
    const before = await commander('GET', `/api/exchange/incidents/${id}/sitrep`);
    assert.equal(before.status, 200, before.body);
    assert.doesNotMatch(before.body, /CasualtyAndIllnessSummary/);

    // Schema: every category, whole non-negative counts, nothing else.
    for (const bad of [{ ...COUNTS, minor: -1 }, { ...COUNTS, minor: 1.5 }, { immediate: 1 }, { ...COUNTS, walking: 3 }])
      assert.equal((await commander('PUT', `/api/incidents/${id}/casualties`, bad)).status, 400, JSON.stringify(bad));
    // A responder reads the incident but does not run it.
    assert.equal((await responder('PUT', `/api/incidents/${id}/casualties`, COUNTS)).status, 403);

    const recorded = await commander('PUT', `/api/incidents/${id}/casualties`, COUNTS);
    assert.equal(recorded.status, 200, recorded.body);
    const incident = (await commander('GET', `/api/incidents/${id}`)).json.incident;
    assert.deepEqual(incident.casualties.counts, COUNTS);
    assert.ok(incident.casualties.byName);
    assert.ok(!Number.isNaN(Date.parse(incident.casualties.at)));

    // Append-only: the event log keeps each count with who and when.
    const counts = (await vigil.ctx.log.read({ typePrefixes: ['incidents.casualties.recorded'] })).filter((e) => e.subject === `incident:${id}`);
    assert.equal(counts.length, 1);
    assert.equal(counts[0]!.actor, incident.casualties.by);

    const sitRep = await commander('GET', `/api/exchange/incidents/${id}/sitrep`);
    assert.equal(sitRep.status, 200, sitRep.body);
    assert.match(sitRep.body, /<CasualtyAndIllnessSummary><TotalNumberToDate>17<\/TotalNumberToDate>/);
    assert.match(sitRep.body, /<Fatalities>1<\/Fatalities><WithInjuryOrIllness>16<\/WithInjuryOrIllness>/);
    assert.match(sitRep.body, /<Immediate>2<\/Immediate><Delayed>3<\/Delayed><Minor>7<\/Minor><Deceased>1<\/Deceased><Unknown>4<\/Unknown>/);
  } finally {
    await close();
  }
});
