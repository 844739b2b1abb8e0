import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import fc from 'fast-check';
import { flood } from '../../../../test/support/alert-fixtures.js';
import { signedIn } from '../../../../test/support/api-client.js';
import { validateCapXml } from '../../cap/cap-validate.js';
import { parseCapXml } from '../../cap/cap-xml.js';
import { checkWebhookUrl, signWebhook, verifyWebhook } from '../../../adapters/http/webhook-signature.js';
import { isPublicAddress } from '../../../adapters/http/outbound-guard.js';
import { postOnce } from '../../../adapters/http/outbound-http.js';
import { until } from '../../../../test/support/until.js';
import { startTestNode, stopTestNode } from '../../../../test/support/test-node.js';

interface Received {
  path: string;
  deliveryId: string;
  event: string;
  contentType: string;
  body: string;
  signatureOk: boolean;
  capValid: boolean | null;
  identifier: string | null;
}

/** A receiver on loopback that checks the signature the documented way (HMAC-SHA256 over "t.body") and the CAP against the XSD. */
async function startReceiver(secrets: Map<string, string>, failFirst: Map<string, number>) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const path = req.url ?? '';
        const left = failFirst.get(path) ?? 0;
        if (left > 0) {
          failFirst.set(path, left - 1);
          res.writeHead(500).end('try later');
          return;
        }
        const header = String(req.headers['vigil-signature'] ?? '');
        const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header) ?? [];
        const expected = createHmac('sha256', secrets.get(path) ?? '')
          .update(`${t}.${body}`)
          .digest();
        const signatureOk = !!v1 && String(req.headers['vigil-timestamp']) === t && timingSafeEqual(expected, Buffer.from(v1, 'hex'));
        const contentType = String(req.headers['content-type']);
        let capValid: boolean | null = null;
        let identifier: string | null;
        if (contentType.startsWith('application/cap+xml')) {
          capValid = (await validateCapXml(body)).valid;
          identifier = parseCapXml(body).identifier;
        } else identifier = (JSON.parse(body) as { cap: { identifier: string } }).cap.identifier;
        received.push({
          path,
          deliveryId: String(req.headers['vigil-delivery']),
          event: String(req.headers['vigil-event']),
          contentType,
          body,
          signatureOk,
          capValid,
          identifier,
        });
        res.writeHead(signatureOk ? 204 : 401).end();
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('webhooks: signed CAP XML (valid against the XSD) or JSON to each endpoint that wants it; retried with the same delivery id; secrets never shown again', async () => {
  const secrets = new Map<string, string>();
  const failFirst = new Map<string, number>([['/flaky', 1]]);
  const receiver = await startReceiver(secrets, failFirst);
  const vigil = await startTestNode('webhooks', { VIGIL_WEBHOOK_RETRY_MS: '20,20,20', VIGIL_WEBHOOK_ALLOW_PRIVATE: 'true' });
  try {
    const officer = await signedIn(vigil, 'alert-officer');
    const second = await signedIn(vigil, 'duty-officer');
    const operator = await signedIn(vigil, 'operator');
    assert.equal((await operator('GET', '/api/alerts/webhooks')).status, 403, 'operators do not manage the city’s webhooks');
    assert.equal((await officer('POST', '/api/alerts/webhooks', { url: 'ftp://example.org/x', events: ['issued'] })).status, 400);
    assert.equal((await officer('POST', '/api/alerts/webhooks', { url: 'https://user:pw@example.org/x', events: ['issued'] })).status, 400);
    assert.equal((await officer('POST', '/api/alerts/webhooks', { url: `${receiver.base}/x`, events: [] })).status, 400);

    const register = async (path: string, body: Record<string, unknown>) => {
      const r = await officer('POST', '/api/alerts/webhooks', { url: `${receiver.base}${path}`, ...body });
      assert.equal(r.status, 201, r.body);
      secrets.set(path, r.json.secret);
      return r.json.webhook.webhookId as string;
    };
    const xmlAll = await register('/cap', { name: 'Regional hub', events: ['issued', 'updated', 'cancelled'], includeExercise: true });
    await register('/json', { events: ['issued'], format: 'json', secret: 'a-receiver-chosen-secret' });
    await register('/flaky', { events: ['issued', 'cancelled'] });
    await register('/cancel-only', { events: ['cancelled'] });
    const listed = await officer('GET', '/api/alerts/webhooks');
    assert.equal(listed.json.webhooks.length, 4);
    assert.ok(!JSON.stringify(listed.json).includes('secret'), 'no secret, sealed or not, in the list');
    const audit = await (await signedIn(vigil, 'csirt'))('GET', '/api/audit?typePrefix=alerts.webhook.');
    assert.equal(audit.status, 200);
    assert.ok(audit.body.includes(xmlAll), 'the registrations are in the audit trail');
    assert.ok(!audit.body.includes('a-receiver-chosen-secret') && !audit.body.includes('whsec_'), 'nor in the audit trail');

    const { json } = await officer('POST', '/api/alerts', { ...flood, channels: ['webhook'] });
    const id = json.alert.alertId as string;
    await officer('POST', `/api/alerts/${id}/submit`);
    await second('POST', `/api/alerts/${id}/approve`);
    const progress = (alertId: string) => vigil.capabilities.alerts.delivery.of(alertId).find((p) => p.channel === 'webhook');
    await until(() => progress(id)?.status === 'done', 'the webhooks');
    assert.deepEqual([progress(id)!.queued, progress(id)!.sent, progress(id)!.failed], [3, 3, 0]);
    assert.deepEqual(receiver.received.map((r) => r.path).sort(), ['/cap', '/flaky', '/json']);
    for (const r of receiver.received) {
      assert.ok(r.signatureOk, `${r.path}: signature verifies`);
      assert.equal(r.identifier, id);
      assert.equal(r.event, 'alert.issued');
      if (r.path !== '/json') assert.equal(r.capValid, true, `${r.path}: CAP valid against the XSD`);
    }
    assert.match(receiver.received.find((r) => r.path === '/json')!.contentType, /^application\/json/);
    assert.equal(failFirst.get('/flaky'), 0, 'the flaky endpoint failed once, then got it');

    // An exercise goes only to the endpoint that asked for exercises; a Cancel to those that want cancellations.
    receiver.received.length = 0;
    const ex = await officer('POST', '/api/alerts', {
      ...flood,
      status: 'Exercise',
      scope: 'Restricted',
      restriction: 'drill',
      info: flood.info.map((i) => ({ ...i, severity: 'Minor' })),
      channels: ['webhook'],
    });
    await officer('POST', `/api/alerts/${ex.json.alert.alertId}/submit`);
    await until(() => progress(ex.json.alert.alertId)?.status === 'done', 'the exercise');
    assert.deepEqual(
      receiver.received.map((r) => r.path),
      ['/cap'],
    );
    receiver.received.length = 0;
    const cancel = await officer('POST', `/api/alerts/${id}/cancel`);
    await officer('POST', `/api/alerts/${cancel.json.alert.alertId}/submit`);
    await until(() => progress(cancel.json.alert.alertId)?.status === 'done', 'the cancel');
    assert.deepEqual(receiver.received.map((r) => r.path).sort(), ['/cancel-only', '/cap', '/flaky']);
    assert.ok(receiver.received.every((r) => r.event === 'alert.cancelled' && r.signatureOk));
    assert.equal(new Set(receiver.received.map((r) => r.deliveryId)).size, 3, 'one delivery id per endpoint and message');

    // Removed: gets nothing more.
    assert.equal((await officer('DELETE', `/api/alerts/webhooks/${xmlAll}`)).status, 204);
    assert.equal((await officer('GET', '/api/alerts/webhooks')).json.webhooks.length, 3);
  } finally {
    await stopTestNode(vigil);
    await receiver.close();
  }
});

test('webhook URLs: http and https only; property: a signature verifies over its own body and time only', () => {
  assert.equal(checkWebhookUrl('https://hub.example.org/cap'), 'https://hub.example.org/cap');
  for (const bad of ['javascript:alert(1)', 'file:///etc/passwd', 'gopher://x', 'not a url', 'http://u:p@x.org/'])
    assert.throws(() => checkWebhookUrl(bad), /webhook URL|not a URL/);
  fc.assert(
    fc.property(fc.string({ minLength: 16 }), fc.string(), fc.string(), fc.integer({ min: 1_600_000_000, max: 2_000_000_000 }), (secret, body, other, t) => {
      const header = signWebhook(secret, t, body);
      assert.ok(verifyWebhook(secret, header, body, t + 10));
      assert.equal(verifyWebhook(secret, header, body, t + 10_000), false, 'too old');
      if (other !== body) assert.equal(verifyWebhook(secret, header, other, t), false);
      assert.equal(verifyWebhook(`${secret}x`, header, body, t), false);
    }),
    { numRuns: 300 },
  );
});

test('SSRF guard: webhooks reach public addresses only unless the installation allows private ones', async () => {
  for (const local of [
    'http://127.0.0.1:8080/x',
    'http://localhost/x',
    'http://api.localhost/x',
    'http://[::1]/x',
    'http://10.1.2.3/x',
    'http://172.20.0.1/x',
    'http://192.168.1.10/x',
    'http://169.254.169.254/latest/meta-data',
    'http://[fe80::1]/x',
    'http://[fd00::1]/x',
    'http://[::ffff:127.0.0.1]/x',
    'http://0.0.0.0/x',
    'http://100.64.0.1/x',
  ]) {
    assert.throws(() => checkWebhookUrl(local), /private or local address/, local);
    assert.equal(checkWebhookUrl(local, true), new URL(local).toString(), 'allowed when the installation says so');
  }
  for (const ok of ['https://hub.example.org/cap', 'http://93.184.216.34/x', 'http://[2001:4860:4860::8888]/x'])
    assert.equal(checkWebhookUrl(ok), new URL(ok).toString());
  fc.assert(
    fc.property(fc.ipV4(), (ip) => {
      const [a, b] = ip.split('.').map(Number) as [number, number];
      const isPrivate =
        a === 0 ||
        a === 10 ||
        a === 127 ||
        (a === 100 && b >= 64 && b < 128) ||
        (a === 169 && b === 254) ||
        (a === 172 && b >= 16 && b < 32) ||
        (a === 192 && b === 168) ||
        (a === 192 && b === 0 && ip.split('.')[2] === '0') ||
        (a === 198 && (b === 18 || b === 19)) ||
        a >= 224;
      assert.equal(isPublicAddress(ip), !isPrivate, ip);
      assert.equal(isPublicAddress(`::ffff:${ip}`), !isPrivate, `mapped ${ip}`);
    }),
  );

  // At delivery the name is resolved and the address checked at connect time: a name that
  // resolves to loopback is refused without a request reaching the server, and not retried.
  let reached = 0;
  const server = createServer((_req, res) => {
    reached++;
    res.writeHead(204).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as AddressInfo).port;
    const viaName = await postOnce(
      `http://localhost:${port}/x`,
      '{}',
      { 'content-type': 'application/json' },
      { timeoutMs: 5_000, maxBytes: 1024, publicOnly: true },
    );
    assert.equal(viaName.ok, false);
    assert.match((viaName as { error: string }).error, /localhost resolves to (127\.0\.0\.1|::1), a private or local address/);
    assert.equal((viaName as { retry: boolean }).retry, false);
    const viaLiteral = await postOnce(`http://127.0.0.1:${port}/x`, '{}', {}, { timeoutMs: 5_000, maxBytes: 1024, publicOnly: true });
    assert.equal(viaLiteral.ok, false);
    assert.equal(reached, 0, 'nothing reached the local server');
    const allowed = await postOnce(`http://127.0.0.1:${port}/x`, '{}', {}, { timeoutMs: 5_000, maxBytes: 1024 });
    assert.deepEqual(allowed, { ok: true, value: { status: 204, text: '' } });
    assert.equal(reached, 1);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});
