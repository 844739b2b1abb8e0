import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { serveVigil } from '../app.js';
import { loadConfig } from '../kernel/config.js';
import { flood } from '../../test/support/alert-fixtures.js';
import { signedIn } from '../../test/support/api-client.js';
import { until } from '../../test/support/until.js';
import { signWebhook, verifyWebhook } from './index.js';

interface Hit {
  path: string;
  deliveryId: string;
  event: string;
  signature: string;
  raw: string;
}

/** A receiver on loopback keeping every POST's raw body and signature header, answering 204. */
async function startReceiver() {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({
        path: req.url ?? '',
        deliveryId: String(req.headers['vigil-delivery']),
        event: String(req.headers['vigil-event']),
        signature: String(req.headers['vigil-signature'] ?? ''),
        raw: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const verifies = (secret: string, h: Hit) => verifyWebhook(secret, h.signature, h.raw, Math.floor(Date.now() / 1000));
const v1Count = (h: Hit) => h.signature.split(',').filter((p) => p.startsWith('v1=')).length;

test('a rotated secret: the header carries a v1 per secret during the grace, any one verifies, a foreign one does not', () => {
  const t = 1_764_857_123;
  const header = signWebhook(['new-secret-0123456789', 'old-secret-0123456789'], t, '{"a":1}');
  assert.equal(header.split(',').length, 3);
  assert.ok(verifyWebhook('new-secret-0123456789', header, '{"a":1}', t));
  assert.ok(verifyWebhook('old-secret-0123456789', header, '{"a":1}', t));
  assert.equal(verifyWebhook('another-secret-012345', header, '{"a":1}', t), false);
  assert.equal(verifyWebhook('old-secret-0123456789', header, '{"a":2}', t), false, 'over its own body only');
  assert.equal(signWebhook('s', t, 'b'), signWebhook(['s'], t, 'b'), 'one secret: the header as before');
});

test('managing webhooks: edit, pause (nothing of the pause is ever sent), rotate with a grace period, delivery log and resend — event and CAP webhooks, each change audited', async () => {
  const receiver = await startReceiver();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-webhooks-manage-'));
  const vigil = await serveVigil({
    ...loadConfig({
      VIGIL_DC09_PORT: 'off',
      VIGIL_MQTT_EMBEDDED_PORT: 'off',
      VIGIL_LOG_LEVEL: 'silent',
      VIGIL_WEBHOOK_ALLOW_PRIVATE: 'true',
      VIGIL_WEBHOOK_RETRY_MS: '20,20',
    }),
    dataDir: dir,
    port: 0,
    host: '127.0.0.1',
  });
  try {
    const admin = await signedIn(vigil, 'admin');
    const commander = await signedIn(vigil, 'commander');
    const officer = await signedIn(vigil, 'alert-officer');
    const second = await signedIn(vigil, 'duty-officer');
    const hitsAt = (path: string) => receiver.hits.filter((h) => h.path === path);
    const incident = async (description: string) => {
      const r = await commander('POST', '/api/incidents', { type: 'fire', position: [7.4246, 43.7384], source: 'call', description });
      assert.equal(r.status, 201, r.body);
      return r.json.incident.incidentId as string;
    };

    // --- Event webhooks ---
    const created = await admin('POST', '/api/webhooks', {
      name: 'Hub',
      description: 'the regional hub',
      url: `${receiver.base}/a`,
      eventTypes: ['incidents.incident.opened'],
      roles: ['commander'],
    });
    assert.equal(created.status, 201, created.body);
    const id = created.json.subscription.subscriptionId as string;
    const firstSecret = created.json.secret as string;
    assert.equal(created.json.subscription.description, 'the regional hub');

    // Edit: refused with a clear error when wrong; a new URL takes the next deliveries.
    assert.equal((await admin('PATCH', `/api/webhooks/${id}`, {})).status, 400, 'an edit changes something');
    assert.equal((await admin('PATCH', `/api/webhooks/${id}`, { url: 'ftp://example.org/x' })).status, 400);
    assert.equal((await admin('PATCH', `/api/webhooks/${id}`, { eventTypes: ['identity.user.created'] })).status, 400);
    assert.equal((await commander('PATCH', `/api/webhooks/${id}`, { name: 'x' })).status, 403, 'administrators only');
    const edited = await admin('PATCH', `/api/webhooks/${id}`, { url: `${receiver.base}/b`, name: 'Hub B', description: 'moved' });
    assert.equal(edited.status, 200, edited.body);
    assert.deepEqual(
      [edited.json.subscription.url, edited.json.subscription.name, edited.json.subscription.description],
      [`${receiver.base}/b`, 'Hub B', 'moved'],
    );
    // Exact event types are kept as chosen, across topics (the screen edits them one by one, not by topic).
    const exact = ['incidents.incident.opened', 'incidents.unit.dispatched', 'csirt.case.closed'];
    assert.deepEqual((await admin('PATCH', `/api/webhooks/${id}`, { eventTypes: exact })).json.subscription.eventTypes, exact);
    const listedExact = (await admin('GET', '/api/webhooks')).json.subscriptions.find((s: { subscriptionId: string }) => s.subscriptionId === id);
    assert.deepEqual(listedExact.eventTypes, exact, 'no type added or dropped');
    await admin('PATCH', `/api/webhooks/${id}`, { eventTypes: ['incidents.incident.opened'] });
    const one = await incident('after the edit');
    await until(() => hitsAt('/b').length === 1, 'delivered to the new URL');
    assert.ok(hitsAt('/b')[0]!.raw.includes(one) && verifies(firstSecret, hitsAt('/b')[0]!), 'the secret stays across an edit');
    assert.equal(hitsAt('/a').length, 0);

    // Pause: an incident opened while paused is never sent, not even after resuming.
    const paused = await admin('POST', `/api/webhooks/${id}/pause`);
    assert.equal(paused.json.subscription.paused, true);
    const whilePaused = await incident('while paused');
    const resumed = await admin('POST', `/api/webhooks/${id}/resume`);
    assert.equal(resumed.json.subscription.paused, false);
    const afterResume = await incident('after resuming');
    await until(() => hitsAt('/b').some((h) => h.raw.includes(afterResume)), 'delivered after resuming');
    assert.ok(!hitsAt('/b').some((h) => h.raw.includes(whilePaused)), 'the event of the pause is not sent');

    // Rotate: the new secret shown once; during the grace both sign; with no grace, only the new one.
    const rotated = await admin('POST', `/api/webhooks/${id}/rotate-secret`, { graceHours: 2 });
    assert.equal(rotated.status, 200, rotated.body);
    const secondSecret = rotated.json.secret as string;
    assert.notEqual(secondSecret, firstSecret);
    assert.ok(rotated.json.subscription.previousSecretUntil, `the grace period is shown: ${rotated.body}`);
    assert.ok(!(await admin('GET', '/api/webhooks')).body.includes(secondSecret), 'never shown again');
    const duringGrace = await incident('during the grace');
    await until(() => hitsAt('/b').some((h) => h.raw.includes(duringGrace)), 'delivered during the grace');
    const graceHit = hitsAt('/b').find((h) => h.raw.includes(duringGrace))!;
    assert.equal(v1Count(graceHit), 2);
    assert.ok(verifies(secondSecret, graceHit) && verifies(firstSecret, graceHit), 'old and new secret both verify');
    assert.equal((await admin('POST', `/api/webhooks/${id}/rotate-secret`, { graceHours: 1000 })).status, 400, 'a week at most');
    const third = await admin('POST', `/api/webhooks/${id}/rotate-secret`, { graceHours: 0 });
    const thirdSecret = third.json.secret as string;
    assert.equal(third.json.subscription.previousSecretUntil, null);
    const afterGrace = await incident('no grace');
    await until(() => hitsAt('/b').some((h) => h.raw.includes(afterGrace)), 'delivered after the rotation');
    const lastHit = hitsAt('/b').find((h) => h.raw.includes(afterGrace))!;
    assert.equal(v1Count(lastHit), 1);
    assert.ok(verifies(thirdSecret, lastHit) && !verifies(secondSecret, lastHit));

    // The delivery log and resend: the same delivery id, one more POST, a resend line in the log.
    await until(async () => (await admin('GET', `/api/webhooks/${id}/deliveries`)).json.deliveries.length >= 4, 'the log');
    const log = (await admin('GET', `/api/webhooks/${id}/deliveries`)).json.deliveries as { deliveryId: string; outcome: string; status: number }[];
    assert.ok(log.every((d) => d.outcome === 'delivered' && d.status === 204));
    const target = log.find((d) => hitsAt('/b').some((h) => h.deliveryId === d.deliveryId && h.raw.includes(one)))!;
    const before = hitsAt('/b').length;
    const resent = await admin('POST', `/api/webhooks/${id}/deliveries/${target.deliveryId}/resend`);
    assert.equal(resent.status, 200, resent.body);
    assert.equal(resent.json.delivery.outcome, 'delivered');
    assert.equal(hitsAt('/b').length, before + 1);
    const again = hitsAt('/b').at(-1)!;
    assert.ok(again.deliveryId === target.deliveryId && again.raw.includes(one) && verifies(thirdSecret, again));
    assert.equal((await admin('POST', `/api/webhooks/${id}/deliveries/whd_nope/resend`)).status, 404);
    const afterResend = (await admin('GET', `/api/webhooks/${id}/deliveries`)).json.deliveries as { resend?: boolean }[];
    assert.equal(afterResend[0]!.resend, true);

    // --- CAP webhooks: the same actions ---
    const reg = await officer('POST', '/api/alerts/webhooks', { name: 'CAP hub', url: `${receiver.base}/cap`, events: ['issued'], format: 'json' });
    assert.equal(reg.status, 201, reg.body);
    const hook = reg.json.webhook.webhookId as string;
    const capSecret = reg.json.secret as string;
    const issue = async (headline: string) => {
      const { json } = await officer('POST', '/api/alerts', {
        ...flood,
        info: flood.info.map((i) => ({ ...i, headline })),
        channels: ['webhook'],
      });
      await officer('POST', `/api/alerts/${json.alert.alertId}/submit`);
      await second('POST', `/api/alerts/${json.alert.alertId}/approve`);
      const done = () => vigil.capabilities.alerts.delivery.of(json.alert.alertId).find((p) => p.channel === 'webhook')?.status === 'done';
      await until(done, `alert "${headline}" sent`);
      return json.alert.alertId as string;
    };
    assert.equal((await officer('PATCH', `/api/alerts/webhooks/${hook}`, { events: [] })).status, 400);
    const capEdited = await officer('PATCH', `/api/alerts/webhooks/${hook}`, { url: `${receiver.base}/cap2`, description: 'moved' });
    assert.equal(capEdited.status, 200, capEdited.body);
    assert.equal(capEdited.json.webhook.description, 'moved');
    const a1 = await issue('First');
    assert.equal(hitsAt('/cap2').length, 1);
    assert.ok(hitsAt('/cap2')[0]!.raw.includes(a1) && verifies(capSecret, hitsAt('/cap2')[0]!));
    assert.equal((await officer('POST', `/api/alerts/webhooks/${hook}/pause`)).json.webhook.paused, true);
    await issue('While paused');
    assert.equal(hitsAt('/cap2').length, 1, 'a paused endpoint gets nothing');
    await officer('POST', `/api/alerts/webhooks/${hook}/resume`);
    const capRotated = await officer('POST', `/api/alerts/webhooks/${hook}/rotate-secret`, {});
    const a3 = await issue('After the rotation');
    const capHit = hitsAt('/cap2').at(-1)!;
    assert.ok(capHit.raw.includes(a3));
    assert.equal(v1Count(capHit), 2);
    assert.ok(verifies(capSecret, capHit) && verifies(capRotated.json.secret, capHit), 'both secrets during the default grace');
    const capLog = (await officer('GET', `/api/alerts/webhooks/${hook}/deliveries`)).json.deliveries as {
      deliveryId: string;
      alertId: string;
      outcome: string;
    }[];
    assert.deepEqual(
      capLog.map((d) => [d.alertId, d.outcome]),
      [
        [a3, 'delivered'],
        [a1, 'delivered'],
      ],
    );
    const capResent = await officer('POST', `/api/alerts/webhooks/${hook}/deliveries/${capLog[1]!.deliveryId}/resend`);
    assert.equal(capResent.status, 200, capResent.body);
    assert.ok(hitsAt('/cap2').at(-1)!.raw.includes(a1) && hitsAt('/cap2').at(-1)!.deliveryId === capLog[1]!.deliveryId);
    const capTest = await officer('POST', `/api/alerts/webhooks/${hook}/test`);
    assert.equal(capTest.json.delivery.event, 'webhook.test');
    assert.equal(hitsAt('/cap2').at(-1)!.event, 'webhook.test');
    const listed = await officer('GET', '/api/alerts/webhooks');
    assert.deepEqual([listed.json.webhooks[0].delivered, listed.json.webhooks[0].failed], [4, 0]);

    // Every change is in the audit trail, with who made it; no secret there.
    const auditor = await signedIn(vigil, 'csirt');
    const events = (await auditor('GET', '/api/audit?typePrefix=webhooks.subscription.&limit=100')).json.entries as { type: string; actor: string }[];
    for (const type of ['updated', 'paused', 'resumed', 'secret-rotated'])
      assert.ok(
        events.some((e) => e.type === `webhooks.subscription.${type}` && e.actor !== 'system'),
        `webhooks.subscription.${type} audited`,
      );
    const capAudit = await auditor('GET', '/api/audit?typePrefix=alerts.webhook.&limit=100');
    for (const type of ['updated', 'paused', 'resumed', 'secret-rotated', 'delivered']) assert.ok(capAudit.body.includes(`alerts.webhook.${type}`), type);
    for (const s of [firstSecret, secondSecret, thirdSecret, capSecret, capRotated.json.secret as string]) {
      assert.ok(!capAudit.body.includes(s), 'no secret in the audit trail');
      assert.ok(!(await auditor('GET', '/api/audit?typePrefix=webhooks.&limit=200')).body.includes(s), 'no secret in the audit trail');
    }
  } finally {
    await vigil.close();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
