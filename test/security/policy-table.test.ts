import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { serveVigil } from '../../src/app.js';
import { loadConfig } from '../../src/kernel/config.js';
import { seedWorld } from './policy-fixtures.js';

test('seed', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-table-'));
  const vigil = await serveVigil({
    ...loadConfig({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_LOG_LEVEL: 'silent', VIGIL_DEMO: 'false' }),
    dataDir,
    port: 0,
    host: '127.0.0.1',
  });
  try {
    const t0 = Date.now();
    const w = await seedWorld(vigil);
    console.log('seeded in', Date.now() - t0, JSON.stringify(w.owned.fire));
  } finally {
    await vigil.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
