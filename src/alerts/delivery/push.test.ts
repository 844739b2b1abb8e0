import assert from 'node:assert/strict';
import { createECDH, createPublicKey, createVerify, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { serveVigil } from '../../app.js';
import { loadConfig } from '../../kernel/config.js';
import { flood } from '../../../test/support/alert-fixtures.js';
import { signedIn } from '../../../test/support/api-client.js';
import { AlertDispatcher } from './dispatcher.js';
import { PushAdapter, vapidKeys } from './push-adapter.js';

// http_ece (RFC 8188) decrypts like a browser would; it comes with web-push.
const ece = createRequire(import.meta.url)('http_ece') as { decrypt(buffer: Buffer, params: Record<string, unknown>): Buffer };

/** A push service on loopback over HTTPS (a throwaway certificate made with openssl): stores what it is sent, answers 201. */
async function pushService(status = () => 201) {
  const certDir = mkdtempSync(join(tmpdir(), 'vigil-push-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const tls = { key: readFileSync(join(certDir, 'key.pem')), cert: readFileSync(join(certDir, 'cert.pem')) };
  rmSync(certDir, { recursive: true, force: true });
  const received: { path: string; headers: IncomingHttpHeaders; body: Buffer }[] = [];
  const server = createServer(tls, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(status()).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { base: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, agent: new Agent({ ca: tls.cert }), received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('Web Push: the alert reaches a browser subscription encrypted (RFC 8291) and signed (VAPID); the browser decrypts it', async () => {
  const service = await pushService();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-push-'));
  const vigil = await serveVigil({ ...loadConfig({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_LOG_LEVEL: 'silent' }), dataDir: dir, port: 0, host: '127.0.0.1' });
  try {
    // The browser's side of a subscription: its P-256 key pair and auth secret.
    const browser = createECDH('prime256v1');
    browser.generateKeys();
    const auth = randomBytes(16);
    const citizen = await signedIn(vigil, 'nobody');
    const { publicKey } = (await citizen('GET', '/api/public/push/key')).json as { publicKey: string };
    assert.equal(Buffer.from(publicKey, 'base64url').length, 65);
    const subscription = { endpoint: `${service.base}/push/abc123`, expirationTime: null, keys: { p256dh: browser.getPublicKey().toString('base64url'), auth: auth.toString('base64url') } };
    assert.equal((await citizen('POST', '/api/public/subscribers', { language: 'en-GB', consent: true, push: { ...subscription, endpoint: 'ftp://x' }, locations: [{ kind: 'last', lat: 43.729, lon: 7.416 }] })).status, 400);
    assert.equal((await citizen('POST', '/api/public/subscribers', { language: 'en-GB', consent: true, push: subscription, locations: [{ kind: 'last', lat: 43.729, lon: 7.416 }] })).status, 201);

    const author = await signedIn(vigil, 'alert-officer');
    const { json } = await author('POST', '/api/alerts', { ...flood, scope: 'Restricted', restriction: 'test', channels: ['push'], info: [{ ...flood.info[1], severity: 'Minor' }] });
    // The node's own push adapter trusts public CAs only; this one also trusts the test service's certificate.
    const dispatcher = new AlertDispatcher(vigil.ctx, vigil.capabilities.alerts.subscribers.state, new Map([['push', new PushAdapter(vapidKeys(vigil.ctx.secrets), `mailto:${vigil.ctx.config.capSender}`, service.agent)]]), { publicUrl: vigil.url });
    await dispatcher.dispatch(vigil.capabilities.alerts.service.state.alerts.get(json.alert.alertId)!);
    const progress = vigil.capabilities.alerts.delivery.of(json.alert.alertId)[0]!;
    assert.deepEqual([progress.channel, progress.status, progress.queued, progress.sent], ['push', 'done', 1, 1]);

    assert.equal(service.received.length, 1);
    const { path, headers, body } = service.received[0]!;
    assert.equal(path, '/push/abc123');
    assert.equal(headers['content-encoding'], 'aes128gcm');
    assert.equal(headers.urgency, 'high');
    // VAPID (RFC 8292): "vapid t=<JWT>, k=<our public key>", the JWT signed by that key for this push service's origin.
    const [, jwt, k] = /^vapid t=([^,]+), k=(\S+)$/.exec(String(headers.authorization))!;
    assert.equal(k, publicKey);
    const [h, p, sig] = jwt!.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as { aud: string; exp: number; sub: string };
    assert.equal(claims.aud, service.base);
    assert.match(claims.sub, /^mailto:/);
    const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: Buffer.from(publicKey, 'base64url').subarray(1, 33).toString('base64url'), y: Buffer.from(publicKey, 'base64url').subarray(33).toString('base64url') }, format: 'jwk' });
    assert.ok(createVerify('SHA256').update(`${h}.${p}`).verify({ key, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig!, 'base64url')), 'the VAPID signature verifies');
    // The browser decrypts the payload with its private key and auth secret.
    const payload = JSON.parse(ece.decrypt(body, { version: 'aes128gcm', privateKey: browser, authSecret: auth }).toString()) as { title: string; body: string; alertId: string; url: string };
    assert.equal(payload.title, 'Flash flood in Fontvieille');
    assert.equal(payload.alertId, json.alert.alertId);
    assert.match(payload.url, /\/safe\//);
  } finally {
    await vigil.close();
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
