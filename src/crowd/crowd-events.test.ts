import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { serveVigil } from '../app.js';
import { loadConfig } from '../kernel/config.js';
import { signedIn } from '../../test/support/api-client.js';

/**
 * The demo's crowd zones belong to the stewards' organisation and to the Harbour Grand
 * Prix: the race's participants see them whatever their organisation (police commander,
 * fire responder), the festival's private guards and the monitoring centre do not.
 */
test('crowd zones of a major event: seen by its participants, not by others', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-crowd-events-'));
  const vigil = await serveVigil({
    ...loadConfig({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_LOG_LEVEL: 'silent', VIGIL_ROUTING_OSM: 'off' }),
    dataDir,
    port: 0,
    host: '127.0.0.1',
  });
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
  } finally {
    await vigil.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
