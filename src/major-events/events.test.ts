import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import { startDemoNode } from '../../test/e2e/browser.js';
import { signInCookie, signedIn, type ApiCall } from '../../test/support/api-client.js';
import { until } from '../../test/support/until.js';
import type { Principal } from '../platform/access.js';
import { canSeeItem, standingIn } from './clearance.js';
import { eventStatus } from './events-service.js';
import type { MajorEvent } from './model.js';

/** A zone feature of an event: `ring` ([longitude, latitude] …) its outline, `minClearance` the level that sees it. */
const zoneFeature = (name: string, minClearance: number, ring: number[][]) => ({
  kind: 'zone',
  name,
  minClearance,
  geometry: { type: 'Polygon', coordinates: [ring] },
});

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201ffa1b2d50000000049454e44ae426082',
  'hex',
);

const principal = (over: Partial<Principal>): Principal => ({
  kind: 'user',
  actor: 'user:u',
  userId: 'u',
  orgId: 'o1',
  roles: ['responder'],
  authLevel: 1,
  displayName: 'U',
  visibleOrgIds: new Set(),
  actableOrgIds: new Set(),
  platformOrg: false,
  ...over,
});
const event = (over: Partial<MajorEvent> = {}): MajorEvent => ({
  eventId: 'e',
  name: 'E',
  description: '',
  ownerOrgId: 'o1',
  startsAt: '2026-06-01T10:00:00.000Z',
  endsAt: '2026-06-01T18:00:00.000Z',
  phase: 'scheduled',
  startedAt: null,
  stoodDownAt: null,
  participants: [
    { orgId: 'o1', orgName: 'One', maxClearance: 4, defaultClearance: 2 },
    { orgId: 'o2', orgName: 'Two', maxClearance: 2, defaultClearance: 1 },
  ],
  members: [
    { userId: 'boss', username: 'boss', displayName: 'Boss', orgId: 'o1', eventRole: 'Gold', clearance: 4 },
    { userId: 'x', username: 'x', displayName: 'X', orgId: 'o2', eventRole: 'Steward', clearance: 2 },
  ],
  createdAt: '',
  createdBy: '',
  ...over,
});

test('standing: organisation maximum and default, member clearance, the second factor for command level', () => {
  const e = event();
  assert.equal(standingIn(e, principal({ userId: 'boss', authLevel: 2 })).level, 4);
  const capped = standingIn(e, principal({ userId: 'boss', authLevel: 1 }));
  assert.equal(capped.level, 3);
  assert.equal(capped.cappedFrom, 4);
  assert.match(capped.reason!, /command level needs a second factor/);
  assert.equal(standingIn(e, principal({ userId: 'other' })).level, 2, 'unlisted users of the owner get its default');
  assert.equal(standingIn(e, principal({ userId: 'x', orgId: 'o2' })).level, 2);
  assert.equal(standingIn(e, principal({ userId: 'y', orgId: 'o2' })).level, 1);
  assert.equal(
    standingIn(
      { ...e, participants: e.participants.map((p) => ({ ...p, maxClearance: p.orgId === 'o2' ? 1 : p.maxClearance })) },
      principal({ userId: 'x', orgId: 'o2' }),
    ).level,
    1,
    'never above the organisation maximum',
  );
  assert.equal(standingIn(e, principal({ orgId: 'o3' })).level, 0);
  assert.equal(standingIn(e, { ...principal({}), kind: 'public', orgId: null, userId: null }).level, 0);
  const staff = standingIn(e, principal({ userId: 'x', orgId: 'o2' }));
  assert.ok(canSeeItem(staff, { minClearance: 2, sharedWith: null, orgId: 'o1' }));
  assert.ok(!canSeeItem(staff, { minClearance: 3, sharedWith: null, orgId: 'o2' }), 'clearance applies to the author organisation too');
  assert.ok(!canSeeItem(staff, { minClearance: 1, sharedWith: ['o1'], orgId: 'o1' }));
  assert.ok(canSeeItem(staff, { minClearance: 1, sharedWith: ['o2'], orgId: 'o1' }));
});

test('status from the window plus explicit start and stand-down', () => {
  const e = event();
  assert.equal(eventStatus(e, Date.parse('2026-06-01T09:00:00Z')), 'planned');
  assert.equal(eventStatus(e, Date.parse('2026-06-01T12:00:00Z')), 'active');
  assert.equal(eventStatus(e, Date.parse('2026-06-01T19:00:00Z')), 'ended');
  assert.equal(eventStatus({ ...e, phase: 'started' }, Date.parse('2026-06-01T09:00:00Z')), 'active');
  assert.equal(eventStatus({ ...e, phase: 'stood-down' }, Date.parse('2026-06-01T12:00:00Z')), 'ended');
});

interface Live {
  events: { type: string; data: Record<string, unknown> }[];
  close(): void;
}

async function live(url: string, cookie: string): Promise<Live> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/api/live`, { headers: { cookie } });
  const out: Live = { events: [], close: () => ws.close() };
  ws.on('message', (m) => {
    const msg = JSON.parse(String(m)) as { type: string; events?: Live['events'] };
    out.events.push(...(msg.events ?? []));
  });
  await new Promise((resolve, reject) => {
    ws.once('message', resolve); // hello: registered with the hub
    ws.once('error', reject);
  });
  return out;
}

async function cookieOf(vigil: Parameters<typeof signInCookie>[0], username: string): Promise<string> {
  return (await signInCookie(vigil, username)) ?? '';
}

test('two concurrent events, five users: exactly what each sees over the HTTP API and the live feed', async () => {
  const { vigil, close } = await startDemoNode({ VIGIL_MQTT_EMBEDDED_PORT: 'off' });
  await vigil.capabilities.routing.loaded;
  const sockets: Live[] = [];
  try {
    const anon = await signedIn(vigil, 'nobody');
    const users = ['commander', 'steward', 'guard', 'admin', 'responder', 'operator'] as const;
    const api = Object.fromEntries(await Promise.all(users.map(async (u) => [u, await signedIn(vigil, u)] as const))) as Record<
      (typeof users)[number],
      ApiCall
    >;
    const orgOfKind = (kind: string): string => vigil.capabilities.identity.service.listOrgs().find((o) => o.kind === kind)!.id;
    const eventsOrg = orgOfKind('event-organiser'),
      fireOrg = orgOfKind('fire');

    const names = async (u: ApiCall): Promise<string[]> => ((await u('GET', '/api/events')).json.events as { name: string }[]).map((e) => e.name).sort();
    assert.deepEqual(await names(api.commander), ['Fontvieille Summer Festival', 'Harbour Grand Prix']);
    assert.deepEqual(await names(api.steward), ['Harbour Grand Prix']);
    assert.deepEqual(await names(api.responder), ['Harbour Grand Prix']);
    assert.deepEqual(await names(api.guard), ['Fontvieille Summer Festival']);
    assert.deepEqual(await names(api.admin), ['Fontvieille Summer Festival']);
    assert.deepEqual(await names(api.operator), [], 'the MARC takes part in neither');
    assert.equal((await anon('GET', '/api/events')).status, 401);

    const list = (await api.commander('GET', '/api/events')).json.events as { eventId: string; name: string }[];
    const race = list.find((e) => e.name === 'Harbour Grand Prix')!.eventId;
    const festival = list.find((e) => e.name !== 'Harbour Grand Prix')!.eventId;
    for (const [u, id] of [
      ['guard', race],
      ['admin', race],
      ['operator', race],
      ['steward', festival],
      ['responder', festival],
    ] as const) {
      assert.equal((await api[u]('GET', `/api/events/${id}`)).status, 404, `${u} may not learn ${id} exists`);
    }

    const view = async (u: ApiCall, id: string) => (await u('GET', `/api/events/${id}`)).json;
    const cmd = await view(api.commander, race);
    assert.equal(cmd.me.level, 3, 'a password-only session is capped below command');
    assert.equal(cmd.me.cappedFrom, 4);
    assert.match(cmd.me.reason, /second factor/);
    assert.equal(cmd.event.status, 'active');
    assert.equal(cmd.event.members.length, 3, 'officers see the roster');
    const stw = await view(api.steward, race);
    assert.equal(stw.me.level, 2);
    assert.deepEqual(
      stw.event.members.map((m: { username: string }) => m.username),
      ['steward'],
      'staff see only themselves in the roster',
    );
    const featureNames = (v: { features: { name: string }[] }): string[] => v.features.map((f) => f.name);
    assert.ok(featureNames(cmd).includes('Command post — Quai des Artistes'));
    assert.ok(!featureNames(stw).includes('Command post — Quai des Artistes'));
    assert.equal(stw.features.filter((f: { kind: string }) => f.kind === 'gate').length, 3);
    assert.ok(stw.features.some((f: { kind: string }) => f.kind === 'perimeter'));
    const fest = await view(api.guard, festival);
    assert.equal(fest.me.level, 2);
    assert.ok(featureNames(fest).includes('Security patrol 2'));
    assert.equal((await view(api.commander, festival)).me.level, 3);
    assert.ok(!featureNames(await view(api.commander, festival)).includes('Security patrol 2'), 'shared with security and the city only');

    // Live feeds of every user, opened before anything happens.
    for (const u of users) sockets.push(await live(vigil.url, await cookieOf(vigil, u)));
    const [lCommander, lSteward, lGuard, lAdmin, lResponder, lOperator] = sockets as [Live, Live, Live, Live, Live, Live];

    // The commander draws an officer-only zone, shares a note with the stewards, a photo and a message with the fire service, pushes guidance.
    const zone = await api.commander(
      'POST',
      `/api/events/${race}/features`,
      zoneFeature('Restricted: pit lane', 3, [
        [7.425, 43.734],
        [7.4262, 43.734],
        [7.4262, 43.7348],
        [7.425, 43.734],
      ]),
    );
    assert.equal(zone.status, 201, zone.body);
    assert.equal(
      (
        await api.commander(
          'POST',
          `/api/events/${race}/features`,
          zoneFeature('x', 4, [
            [7.425, 43.734],
            [7.426, 43.734],
            [7.426, 43.735],
            [7.425, 43.734],
          ]),
        )
      ).status,
      400,
      'cannot restrict above the own level',
    );
    assert.equal(
      (
        await api.commander(
          'POST',
          `/api/events/${race}/features`,
          zoneFeature('open', 1, [
            [7.425, 43.734],
            [7.426, 43.734],
            [7.426, 43.735],
          ]),
        )
      ).status,
      400,
      'an open ring is refused',
    );
    assert.equal(
      (
        await api.steward('POST', `/api/events/${race}/features`, {
          kind: 'gate',
          name: 'x',
          minClearance: 1,
          geometry: { type: 'Point', coordinates: [7.42, 43.73] },
        })
      ).status,
      403,
    );
    const note = await api.commander('POST', `/api/events/${race}/notes`, {
      name: 'Gate briefing',
      text: 'Gate B closes at 14:00; send spectators to Gate A.',
      minClearance: 2,
      sharedWith: [eventsOrg],
    });
    assert.equal(note.status, 201, note.body);
    const photo = await api.commander('POST', `/api/events/${race}/photos?name=tyre-wall.png&minClearance=2&sharedWith=${fireOrg}`, PNG, 'image/png');
    assert.equal(photo.status, 201, photo.body);
    assert.equal((await api.commander('POST', `/api/events/${race}/photos?name=x.png&minClearance=2`, Buffer.from('not a png'), 'image/png')).status, 400);
    const fireMsg = await api.commander('POST', `/api/events/${race}/messages`, {
      text: 'Fire crews: see photo of the tyre wall',
      minClearance: 2,
      sharedWith: [fireOrg],
      links: [{ kind: 'upload', id: photo.json.upload.uploadId }],
    });
    assert.equal(fireMsg.status, 201, fireMsg.body);
    assert.equal(
      (await api.commander('POST', `/api/events/${race}/messages`, { text: 'x', minClearance: 1, links: [{ kind: 'feature', id: 'fea_nothing' }] })).status,
      404,
      'links must name something the author sees',
    );
    const gates = cmd.features.filter((f: { kind: string }) => f.kind === 'gate') as { geometry: { coordinates: [number, number] } }[];
    const guidance = await api.commander('POST', `/api/events/${race}/guidance`, {
      instruction: 'Move the barrier team to Gate A',
      toOrgIds: [eventsOrg],
      route: { profile: 'foot', from: gates[1]!.geometry.coordinates, to: gates[0]!.geometry.coordinates },
    });
    assert.equal(guidance.status, 201, guidance.body);
    assert.equal(guidance.json.guidance.source, 'route-foot');
    assert.ok(guidance.json.guidance.geometry.coordinates.length >= 2 && guidance.json.guidance.distanceM > 0);
    const gid = guidance.json.guidance.guidanceId as string;

    // HTTP: the steward sees the note and the guidance, not the zone, the photo or the fire message.
    const stw2 = await view(api.steward, race);
    assert.ok(!featureNames(stw2).includes('Restricted: pit lane'));
    assert.deepEqual(
      stw2.uploads.map((u: { name: string }) => u.name),
      ['Gate briefing'],
    );
    assert.equal(stw2.messages.length, 0);
    assert.deepEqual(
      stw2.guidance.map((g: { guidanceId: string }) => g.guidanceId),
      [gid],
    );
    assert.equal((await api.steward('GET', `/api/events/uploads/${photo.json.upload.uploadId}`)).status, 404);
    assert.match((await api.steward('GET', `/api/events/uploads/${note.json.upload.uploadId}`)).body, /Gate B closes/);
    // The fire officer: zone, photo, message; not the stewards' note; no guidance.
    const fire = await view(api.responder, race);
    assert.ok(featureNames(fire).includes('Restricted: pit lane'));
    assert.deepEqual(
      fire.uploads.map((u: { name: string }) => u.name),
      ['tyre-wall.png'],
    );
    assert.deepEqual(
      fire.messages.map((m: { text: string }) => m.text),
      ['Fire crews: see photo of the tyre wall'],
    );
    assert.equal(fire.guidance.length, 0);
    const fetched = await vigil.server.app.inject({
      method: 'GET',
      url: `/api/events/uploads/${photo.json.upload.uploadId}`,
      headers: { cookie: await cookieOf(vigil, 'responder') },
    });
    assert.deepEqual(fetched.rawPayload, PNG, 'the photo comes back byte for byte');
    assert.equal((await api.responder('POST', `/api/events/${race}/guidance/${gid}/ack`)).status, 404, 'not sent to the fire service');

    // The steward acknowledges; the commander sees who did.
    assert.deepEqual(
      (await api.steward('GET', '/api/events/guidance/mine')).json.guidance.map((g: { guidanceId: string; acknowledged: boolean }) => [
        g.guidanceId,
        g.acknowledged,
      ]),
      [[gid, false]],
    );
    assert.equal((await api.steward('POST', `/api/events/${race}/guidance/${gid}/ack`)).status, 200);
    const acks = (await view(api.commander, race)).guidance.find((g: { guidanceId: string }) => g.guidanceId === gid).acks;
    assert.deepEqual(
      acks.map((a: { displayName: string }) => a.displayName),
      ['Stella Steward'],
    );

    // A marker every race participant sees, one in the festival for the guard and admin, one incident the MARC sees: after them, nothing more of the above can arrive.
    await api.commander('POST', `/api/events/${race}/messages`, { text: 'race marker', minClearance: 1 });
    await api.admin('POST', `/api/events/${festival}/messages`, { text: 'festival marker', minClearance: 1 });
    await api.operator('POST', '/api/incidents', { type: 'other', position: [7.42, 43.73], source: 'call', title: 'marker' });
    const got = (l: Live, text: string) => l.events.some((e) => (e.data.message as { text?: string } | undefined)?.text === text);
    for (const l of [lCommander, lSteward, lResponder]) await until(() => got(l, 'race marker'), 'race marker');
    for (const l of [lGuard, lAdmin, lCommander]) await until(() => got(l, 'festival marker'), 'festival marker');
    await until(() => lOperator.events.some((e) => e.type === 'incidents.incident.opened'), 'incident marker');

    const of = (l: Live, eventId: string): string[] =>
      l.events
        .filter((e) => e.type.startsWith('majorevents.') && e.data.eventId === eventId)
        .map((e) => {
          const d = e.data as {
            feature?: { name: string };
            upload?: { name: string; base64?: unknown };
            message?: { text: string };
            guidance?: { guidanceId: string };
          };
          return `${e.type.split('.').slice(1).join('.')}:${d.feature?.name ?? d.upload?.name ?? d.message?.text ?? d.guidance?.guidanceId ?? ''}`;
        });
    assert.deepEqual(of(lSteward, race), ['upload.stored:Gate briefing', `guidance.pushed:${gid}`, 'guidance.acknowledged:', 'message.posted:race marker']);
    assert.deepEqual(of(lResponder, race), [
      'feature.drawn:Restricted: pit lane',
      'upload.stored:tyre-wall.png',
      'message.posted:Fire crews: see photo of the tyre wall',
      'message.posted:race marker',
    ]);
    assert.deepEqual(of(lCommander, race), [
      'feature.drawn:Restricted: pit lane',
      'upload.stored:Gate briefing',
      'upload.stored:tyre-wall.png',
      'message.posted:Fire crews: see photo of the tyre wall',
      `guidance.pushed:${gid}`,
      'guidance.acknowledged:',
      'message.posted:race marker',
    ]);
    assert.deepEqual(of(lGuard, race), []);
    assert.deepEqual(of(lAdmin, race), []);
    assert.deepEqual(of(lOperator, race), []);
    assert.deepEqual(of(lGuard, festival), ['message.posted:festival marker']);
    assert.deepEqual(of(lSteward, festival), []);
    assert.ok(
      lSteward.events.filter((e) => e.type === 'majorevents.upload.stored').every((e) => e.data.base64 === null),
      'bytes stay off the feed',
    );

    // The after-action timeline shows each reader only what it could see.
    const tl = (await api.commander('GET', `/api/events/${race}/timeline.json`)).json.entries.map((e: { text: string }) => e.text).join('\n');
    assert.match(tl, /Drawn zone "Restricted: pit lane"/);
    assert.match(tl, /Stella Steward acknowledged/);
    assert.match((await api.commander('GET', `/api/events/${race}/timeline.html`)).body, /Harbour Grand Prix/);
    assert.equal((await api.steward('GET', `/api/events/${race}/timeline.json`)).status, 403, 'responders do not read timelines');

    // Roster rules: windows, organisation maximums, and a roster change takes effect at once.
    const window = { startsAt: new Date(Date.now() + 86_400_000).toISOString(), endsAt: new Date(Date.now() + 90_000_000).toISOString() };
    assert.equal((await api.commander('POST', '/api/events', { name: 'Backwards', startsAt: window.endsAt, endsAt: window.startsAt })).status, 400);
    const tooHigh = await api.commander('POST', '/api/events', {
      name: 'Too high',
      ...window,
      participants: [{ orgId: eventsOrg, maxClearance: 2 }],
      members: [{ username: 'steward', eventRole: 'Chief', clearance: 3 }],
    });
    assert.equal(tooHigh.status, 400);
    assert.match(tooHigh.json.error.message, /reaches at most level 2/);
    assert.equal(
      (await api.commander('POST', '/api/events', { name: 'Outsider', ...window, members: [{ username: 'guard', eventRole: 'x', clearance: 1 }] })).status,
      400,
      'members belong to participating organisations',
    );
    assert.equal((await api.steward('POST', '/api/events', { name: 'x', ...window })).status, 403);
    const drill = await api.commander('POST', '/api/events', {
      name: 'Harbour drill',
      ...window,
      participants: [{ orgId: fireOrg, maxClearance: 3, defaultClearance: 2 }],
    });
    assert.equal(drill.status, 201, drill.body);
    const drillId = drill.json.event.eventId as string;
    assert.equal((await view(api.responder, drillId)).event.status, 'planned');
    assert.equal((await view(api.responder, drillId)).me.level, 2);
    assert.equal((await api.commander('PUT', `/api/events/${drillId}/participants`, { participants: [] })).status, 200);
    assert.equal((await api.responder('GET', `/api/events/${drillId}`)).status, 404, 'removed from the roster: the event is gone for the fire service');

    // Stand-down ends the event for everyone; only its owner's commanders may.
    assert.equal((await api.responder('POST', `/api/events/${race}/stand-down`, {})).status, 403);
    assert.equal((await api.commander('POST', `/api/events/${race}/stand-down`, { note: 'race over' })).status, 200);
    assert.equal((await view(api.steward, race)).event.status, 'ended');
  } finally {
    for (const s of sockets) s.close();
    await close();
  }
});
