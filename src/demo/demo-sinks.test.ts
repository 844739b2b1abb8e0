import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { serveVigil } from '../app.js';
import { loadConfig } from '../kernel/config.js';
import { flood } from '../../test/support/alert-fixtures.js';
import { DEMO_REPORTS } from './demo-reports.js';
import { signedIn } from '../../test/support/api-client.js';
import { until } from '../../test/support/until.js';
import { wantsDemoSinks } from './demo-sinks.js';

const env = { VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_LOG_LEVEL: 'silent' };

test('a demo node starts its own SMTP sink, SMSC and CBC: e-mail, SMS and cell-broadcast alerts are delivered and tracked, the inboxes are for admins only', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-demo-sinks-'));
  const vigil = await serveVigil({ ...loadConfig(env), dataDir: dir, port: 0, host: '127.0.0.1' });
  try {
    assert.ok(vigil.demoSinks, 'a fresh demo folder on loopback has the sinks');
    assert.match(vigil.ctx.config.smtpUrl ?? '', /^smtp:\/\/127\.0\.0\.1:\d+$/);
    assert.match(vigil.ctx.config.smppUrl ?? '', /^smpp:\/\/vigil:[0-9a-f]{8}@127\.0\.0\.1:\d+$/);
    assert.match(vigil.ctx.config.cbcUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+\/cbc$/);
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
    assert.ok(of('cell-broadcast').count > 0 && of('cell-broadcast').unavailable === null, JSON.stringify(of('cell-broadcast')));
    assert.equal(of('cap-feed').count, null);
    assert.ok(reach.subscribers >= of('email').count);
    assert.equal((await (await signedIn(vigil, 'nobody'))('GET', `/api/alerts/${alertId}/reach`)).status, 401);

    await author('POST', `/api/alerts/${alertId}/submit`);
    assert.equal((await approver('POST', `/api/alerts/${alertId}/approve`)).status, 200);
    const progress = () => vigil.capabilities.alerts.delivery.of(alertId);
    await until(
      () => ['email', 'sms', 'cell-broadcast'].every((c) => progress().find((p) => p.channel === c)?.status === 'done'),
      'e-mail, SMS and cell broadcast to finish',
    );
    // Cell broadcast: one CBS message per language for every cell covering Fontvieille, all taken by the demo CBC.
    const cb = progress().find((x) => x.channel === 'cell-broadcast')!;
    assert.ok(cb.queued > 0 && cb.queued % 2 === 0, `two languages × cells: ${cb.queued}`);
    assert.deepEqual([cb.sent, cb.failed], [cb.queued, 0], 'cell broadcast');
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
    // The demo's citizen reporters are told of their reports' fate by e-mail too: the alert's mail is the rest.
    const reporters = new Set(DEMO_REPORTS.flatMap((r) => (r.reporter?.email ? [r.reporter.email] : [])));
    const alertMail = inbox.json.mail.filter((m: { to: string[] }) => !m.to.some((to) => reporters.has(to)));
    assert.equal(alertMail.length, of('email').count);
    assert.ok(inbox.json.mail.some((m: { subject: string }) => m.subject === 'Crue rapide à Fontvieille'));
    assert.ok(inbox.json.sms.length >= of('sms').count);
    assert.ok(inbox.json.sms.every((m: { to: string; text: string }) => m.to && m.text));
    // The CBC decoded the pages it was given: the text phones show, per language, with the cells.
    const broadcasts = inbox.json.broadcasts as { operation: string; language: string; pages: string[]; cells: string[]; msgType: string }[];
    assert.deepEqual(broadcasts.map((b) => b.language).sort(), ['en-GB', 'fr-MC']);
    const fr = broadcasts.find((b) => b.language === 'fr-MC')!;
    assert.equal(fr.operation, 'write-replace');
    assert.equal(fr.msgType, 'Alert');
    assert.match(fr.pages.join(''), /^Crue rapide à Fontvieille \(Fontvieille\) Montez aux étages\./);
    assert.equal(fr.cells.length * 2, cb.queued);
    assert.ok(
      fr.cells.every((c) => /^001-01-/.test(c)),
      'the demo cells',
    );

    // The CBC refuses what is not a CBS request of the channel's shape, with the reason.
    const cbc = vigil.ctx.config.cbcUrl!;
    const bad = async (body: unknown) => {
      const r = await fetch(cbc, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return [r.status, ((await r.json()) as { error: string }).error];
    };
    assert.deepEqual(await bad({ operation: 'erase' }), [400, 'operation must be "write-replace" or "stop"']);
    const stop = {
      operation: 'stop',
      requestId: 'x',
      messageIdentifier: 4371,
      serialNumber: 0x4010,
      warningArea: { cells: ['001-01-1'] },
      cap: { identifier: 'a', msgType: 'Cancel' },
    };
    assert.deepEqual(await bad({ ...stop, messageIdentifier: 4352 }), [400, 'messageIdentifier must be a CMAS / EU-Alert channel (4370–4399)']);
    assert.deepEqual(await bad({ ...stop, warningArea: { cells: [] } }), [400, 'warningArea.cells must be a non-empty list of cell ids']);
    assert.match(
      String(
        (
          await bad({ ...stop, operation: 'write-replace', messageCode: 1, updateNumber: 0, language: 'en', dataCodingScheme: 1, contents: 'AA==', pages: 1 })
        )[1],
      ),
      /^contents: a CBS message has 1 to 15 pages, not 0$/,
    );
    assert.equal((await admin('GET', '/api/demo/inbox')).json.broadcasts.length, 2, 'refused requests are not recorded');
    assert.equal((await author('GET', '/api/demo/inbox')).status, 403, 'only administrators read the inboxes');
  } finally {
    await vigil.close();
  }
  // A restart of the same folder starts them again; an installation's own folder never gets them unasked.
  assert.equal(wantsDemoSinks({ ...loadConfig(env), dataDir: dir, host: '127.0.0.1' }), true);
  rmSync(join(dir, 'demo-sinks'));
  assert.equal(wantsDemoSinks({ ...loadConfig(env), dataDir: dir, host: '127.0.0.1' }), false, 'a used store without the marker');
  assert.equal(wantsDemoSinks({ ...loadConfig({ ...env, VIGIL_DEMO: 'false' }), dataDir: join(dir, 'new') }), false);
  const servers = { VIGIL_SMTP_URL: 'smtp://mail.example.org', VIGIL_SMPP_URL: 'smpp://a:b@smsc.example.org' };
  assert.equal(
    wantsDemoSinks({ ...loadConfig({ ...env, ...servers }), dataDir: join(dir, 'new') }),
    true,
    'a demo with its own SMTP server and SMSC but no CBC still gets the demo CBC',
  );
  assert.equal(wantsDemoSinks({ ...loadConfig({ ...env, ...servers, VIGIL_CBC_URL: 'https://cbc.example.org/cbs' }), dataDir: join(dir, 'new') }), false);
  assert.equal(wantsDemoSinks({ ...loadConfig({ ...env, VIGIL_DEMO_SINKS: 'false' }), dataDir: join(dir, 'new') }), false);
  rmSync(dir, { recursive: true, force: true });
});
