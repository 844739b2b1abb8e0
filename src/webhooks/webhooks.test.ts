import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { serveVigil, type RunningVigil } from '../app.js';
import { loadConfig } from '../kernel/config.js';
import { signedIn } from '../../test/support/api-client.js';
import { until } from '../../test/support/until.js';
import { verifyWebhook } from './index.js';

interface Hit {
  path: string;
  status: number;
  deliveryId: string;
  event: string;
  signatureOk: boolean;
  body: { event: string; seq: number; deliveryId: string; data: Record<string, unknown> };
}

/** A real HTTP receiver on loopback: verifies each POST's signature the documented way, answers as told per path. */
async function startReceiver(secrets: Map<string, string>) {
  const hits: Hit[] = [];
  const failNext = new Map<string, number>();
  const down = new Set<string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '';
      const signatureOk = verifyWebhook(secrets.get(path) ?? '', String(req.headers['vigil-signature'] ?? ''), raw, Math.floor(Date.now() / 1000));
      const left = failNext.get(path) ?? 0;
      let status = signatureOk ? 204 : 401;
      if (down.has(path)) status = 503;
      else if (left > 0) {
        failNext.set(path, left - 1);
        status = 500;
      }
      hits.push({
        path,
        status,
        deliveryId: String(req.headers['vigil-delivery']),
        event: String(req.headers['vigil-event']),
        signatureOk,
        body: JSON.parse(raw) as Hit['body'],
      });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    failNext,
    down,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const open = (dataDir: string) =>
  serveVigil({
    ...loadConfig({
      VIGIL_DC09_PORT: 'off',
      VIGIL_MQTT_EMBEDDED_PORT: 'off',
      VIGIL_LOG_LEVEL: 'silent',
      VIGIL_WEBHOOK_ALLOW_PRIVATE: 'true',
      // The first retry soon, the next one far away: a delivery stays "retrying" across the restart below.
      VIGIL_WEBHOOK_RETRY_MS: '50,600000',
    }),
    dataDir,
    port: 0,
    host: '127.0.0.1',
  });

test('webhooks for every capability: signed, retried, policy-filtered (another organisation’s incident never delivered), durable across a restart', async () => {
  const secrets = new Map<string, string>();
  const receiver = await startReceiver(secrets);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-webhooks-all-'));
  let vigil: RunningVigil = await open(dir);
  try {
    const admin = await signedIn(vigil, 'admin');
    const operator = await signedIn(vigil, 'operator');
    const commander = await signedIn(vigil, 'commander'); // police
    assert.equal((await operator('GET', '/api/webhooks')).status, 403, 'only administrators manage webhooks');
    const topics = await admin('GET', '/api/webhooks/topics');
    assert.deepEqual(
      Object.keys(topics.json.topics).sort(),
      ['alarms', 'alerts', 'citizen-reports', 'cockpit', 'crowd', 'csirt', 'incidents', 'major-events', 'units'],
      'every capability can be subscribed to',
    );
    const base = { roles: ['commander'], eventTypes: ['incidents.incident.opened', 'incidents.message.posted'] };
    assert.equal((await admin('POST', '/api/webhooks', { ...base, url: `${receiver.base}/x`, eventTypes: ['identity.user.created'] })).status, 400);
    assert.equal((await admin('POST', '/api/webhooks', { ...base, url: 'ftp://example.org/x' })).status, 400);
    assert.equal((await admin('POST', '/api/webhooks', { ...base, url: 'http://u:p@example.org/x' })).status, 400);
    assert.equal((await admin('POST', '/api/webhooks', { ...base, url: `${receiver.base}/x`, roles: [] })).status, 400);

    // The city's subscription (it reads what the police and fire services share with it), through the API.
    const created = await admin('POST', '/api/webhooks', { ...base, name: 'City hub', url: `${receiver.base}/city` });
    assert.equal(created.status, 201, created.body);
    const cityId = created.json.subscription.subscriptionId as string;
    secrets.set('/city', created.json.secret);
    const listed = await admin('GET', '/api/webhooks');
    assert.equal(listed.json.subscriptions.length, 1);
    assert.ok(!listed.body.includes(created.json.secret) && !listed.body.includes('secretSealed'), 'the secret is never shown again');

    // The fire service's subscription: nobody shares incidents with it but the event organiser.
    const identity = vigil.capabilities.identity.service;
    const fireOrg = vigil.capabilities.identity.reads.orgs().find((o) => o.kind === 'fire')!.id;
    for (const [username, roles] of [
      ['fire-admin', ['admin']],
      ['fire-commander', ['commander']],
    ] as const)
      await identity.createUser({ username, orgId: fireOrg, roles: [...roles], displayName: username, password: 'vigil-demo-password-1' }, 'system');
    const fireAdmin = identity.resolvePrincipalOf('fire-admin');
    const fire = await vigil.capabilities.webhooks.service.create({ name: 'Fire CAD', url: `${receiver.base}/fire`, ...base }, fireAdmin);
    secrets.set('/fire', fire.secret);
    assert.equal(vigil.capabilities.webhooks.service.list(fireAdmin).length, 1, 'each organisation sees its own');

    // Test-send: one signed webhook.test, its answer in the delivery log.
    const t = await admin('POST', `/api/webhooks/${cityId}/test`);
    assert.equal(t.status, 200, t.body);
    assert.equal(t.json.delivery.outcome, 'delivered');
    assert.equal(t.json.delivery.status, 204);
    assert.deepEqual(
      receiver.hits.map((h) => [h.path, h.event, h.signatureOk]),
      [['/city', 'webhook.test', true]],
    );
    receiver.hits.length = 0;

    // A police incident (shared with the city, not with the fire service) and a fire incident.
    receiver.failNext.set('/city', 1);
    const police = await commander('POST', '/api/incidents', { type: 'fire', position: [7.4246, 43.7384], source: 'call', description: 'Police incident' });
    assert.equal(police.status, 201, police.body);
    const fireCommander = identity.resolvePrincipalOf('fire-commander');
    const fireIncident = await vigil.capabilities.incidents.service.create(
      { type: 'fire', position: [7.42, 43.735], source: 'call', description: 'Fire incident' } as Parameters<
        typeof vigil.capabilities.incidents.service.create
      >[0],
      fireCommander,
    );
    const delivered = (path: string) => receiver.hits.filter((h) => h.path === path && h.status === 204);
    await until(() => delivered('/city').length === 2 && delivered('/fire').length === 1, 'the incidents delivered');
    assert.deepEqual(
      delivered('/city')
        .map((h) => h.body.data.incident && (h.body.data.incident as { incidentId: string }).incidentId)
        .sort(),
      [police.json.incident.incidentId, fireIncident.incidentId].sort(),
    );
    assert.equal((delivered('/fire')[0]!.body.data.incident as { incidentId: string }).incidentId, fireIncident.incidentId);
    assert.ok(
      !receiver.hits.some((h) => h.path === '/fire' && JSON.stringify(h.body).includes(police.json.incident.incidentId)),
      'the police incident never reaches the fire service',
    );
    assert.ok(receiver.hits.every((h) => h.signatureOk && h.event === 'incidents.incident.opened'));
    assert.ok(!verifyWebhook('another-secret-entirely', 't=1,v1=' + '0'.repeat(64), '{}', 1), 'a wrong signature does not verify');
    // The first attempt at the city failed (500): retried with the same delivery id.
    const cityHits = receiver.hits.filter((h) => h.path === '/city');
    assert.equal(cityHits.length, 3);
    assert.equal(cityHits[0]!.status, 500);
    assert.equal(cityHits.filter((h) => h.deliveryId === cityHits[0]!.deliveryId).length, 2, 'the retry carries the same delivery id');
    await until(
      async () =>
        (await admin('GET', `/api/webhooks/${cityId}/deliveries`)).json.deliveries.filter((d: { outcome: string }) => d.outcome === 'delivered').length === 3,
      'the log',
    );
    const log = (await admin('GET', `/api/webhooks/${cityId}/deliveries`)).json.deliveries as { outcome: string; attempts: number; test: boolean }[];
    assert.deepEqual(log.map((d) => [d.outcome, d.test]).sort(), [
      ['delivered', false],
      ['delivered', false],
      ['delivered', true],
    ]);
    assert.ok(
      log.some((d) => d.attempts === 2),
      'the retried one says it took two attempts',
    );

    // Durable: the city's receiver is down, a message is posted; Vigil stops while it waits to retry.
    receiver.down.add('/city');
    receiver.hits.length = 0;
    // An internal message is for those who act on the incident: the city only reads it, so never gets it.
    const internal = await commander('POST', `/api/incidents/${police.json.incident.incidentId}/messages`, { channel: 'internal', text: 'Internal note' });
    assert.equal(internal.status, 201, internal.body);
    const msg = await commander('POST', `/api/incidents/${police.json.incident.incidentId}/messages`, { channel: 'public', text: 'Second engine requested' });
    assert.equal(msg.status, 201, msg.body);
    await until(
      async () =>
        (await admin('GET', `/api/webhooks/${cityId}/deliveries`)).json.deliveries.some(
          (d: { outcome: string; attempts: number }) => d.outcome === 'retrying' && d.attempts >= 2,
        ),
      'retrying',
    );
    await vigil.close();
    receiver.down.delete('/city');
    const before = receiver.hits.length;
    vigil = await open(dir);
    await until(() => receiver.hits.slice(before).some((h) => h.path === '/city' && h.status === 204), 'delivered after the restart');
    // Give a duplicate a chance to show, then check: exactly the message, once, nothing already settled sent again.
    await until(
      async () => (await signedIn(vigil, 'admin'))('GET', `/api/webhooks/${cityId}/deliveries`).then((r) => r.json.deliveries[0]?.outcome === 'delivered'),
      'settled',
    );
    const after = receiver.hits.slice(before).filter((h) => h.status === 204);
    assert.deepEqual(
      after.map((h) => [h.path, h.event]),
      [['/city', 'incidents.message.posted']],
    );
    assert.equal(after[0]!.deliveryId, receiver.hits.find((h) => h.status === 503)!.deliveryId, 'the same delivery id as before the restart');

    // Leadership lost and regained (another node led meanwhile): this node sends again.
    const dispatcher = vigil.capabilities.webhooks.dispatcher;
    await dispatcher.stop();
    dispatcher.start();
    const again = await (
      await signedIn(vigil, 'commander')
    )('POST', '/api/incidents', { type: 'medical', position: [7.42, 43.737], source: 'call', description: 'After a change of leader' });
    assert.equal(again.status, 201, again.body);
    await until(
      () => receiver.hits.some((h) => h.path === '/city' && h.status === 204 && JSON.stringify(h.body).includes(again.json.incident.incidentId)),
      'sent after leading again',
    );
  } finally {
    await vigil.close();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
