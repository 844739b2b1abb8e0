import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { serveVigil } from '../app.js';
import { loadConfig } from '../kernel/config.js';
import { flood } from '../../test/support/alert-fixtures.js';
import { signedIn } from '../../test/support/api-client.js';
import { until } from '../../test/support/until.js';
import { wantsDemoSinks } from './demo-sinks.js';

const env = { VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_LOG_LEVEL: 'silent' };

test('a demo node starts its own SMTP sink and SMSC: e-mail and SMS alerts are delivered and tracked, the inboxes are for admins only', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-demo-sinks-'));
  const vigil = await serveVigil({ ...loadConfig(env), dataDir: dir, port: 0, host: '127.0.0.1' });
  try {
    assert.ok(vigil.demoSinks, 'a fresh demo folder on loopback has the sinks');
    assert.match(vigil.ctx.config.smtpUrl ?? '', /^smtp:\/\/127\.0\.0\.1:\d+$/);
    assert.match(vigil.ctx.config.smppUrl ?? '', /^smpp:\/\/vigil:[0-9a-f]{8}@127\.0\.0\.1:\d+$/);
    assert.ok(existsSync(join(dir, 'demo-sinks')), 'the folder is marked so that a restart starts them again');

    // Before approving: the reach of the flood alert over Fontvieille, per channel.
    const author = await signedIn(vigil, 'alert-officer');
    const approver = await signedIn(vigil, 'duty-officer');
    const { json } = await author('POST', '/api/alerts', { ...flood, channels: ['email', 'sms', 'sirens', 'cell-broadcast', 'cap-feed'] });
    const alertId = json.alert.alertId as string;
    const reach = (await approver('GET', `/api/alerts/${alertId}/reach`)).json.reach;
    assert.ok(reach.residents > 0, `residents in Fontvieille: ${reach.residents}`);
    assert.ok(reach.buildings > 0);
    const of = (c: string) => reach.channels.find((x: { channel: string }) => x.channel === c);
    assert.ok(of('email').count > 0 && of('email').selected && of('email').unavailable === null, JSON.stringify(of('email')));
    assert.ok(of('sms').count > 0 && of('sms').unavailable === null, JSON.stringify(of('sms')));
    assert.equal(of('push').selected, false);
    assert.ok(of('sirens').count > 0, 'sirens in Fontvieille');
    assert.equal(of('cap-feed').count, null);
    assert.ok(reach.subscribers >= of('email').count);
    assert.equal((await (await signedIn(vigil, 'nobody'))('GET', `/api/alerts/${alertId}/reach`)).status, 401);

    await author('POST', `/api/alerts/${alertId}/submit`);
    assert.equal((await approver('POST', `/api/alerts/${alertId}/approve`)).status, 200);
    const progress = () => vigil.capabilities.alerts.delivery.of(alertId);
    await until(() => ['email', 'sms'].every((c) => progress().find((p) => p.channel === c)?.status === 'done'), 'e-mail and SMS to finish');
    for (const channel of ['email', 'sms']) {
      const p = progress().find((x) => x.channel === channel)!;
      assert.equal(p.queued, of(channel).count, `${channel}: the estimate is what delivery queued`);
      assert.deepEqual([p.sent, p.failed], [p.queued, 0], channel);
    }
    // The SMSC's receipts come back: SMS reads delivered, as with an operator.
    await until(() => (progress().find((p) => p.channel === 'sms')?.delivered ?? 0) >= of('sms').count, 'SMS delivery receipts');

    const admin = await signedIn(vigil, 'admin');
    const inbox = await admin('GET', '/api/demo/inbox?limit=500');
    assert.equal(inbox.status, 200);
    assert.equal(inbox.json.running, true);
    assert.equal(inbox.json.mail.length, of('email').count);
    assert.ok(inbox.json.mail.some((m: { subject: string }) => m.subject === 'Crue rapide à Fontvieille'));
    assert.ok(inbox.json.sms.length >= of('sms').count);
    assert.ok(inbox.json.sms.every((m: { to: string; text: string }) => m.to && m.text));
    assert.equal((await author('GET', '/api/demo/inbox')).status, 403, 'only administrators read the inboxes');
  } finally {
    await vigil.close();
  }
  // A restart of the same folder starts them again; an installation's own folder never gets them unasked.
  assert.equal(wantsDemoSinks({ ...loadConfig(env), dataDir: dir, host: '127.0.0.1' }), true);
  rmSync(join(dir, 'demo-sinks'));
  assert.equal(wantsDemoSinks({ ...loadConfig(env), dataDir: dir, host: '127.0.0.1' }), false, 'a used store without the marker');
  assert.equal(wantsDemoSinks({ ...loadConfig({ ...env, VIGIL_DEMO: 'false' }), dataDir: join(dir, 'new') }), false);
  assert.equal(
    wantsDemoSinks({
      ...loadConfig({ ...env, VIGIL_SMTP_URL: 'smtp://mail.example.org', VIGIL_SMPP_URL: 'smpp://a:b@smsc.example.org' }),
      dataDir: join(dir, 'new'),
    }),
    false,
  );
  assert.equal(wantsDemoSinks({ ...loadConfig({ ...env, VIGIL_DEMO_SINKS: 'false' }), dataDir: join(dir, 'new') }), false);
  rmSync(dir, { recursive: true, force: true });
});
