import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Dc09Framer } from '../../adapters/protocols/dc09/dc09-framer.js';
import { frameOf } from '../../adapters/protocols/dc09/dc09-reply.js';
import { openVigil } from '../../app.js';
import { loadConfig } from '../../kernel/config.js';
import type { Signal } from '../model.js';

/** The signal a frame becomes, field by field (built directly on the hot path, keys in canonical order). */
test('dc09 ingest: every field of the signals of a SIA frame with x-data and of a Contact ID restore', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-dc09sig-'));
  const vigil = await openVigil({
    ...loadConfig({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_LOG_LEVEL: 'silent', VIGIL_DEMO: 'false' }),
    dataDir: dir,
  });
  try {
    const ingest = vigil.capabilities.alarms.ingest.dc09;
    const send = async (body: string): Promise<void> => {
      const frame = new Dc09Framer().push(frameOf(body)).frames[0]!;
      assert.match((await ingest.handleDc09(frame, 'test'))!.toString('latin1'), /"ACK"/);
    };
    await send('"SIA-DCS"0002L0#C0D1[#C0D1|Nri1/BA012][X7.4246][Y43.7384][IKitchen door]');
    await send('"ADM-CID"0003L0#C0D2[#C0D2|3602 01 015]');
    const signals = (await vigil.ctx.log.read({ typePrefixes: ['alarms.signal.received'] })).map((e) => (e.data as { signal: Signal }).signal);
    for (const s of signals) {
      assert.match(s.signalId, /^sig/);
      assert.ok(!Number.isNaN(Date.parse(s.receivedAt)));
    }
    const rest = signals.map(({ signalId: _id, receivedAt: _at, ...s }) => s);
    assert.deepEqual(rest, [
      {
        account: 'C0D1',
        area: '1',
        code: 'BA',
        description: rest[0]!.description,
        deviceId: null,
        flags: ['no-timestamp', 'unknown-account'].filter((f) => rest[0]!.flags.includes(f)),
        kind: 'burglary',
        occurredAt: null,
        phase: 'alarm',
        position: [7.4246, 43.7384],
        protocol: 'sia-dcs',
        siteId: null,
        text: 'Kitchen door',
        user: null,
        zone: '012',
      },
      {
        account: 'C0D2',
        area: '01',
        code: '602',
        description: rest[1]!.description,
        deviceId: null,
        flags: rest[1]!.flags,
        kind: rest[1]!.kind,
        occurredAt: null,
        phase: rest[1]!.phase,
        position: null,
        protocol: 'contact-id',
        siteId: null,
        text: null,
        user: null,
        zone: rest[1]!.zone,
      },
    ]);
    assert.ok(rest[0]!.flags.includes('unknown-account'));
    assert.ok(rest[1]!.flags.includes('previously-reported') === false);
    assert.ok(rest[1]!.flags.includes('unknown-account'));
  } finally {
    await vigil.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
