import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signedIn } from '../../test/support/api-client.js';
import { FORECOURT_RING } from '../../test/support/crowd-zones.js';
import { startTestNode, stopTestNode } from '../../test/support/test-node.js';

/**
 * The demo's crowd zones belong to the stewards' organisation and to the Harbour Grand
 * Prix: the race's participants see them whatever their organisation (police commander,
 * fire responder), the festival's private guards and the monitoring centre do not.
 */
test('crowd zones of a major event: seen by its participants, not by others', async () => {
  const vigil = await startTestNode('crowd-events', { VIGIL_ROUTING_OSM: 'off' });
  try {
    const race = [...vigil.capabilities.events.service.state.events.values()].find((e) => e.name === 'Harbour Grand Prix')!;
    const zones = [...vigil.capabilities.crowd.service.state.zones.values()];
    assert.ok(zones.length >= 4 && zones.every((z) => z.eventId === race.eventId));
    const seen = async (user: string): Promise<{ zones: number; gates: number; one: number }> => {
      const call = await signedIn(vigil, user);
      const r = await call('GET', '/api/crowd');
      assert.equal(r.status, 200, `${user}: ${r.body.slice(0, 200)}`);
      return {
        zones: r.json.zones.length,
        gates: r.json.gates.length,
        one: (await call('GET', `/api/crowd/zones/${encodeURIComponent(zones[0]!.zoneId)}`)).status,
      };
    };
    const gates = vigil.capabilities.crowd.service.state.gates.size;
    assert.deepEqual(await seen('steward'), { zones: zones.length, gates, one: 200 }, 'the owning organisation');
    assert.deepEqual(await seen('commander'), { zones: zones.length, gates, one: 200 }, 'the police run the race');
    assert.deepEqual(await seen('responder'), { zones: zones.length, gates, one: 200 }, 'the fire service takes part at staff level');
    assert.deepEqual(await seen('guard'), { zones: 0, gates: 0, one: 404 }, 'the festival’s private security is not in the race');
    assert.deepEqual(await seen('operator'), { zones: 0, gates: 0, one: 404 }, 'the monitoring centre is not in the race');

    // Linking a zone to an event (an id in the body) is for those taking part in it: the monitoring centre's supervisor,
    // not in the race, cannot put a zone of its own before the race's participants (who would see it and open or close
    // its gates); the event is not found, as one that does not exist; nothing is recorded.
    const ring = FORECOURT_RING;
    const polygon = { type: 'Polygon', coordinates: [ring] };
    const supervisor = await signedIn(vigil, 'supervisor');
    const before = vigil.capabilities.crowd.service.state.zones.size;
    const foreign = await supervisor('POST', '/api/crowd/zones', { name: 'Planted zone', polygon, eventId: race.eventId });
    assert.equal(foreign.status, 404, foreign.body);
    assert.equal((await supervisor('POST', '/api/crowd/zones', { name: 'Planted zone', polygon, eventId: 'evt_none' })).status, 404);
    assert.equal(vigil.capabilities.crowd.service.state.zones.size, before);
    assert.deepEqual(await seen('commander'), { zones: zones.length, gates, one: 200 }, 'no zone planted in the race');
    // Without an event the supervisor's zone is its own organisation's, as before; a participant links its zone to the race.
    assert.equal((await supervisor('POST', '/api/crowd/zones', { name: 'Own zone', polygon })).status, 201);
    const commander = await signedIn(vigil, 'commander');
    const linked = await commander('POST', '/api/crowd/zones', { name: 'Police forecourt', polygon, eventId: race.eventId });
    assert.equal(linked.status, 201, linked.body);
    assert.equal(linked.json.zone.eventId, race.eventId);
  } finally {
    await stopTestNode(vigil);
  }
});
