import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { serveVigil } from '../app.js';
import { signedIn } from '../../test/support/api-client.js';
import { loadConfig } from '../kernel/config.js';
import { CITIZEN_APP_API_KEY } from './contract.js';
import { SURGE_COUNT } from './reports-service.js';

test('a surge of citizen reports in one place raises one alarm for the operators (issue 16 item 6)', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-surge-'));
  const vigil = await serveVigil({
    ...loadConfig({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_LOG_LEVEL: 'silent' }),
    dataDir,
    port: 0,
    host: '127.0.0.1',
  });
  try {
    const post = (n: number, lat: number, lon: number, service = 'noise') =>
      vigil.server.app.inject({
        method: 'POST',
        url: '/open311/v2/requests.json',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          api_key: CITIZEN_APP_API_KEY,
          service_code: service,
          lat: String(lat),
          long: String(lon),
          device_id: `d${n}`,
        }).toString(),
      });
    const surges = () => [...vigil.capabilities.alarms.state.alarms.values()].filter((a) => a.title.includes('Surge of citizen reports') || a.kind === 'other');
    // Four reports in one street and one 1 km away: no surge.
    for (let i = 0; i < SURGE_COUNT - 1; i++) {
      const r = await post(i, 43.735 + i * 0.0001, 7.42);
      assert.equal(r.statusCode, 201, r.body);
    }
    assert.equal((await post(9, 43.744, 7.42)).statusCode, 201);
    assert.equal(surges().length, 0, 'four nearby and one far away are not a surge');
    // The fifth within 100 m: one alarm; a sixth and seventh join nothing new.
    assert.equal((await post(5, 43.7354, 7.4201, 'graffiti')).statusCode, 201);
    assert.equal(surges().length, 1);
    assert.equal((await post(6, 43.7352, 7.4199)).statusCode, 201);
    assert.equal((await post(7, 43.7351, 7.42)).statusCode, 201);
    assert.equal(surges().length, 1, 'one alarm per place and window');
    const alarm = surges()[0]!;
    // Owned by the organisation responsible for the report that tipped it over (graffiti: the city's services).
    const cityServices = vigil.capabilities.citizenReports.service.responsibleOrg('city')!.id;
    assert.deepEqual([alarm.status, alarm.orgId], ['new', cityServices]);
    // A surge tipped over by a noise report goes to the police, whose command room sees it in its queue.
    for (let i = 0; i < SURGE_COUNT; i++) assert.equal((await post(20 + i, 43.738 + i * 0.0001, 7.423)).statusCode, 201);
    const police = surges().find((a) => a.alarmId !== alarm.alarmId)!;
    assert.equal(police.orgId, vigil.capabilities.citizenReports.service.responsibleOrg('police')!.id);
    const operator = await signedIn(vigil, 'commander');
    const queue = (await operator('GET', '/api/alarms')).json as { alarms: { alarmId: string }[] };
    assert.ok(
      queue.alarms.some((a) => a.alarmId === police.alarmId),
      'in the police command room queue',
    );
  } finally {
    await vigil.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
