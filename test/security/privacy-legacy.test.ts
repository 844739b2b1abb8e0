import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openVigil, type Vigil } from '../../src/app.js';
import { loadConfig } from '../../src/kernel/config.js';
import { ManualClock } from '../../src/kernel/time.js';
import { verifyChain } from '../../src/platform/chain-verifier.js';

/**
 * Logs written before retention carry personal data in clear. They must still
 * replay exactly; the retention job cannot shred what has no key, and says nothing
 * it cannot do (docs/privacy.md, "Logs written before retention").
 */
test('privacy: events written before sealing (plain caller, file, fixes, answer) replay as before; retention leaves them as they are; the chain verifies', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-privacy-legacy-'));
  const config = {
    ...loadConfig({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_LOG_LEVEL: 'silent', VIGIL_ROUTING_OSM: 'off', VIGIL_DATABASE_URL: '' }),
    dataDir: dir,
    demoOnEmpty: false,
  };
  const clock = new ManualClock(Date.now());
  let vigil: Vigil = await openVigil(config, { clock });
  try {
    const at = new Date(clock.now()).toISOString();
    const incident = {
      incidentId: 'inc_old',
      reference: 'INC-0001',
      type: 'fire',
      priority: 1,
      title: 'Old fire',
      description: '',
      location: { position: [7.42, 43.73], address: null, siteId: null, siteName: null },
      source: 'call',
      caller: { name: 'Old Caller', phone: '+37790000000' },
      status: 'new',
      orgId: 'org_a',
      originOrgId: 'org_a',
      ownerUserId: null,
      ownerName: null,
      createdAt: at,
      createdBy: 'user:x',
      alarmIds: [],
      alertIds: [],
      assignments: [],
      statusHistory: [{ status: 'new', at, by: 'user:x' }],
      resolution: null,
      closedAt: null,
    };
    const unit = {
      unitId: 'unit_old',
      callSign: 'OLD-1',
      kind: 'fire-engine',
      capabilities: ['fire-suppression'],
      orgId: 'org_a',
      homeSiteId: null,
      homePosition: [7.42, 43.73],
      crew: [],
    };
    await vigil.ctx.record([
      { type: 'incidents.incident.opened', subject: 'incident:inc_old', orgId: 'org_a', actor: 'user:x', data: { incident } },
      {
        type: 'incidents.attachment.stored',
        subject: 'incident:inc_old',
        orgId: 'org_a',
        actor: 'user:x',
        data: {
          attachmentId: 'att_old',
          name: 'note.txt',
          contentType: 'text/plain',
          bytes: 5,
          sha256: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
          incidentId: 'inc_old',
          base64: Buffer.from('hello').toString('base64'),
        },
      },
      { type: 'units.unit.registered', subject: 'unit:unit_old', orgId: 'org_a', actor: 'user:x', data: { unit } },
      {
        type: 'units.positions.recorded',
        subject: 'unit:unit_old',
        orgId: 'org_a',
        actor: 'device:avl:unit_old',
        data: { unitId: 'unit_old', fixes: [[clock.now(), 7.4251, 43.7333, null, null]] },
      },
      {
        type: 'alerts.delivery.acknowledged',
        subject: 'alert:alr_old',
        orgId: 'org_a',
        actor: 'public',
        data: { alertId: 'alr_old', recipientId: 'sub_old', answer: 'need-help' },
      },
    ]);
    await vigil.close();
    clock.advance(400 * 24 * 3600_000);
    vigil = await openVigil(config, { clock });
    const check = () => {
      assert.deepEqual(vigil.capabilities.incidents.service.state.incidents.get('inc_old')!.caller, { name: 'Old Caller', phone: '+37790000000' });
      assert.deepEqual(vigil.capabilities.units.service.state.units.get('unit_old')!.position!.position, [7.4251, 43.7333]);
      assert.deepEqual(
        vigil.capabilities.alerts.delivery.answersOf('alr_old').needHelp.map((h) => h.recipientId),
        ['sub_old'],
      );
      assert.equal(vigil.capabilities.incidents.service.state.attachments.get('att_old')!.name, 'note.txt');
    };
    check();
    // Nothing to shred: plain text written before sealing has no key.
    assert.deepEqual(await vigil.capabilities.privacy.service.runRetention(), {
      caller: 0,
      attachment: 0,
      avl: 0,
      answer: 0,
      subscriber: 0,
      reporter: 0,
      participant: 0,
    });
    check();
    assert.equal((await verifyChain(vigil.ctx.log)).ok, true);
  } finally {
    await vigil.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
