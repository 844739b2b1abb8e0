import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { serveVigil } from '../app.js';
import { parseKey } from '../adapters/protocols/dc09/dc09-crypto.js';
import { signalFrame } from '../adapters/protocols/dc09/dc09-reply.js';
import { loadConfig } from '../kernel/config.js';
import { dc09Panel } from '../../test/support/dc09-panel.js';
import { signedIn } from '../../test/support/api-client.js';
import { until } from '../../test/support/until.js';

const KEY = '00112233445566778899AABBCCDDEEFF';
const OTHER_KEY = 'FFEEDDCCBBAA99887766554433221100';

test("csirt: Vigil's own signals — a panel answering with another key, a plaintext substitution, a replayed frame, a refused MQTT client — become security events and alerts for the panel's owner and the CSIRT", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-csirt-signals-'));
  const vigil = await serveVigil({
    ...loadConfig({ VIGIL_DC09_PORT: '0', VIGIL_MQTT_EMBEDDED_PORT: '0', VIGIL_LOG_LEVEL: 'silent', VIGIL_ROUTING_OSM: 'off' }),
    dataDir,
    port: 0,
    host: '127.0.0.1',
  });
  try {
    const state = vigil.capabilities.csirt.service.state;
    const panel = [...vigil.capabilities.city.service.state.devices.values()].find((d) => d.kind === 'alarm-panel' && d.account)!;
    const account = panel.account!;
    await vigil.capabilities.alarms.plans.configureAccount({ account, key: KEY }, 'system');
    const p = dc09Panel(vigil.capabilities.alarms.receiver.tcpPort!);
    await p.ready;
    const now = Date.now();
    // Another key: the receiver cannot decrypt (DUH), counts it; the desk raises "a panel answering with a new key".
    assert.match(await p.reply(signalFrame({ id: 'SIA-DCS', seq: 1, account, data: 'Nri1/BA001', key: parseKey(OTHER_KEY)!, now })), /DUH/);
    // Plaintext for a keyed account: a substitution attempt (recorded by alarms, read by the desk).
    assert.match(await p.reply(signalFrame({ id: 'SIA-DCS', seq: 2, account, data: 'Nri1/BA002', now })), /DUH/);
    // The same encrypted frame twice is a resend (its ACK was lost): ACKed again, nothing more.
    // Other bytes under the same sequence and timestamp are a replay.
    const frame = signalFrame({ id: 'SIA-DCS', seq: 3, account, data: 'Nri1/BA003', key: parseKey(KEY)!, now });
    assert.match(await p.reply(frame), /ACK/);
    assert.match(await p.reply(frame), /ACK/);
    assert.match(await p.reply(signalFrame({ id: 'SIA-DCS', seq: 3, account, data: 'Nri1/BA004', key: parseKey(KEY)!, now })), /NAK/);
    p.close();
    // A client with a wrong credential on the embedded broker.
    await mqtt
      .connectAsync(`mqtt://127.0.0.1:${vigil.capabilities.alarms.receiver.mqttPort}`, {
        username: 'nobody',
        password: 'wrong',
        reconnectPeriod: 0,
        connectTimeout: 3000,
      })
      .then(
        (c) => c.end(),
        () => undefined,
      );

    await until(
      () => ['dc09-wrong-key', 'dc09-substitution', 'dc09-replay', 'mqtt-refused'].every((k) => state.recent.some((e) => e.kind === k)),
      'the four signals as security events',
      15_000,
    );
    const wrongKey = state.recent.find((e) => e.kind === 'dc09-wrong-key')!;
    assert.equal(wrongKey.account, account);
    assert.equal(wrongKey.deviceId, panel.id);
    assert.equal(wrongKey.orgId, panel.orgId);
    assert.equal(wrongKey.srcIp, '127.0.0.1');
    assert.equal(state.recent.find((e) => e.kind === 'mqtt-refused')!.srcIp?.replace('::ffff:', ''), '127.0.0.1');
    await until(() => state.pending.size === 0 && [...state.alerts.values()].some((a) => a.rule === 'dc09-new-key'), 'alerts written', 10_000);
    const rules = new Set([...state.alerts.values()].map((a) => a.rule));
    assert.ok(rules.has('dc09-new-key') && rules.has('dc09-substitution'), [...rules].join());
    const newKey = [...state.alerts.values()].find((a) => a.rule === 'dc09-new-key')!;
    assert.equal(newKey.orgId, panel.orgId, "the alert belongs to the panel's owner");

    // The panel's owner (the monitoring centre's supervisor) sees it; the CSIRT too.
    const supervisor = await signedIn(vigil, 'supervisor');
    const theirs = (await supervisor('GET', '/api/csirt/alerts')).json.alerts as { alertId: string; orgId: string | null }[];
    assert.ok(theirs.some((a) => a.alertId === newKey.alertId));
    assert.ok(
      theirs.every((a) => a.orgId === panel.orgId),
      'only its own organisation’s alerts',
    );
    const csirt = await signedIn(vigil, 'csirt');
    assert.ok(((await csirt('GET', '/api/csirt/alerts')).json.alerts as { alertId: string }[]).some((a) => a.alertId === newKey.alertId));
  } finally {
    await vigil.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
