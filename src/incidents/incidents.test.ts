import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { Dc09Client } from '../adapters/protocols/dc09/dc09-client.js';
import { signalFrame } from '../adapters/protocols/dc09/dc09-reply.js';
import { startDemoNode } from '../../test/e2e/browser.js';
import { sessionCookieOf, signedIn } from '../../test/support/api-client.js';
import { StraightLineTravelTimes } from './travel-times.js';
import { qualifies } from './incident-types.js';

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201ffa1b2d50000000049454e44ae426082',
  'hex',
);

test('straight-line fallback: ETA grows with distance, drones fly straight, and it names itself', async () => {
  const tt = new StraightLineTravelTimes();
  assert.match(tt.name, /straight-line fallback/);
  const [near, far] = await tt.etaSeconds(
    [
      [7.42, 43.73],
      [7.44, 43.75],
    ],
    [7.421, 43.731],
    'fire-engine',
  );
  assert.ok(near! < far!);
  const [drone] = await tt.etaSeconds([[7.44, 43.75]], [7.421, 43.731], 'drone');
  assert.ok(drone! < far!);
  const route = await tt.route([7.44, 43.75], [7.421, 43.731], 'ambulance');
  assert.deepEqual(route.geometry.coordinates, [
    [7.44, 43.75],
    [7.421, 43.731],
  ]);
  assert.ok(qualifies('medical', ['advanced-life-support']) && !qualifies('medical', ['fire-suppression']) && qualifies('other', []));
});

test('incidents end to end over the API: MARC alarm → incident → take over → recommendation → dispatch → on scene → comms → closed → timeline', async () => {
  const { vigil, close } = await startDemoNode({ VIGIL_MQTT_EMBEDDED_PORT: 'off' });
  // Dispatch ranks units on the road graph: wait until it is built.
  await vigil.capabilities.routing.loaded;
  try {
    const city = vigil.capabilities.city.service.state;
    const operator = await signedIn(vigil, 'operator');
    const commander = await signedIn(vigil, 'commander');
    const responder = await signedIn(vigil, 'responder');
    const alertOfficer = await signedIn(vigil, 'alert-officer');
    const steward = await signedIn(vigil, 'steward');

    // A fire alarm from a demo panel over DC-09.
    const panel = [...city.devices.values()].find((d) => d.kind === 'alarm-panel' && city.sites.get(d.siteId!)?.category === 'hotel')!;
    const site = city.sites.get(panel.siteId!)!;
    const client = await Dc09Client.connect('127.0.0.1', vigil.capabilities.alarms.receiver.tcpPort!);
    assert.equal((await client.send(signalFrame({ id: 'SIA-DCS', seq: 1, account: panel.account!, data: 'Nri1/FA002', now: Date.now() }))).kind, 'ACK');
    client.close();
    await vigil.capabilities.alarms.receiverSettled(); // the receiver thread records the alarm just after its ACK
    const alarm = vigil.capabilities.alarms.state.queue()[0]!;

    // The operator escalates it: site, kind, position and link carried over; owned by the MARC.
    const escalated = await operator('POST', `/api/incidents/from-alarm/${alarm.alarmId}`, {});
    assert.equal(escalated.status, 201, escalated.body);
    const inc = escalated.json.incident;
    assert.equal(inc.type, 'fire');
    assert.equal(inc.priority, 1);
    assert.equal(inc.source, 'alarm');
    assert.equal(inc.location.siteId, site.id);
    assert.deepEqual(inc.location.position, site.position);
    assert.deepEqual(inc.alarmIds, [alarm.alarmId]);
    assert.match(inc.reference, /^INC-\d{4}$/);
    // The alarm's English title stays the record; what it is made of goes with it, for a reader of another language.
    assert.equal(inc.title, `Fire alarm — zone 002 — ${site.name}`);
    assert.deepEqual(inc.titleParts, { from: 'alarm', alarm: { protocol: 'sia-dcs', code: 'FA', zone: '002', where: site.name, account: null } });
    // The log's opening line too: its English text, and its parts for the reader's language.
    const openedLine = (await operator('GET', `/api/incidents/${inc.incidentId}`)).json.log[0];
    assert.equal(openedLine.text, `Opened (alarm): Fire alarm — zone 002 — ${site.name} — priority 1`);
    assert.deepEqual(openedLine.said, { opened: { source: 'alarm', priority: 1, title: inc.title, titleParts: inc.titleParts } });
    assert.equal((await operator('POST', `/api/incidents/from-alarm/${alarm.alarmId}`, {})).status, 409, 'one incident per alarm');
    // The police commander sees it (the MARC shares with the police) and takes it over.
    const board = await commander('GET', '/api/incidents');
    assert.ok(board.json.incidents.some((i: { incidentId: string }) => i.incidentId === inc.incidentId));
    const taken = await commander('POST', `/api/incidents/${inc.incidentId}/take`);
    assert.equal(taken.status, 200, taken.body);
    assert.equal(taken.json.incident.ownerName, 'Chris Commander');
    assert.equal(taken.json.incident.orgId, vigil.capabilities.identity.service.listOrgs().find((o) => o.kind === 'police')!.id);
    assert.equal((await steward('GET', `/api/incidents/${inc.incidentId}`)).status, 404, 'the event organiser does not see it');

    // Status machine: no skipping to on-scene, no closing without a resolution.
    assert.equal((await commander('POST', `/api/incidents/${inc.incidentId}/status`, { status: 'on-scene' })).status, 409);
    assert.equal((await commander('POST', `/api/incidents/${inc.incidentId}/status`, { status: 'closed' })).status, 400);
    assert.equal((await commander('POST', `/api/incidents/${inc.incidentId}/status`, { status: 'dispatched' })).status, 409, 'dispatched needs a unit');

    // Recommendation: fire engines only (fire-suppression), ranked by drive time on the road graph, the source named.
    const rec = await commander('GET', `/api/incidents/${inc.incidentId}/recommendation`);
    assert.equal(rec.status, 200, rec.body);
    assert.equal(rec.json.travelTimes, 'road graph with live traffic and closures');
    const ranked = rec.json.ranked as { unit: { unitId: string; callSign: string; capabilities: string[] }; etaSeconds: number; distanceM: number }[];
    assert.ok(ranked.length >= 2);
    assert.ok(ranked.every((r) => r.unit.capabilities.includes('fire-suppression')));
    for (let k = 1; k < ranked.length; k++) assert.ok(ranked[k - 1]!.etaSeconds <= ranked[k]!.etaSeconds);
    assert.ok(rec.json.excluded.some((e: { reason: string }) => e.reason === 'lacks a required capability'));
    // Overriding needs a reason; accepting does not.
    const second = ranked[1]!.unit;
    assert.equal((await commander('POST', `/api/incidents/${inc.incidentId}/dispatch`, { unitId: second.unitId })).status, 400);
    const overridden = await commander('POST', `/api/incidents/${inc.incidentId}/dispatch`, {
      unitId: second.unitId,
      overrideReason: 'ladder needed: 7th floor',
    });
    assert.equal(overridden.status, 201, overridden.body);
    assert.equal(overridden.json.assignment.recommendedUnitId, ranked[0]!.unit.unitId);
    const first = await commander('POST', `/api/incidents/${inc.incidentId}/dispatch`, { unitId: ranked[0]!.unit.unitId });
    assert.equal(first.status, 201, first.body);
    assert.equal(first.json.assignment.overrideReason, null);
    assert.equal(first.json.assignment.route.type, 'LineString');
    assert.equal(vigil.capabilities.units.service.state.units.get(ranked[0]!.unit.unitId)!.status, 'dispatched');
    assert.equal(vigil.capabilities.incidents.service.state.incidents.get(inc.incidentId)!.status, 'dispatched');
    assert.equal((await commander('POST', `/api/incidents/${inc.incidentId}/dispatch`, { unitId: ranked[0]!.unit.unitId })).status, 409);

    // The responder (crew of FPT 1, fire service) sees the assignment, its route and reports on scene.
    const fpt = ranked.find((r) => r.unit.callSign === 'FPT 1')!.unit;
    const mine = await responder('GET', '/api/incidents/assigned');
    assert.equal(mine.json.unit.callSign, 'FPT 1');
    assert.equal(mine.json.incident.incidentId, inc.incidentId);
    // The route follows the streets (not a straight line) and ends where the incident is.
    assert.ok(mine.json.assignment.route.coordinates.length > 2, 'a road route, not a straight line');
    assert.equal(
      (await responder('POST', `/api/incidents/${inc.incidentId}/status`, { status: 'contained' })).status,
      403,
      'a responder does not run the incident',
    );
    assert.equal((await responder('POST', `/api/incidents/${inc.incidentId}/units/${fpt.unitId}/status`, { status: 'en-route' })).status, 200);
    assert.equal((await responder('POST', `/api/incidents/${inc.incidentId}/units/${fpt.unitId}/status`, { status: 'on-scene' })).status, 200);
    assert.equal(
      vigil.capabilities.incidents.service.state.incidents.get(inc.incidentId)!.status,
      'on-scene',
      'the first unit on scene puts the incident on scene',
    );
    // The city cockpit counts it: emergency response time from the call to the first unit on scene, with this incident as provenance.
    const cockpit = vigil.capabilities.cockpit.service;
    const cityId = cockpit.tree().cityId!;
    const response = cockpit.value('iso37120.emergency-response-time', cityId, cockpit.currentPeriod('year'));
    assert.equal(response.count, 1);
    const opened = vigil.capabilities.incidents.service.state.incidents.get(inc.incidentId)!;
    const onScene = (await vigil.ctx.log.read({ typePrefixes: ['incidents.incident.status-changed'] })).filter(
      (e) => (e.data as { incidentId: string; to: string }).incidentId === inc.incidentId && (e.data as { to: string }).to === 'on-scene',
    )[0]!;
    assert.ok(Math.abs(response.value! - (Date.parse(onScene.at) - Date.parse(opened.createdAt)) / 60_000) < 1e-9, 'minutes from the call to on scene');
    assert.ok(response.provenance.some((p) => JSON.stringify(p).includes(onScene.id)));

    // Communications: internal for dispatch and responders, public information by command only.
    assert.equal(
      (await responder('POST', `/api/incidents/${inc.incidentId}/messages`, { channel: 'internal', text: 'Smoke from 3rd floor, two people at window' }))
        .status,
      201,
    );
    assert.equal((await responder('POST', `/api/incidents/${inc.incidentId}/messages`, { channel: 'public', text: 'leak' })).status, 403);
    const photo = await responder('POST', `/api/incidents/${inc.incidentId}/attachments?name=front.png`, PNG, 'image/png');
    assert.equal(photo.status, 201, photo.body);
    assert.equal((await responder('POST', `/api/incidents/${inc.incidentId}/attachments?name=fake.png`, Buffer.from('not a png'), 'image/png')).status, 400);
    assert.equal(
      (await responder('POST', `/api/incidents/${inc.incidentId}/attachments?name=big.png`, Buffer.concat([PNG, Buffer.alloc(600 * 1024)]), 'image/png'))
        .status,
      413,
    );
    assert.equal(
      (
        await responder('POST', `/api/incidents/${inc.incidentId}/messages`, {
          channel: 'internal',
          text: 'Photo of the front',
          attachmentIds: [photo.json.attachment.attachmentId],
        })
      ).status,
      201,
    );
    const download = await vigil.server.app.inject({
      method: 'GET',
      url: `/api/incidents/attachments/${photo.json.attachment.attachmentId}`,
      headers: { cookie: await loginHeader(vigil, 'commander') },
    });
    assert.equal(download.statusCode, 200);
    assert.deepEqual(download.rawPayload, PNG);
    assert.equal(
      (await commander('POST', `/api/incidents/${inc.incidentId}/messages`, { channel: 'public', text: 'Fire at a hotel; avoid the area' })).status,
      201,
    );
    const officerView = await alertOfficer('GET', `/api/incidents/${inc.incidentId}`);
    // The alert officer (city, which the police share with) reads only the public channel.
    assert.equal(officerView.status, 200, officerView.body);
    assert.ok(officerView.json.log.length > 0 && officerView.json.log.every((e: { channel: string }) => e.channel === 'public'));
    const cmdView = await commander('GET', `/api/incidents/${inc.incidentId}`);
    const kinds = new Set(cmdView.json.log.map((e: { kind: string }) => e.kind));
    for (const k of ['status', 'dispatch', 'unit-status', 'message', 'ownership']) assert.ok(kinds.has(k), `log has ${k} entries`);

    // Contained, then closed with a resolution: the units still assigned go home.
    assert.equal((await commander('POST', `/api/incidents/${inc.incidentId}/status`, { status: 'contained' })).status, 200);
    const closed = await commander('POST', `/api/incidents/${inc.incidentId}/status`, {
      status: 'closed',
      resolution: 'resolved',
      note: 'Fire out, 2 rescued',
    });
    assert.equal(closed.status, 200, closed.body);
    assert.equal(vigil.capabilities.units.service.state.units.get(fpt.unitId)!.status, 'returning');
    const other = [ranked[0]!.unit, second].find((u) => u.unitId !== fpt.unitId)!;
    assert.equal(vigil.capabilities.units.service.state.units.get(other.unitId)!.status, 'available');
    assert.equal(
      (await commander('POST', `/api/incidents/${inc.incidentId}/messages`, { channel: 'internal', text: 'after close' })).status,
      201,
      'the log stays open for the debrief',
    );

    // After-action timeline: signal, alarm, decisions, dispatch, units, messages on one axis.
    const timeline = await commander('GET', `/api/incidents/${inc.incidentId}/timeline.json`);
    assert.equal(timeline.status, 200, timeline.body);
    const entries = timeline.json.entries as { at: string; category: string; text: string }[];
    for (const c of ['signal', 'alarm', 'incident', 'decision', 'dispatch', 'unit', 'message'])
      assert.ok(
        entries.some((e) => e.category === c),
        `timeline has ${c}`,
      );
    for (let k = 1; k < entries.length; k++) assert.ok(entries[k - 1]!.at <= entries[k]!.at);
    assert.equal(entries[0]!.category, 'signal');
    assert.ok(entries.some((e) => /instead of the recommended unit: ladder needed/.test(e.text)));
    const html = await commander('GET', `/api/incidents/${inc.incidentId}/timeline.html`);
    assert.equal(html.status, 200);
    assert.match(html.body, /<table>/);
    assert.match(html.body, /Fire alarm/);
    assert.equal((await operator('GET', `/api/incidents/${inc.incidentId}/timeline.json`)).status, 200, 'the MARC still sees the incident it escalated');
    if (existsSync('/usr/bin/chromium')) {
      const pdf = await vigil.server.app.inject({
        method: 'GET',
        url: `/api/incidents/${inc.incidentId}/timeline.pdf`,
        headers: { cookie: await loginHeader(vigil, 'commander') },
      });
      assert.equal(pdf.statusCode, 200, pdf.body.slice(0, 200));
      assert.equal(pdf.rawPayload.subarray(0, 4).toString(), '%PDF');
    }

    // Call-taker form: a position near a site takes the site; bad input is refused.
    const call = await commander('POST', '/api/incidents', {
      type: 'medical',
      position: [site.position[0] + 0.0001, site.position[1]],
      source: 'call',
      caller: { name: 'A. Caller', phone: '+377 93 00 00 00' },
      description: 'Man collapsed in the lobby',
    });
    assert.equal(call.status, 201, call.body);
    assert.equal(call.json.incident.location.siteId, site.id);
    assert.equal(call.json.incident.priority, 2);
    // Untitled: Vigil titles it by its type and place, and keeps both for the reader's language; a title a person writes has no parts.
    assert.equal(call.json.incident.title, `Medical emergency — ${site.name}`);
    assert.deepEqual(call.json.incident.titleParts, { from: 'type', type: 'medical', where: site.name });
    const retitled = await commander('PATCH', `/api/incidents/${call.json.incident.incidentId}`, { title: 'Malaise dans le hall' });
    assert.equal(retitled.status, 200, retitled.body);
    const reread = await commander('GET', `/api/incidents/${call.json.incident.incidentId}`);
    assert.equal(reread.json.incident.title, 'Malaise dans le hall');
    assert.equal(reread.json.incident.titleParts, null);
    for (const bad of [
      { type: 'alien', position: [7.42, 43.73], source: 'call' },
      { type: 'fire', position: [7.42, 93], source: 'call' },
      { type: 'fire', position: [7.42, 43.73], source: 'call', priority: 6 },
      { type: 'fire', position: [7.42, 43.73], source: 'rumour' },
    ]) {
      assert.equal((await commander('POST', '/api/incidents', bad)).status, 400, JSON.stringify(bad));
    }
    assert.equal((await responder('POST', '/api/incidents', { type: 'fire', position: [7.42, 43.73], source: 'call' })).status, 403);
    const medical = await commander('GET', `/api/incidents/${call.json.incident.incidentId}/recommendation`);
    assert.ok(medical.json.ranked.length > 0 && medical.json.ranked.every((r: { unit: { kind: string } }) => r.unit.kind === 'ambulance'));
  } finally {
    await close();
  }
});

async function loginHeader(vigil: Awaited<ReturnType<typeof startDemoNode>>['vigil'], username: string): Promise<string> {
  const login = await vigil.server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 'vigil-demo' } });
  return sessionCookieOf(login.headers) ?? '';
}
