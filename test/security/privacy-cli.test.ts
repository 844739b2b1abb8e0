import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openVigil } from '../../src/app.js';
import { loadConfig, repoRoot } from '../../src/kernel/config.js';
import { ManualClock } from '../../src/kernel/time.js';

const cli = (dataDir: string, args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [join(repoRoot, 'bin', 'vigil.js'), ...args], {
    env: { ...process.env, VIGIL_DATA_DIR: dataDir, VIGIL_LOG_LEVEL: 'silent', VIGIL_DATABASE_URL: '', VIGIL_ROUTING_OSM: 'off', ...env },
    encoding: 'utf8',
  });

test('vigil retention run: erases what is past its period (VIGIL_RETENTION_*_DAYS, 0 keeps), the node reads it erased, audit verify passes', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-retention-cli-'));
  try {
    const config = {
      ...loadConfig({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_LOG_LEVEL: 'silent', VIGIL_ROUTING_OSM: 'off', VIGIL_DATABASE_URL: '' }),
      dataDir,
      demoOnEmpty: false,
    };
    // A call taken 100 days ago.
    const vigil = await openVigil(config, { clock: new ManualClock(Date.now() - 100 * 24 * 3600_000) });
    const principal = {
      kind: 'user' as const,
      actor: 'user:calltaker',
      userId: 'usr_calltaker',
      orgId: 'org_a',
      roles: ['operator' as const],
      authLevel: 1 as const,
      displayName: 'Call Taker',
      visibleOrgIds: new Set(['org_a']),
      actableOrgIds: new Set(['org_a']),
      platformOrg: false,
    };
    const incident = await vigil.capabilities.incidents.service.create(
      { type: 'fire', position: [7.42, 43.73], source: 'call', caller: { name: 'Old Caller', phone: '+37790000001' } },
      principal,
    );
    await vigil.close();

    const kept = cli(dataDir, ['retention', 'run'], { VIGIL_RETENTION_CALLER_DAYS: '0' });
    assert.equal(kept.status, 0, kept.stderr);
    assert.match(kept.stdout, /caller\s+until erased: 0 record\(s\) erased/);
    const run = cli(dataDir, ['retention', 'run']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /caller\s+90 days: 1 record\(s\) erased/);
    assert.equal(cli(dataDir, ['retention', 'frobnicate']).status, 2);

    const again = await openVigil(config);
    try {
      assert.deepEqual(again.capabilities.incidents.service.state.incidents.get(incident.incidentId)!.caller, {
        name: '[erased: retention]',
        phone: '[erased: retention]',
      });
    } finally {
      await again.close();
    }
    const verify = cli(dataDir, ['audit', 'verify']);
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
