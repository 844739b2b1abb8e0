import assert from 'node:assert/strict';
import { createPublicKey, createVerify } from 'node:crypto';
import { test } from 'node:test';
import { flood } from '../../../../test/support/alert-fixtures.js';
import { signedIn } from '../../../../test/support/api-client.js';
import { browserPushKeys, pushService } from '../../../../test/support/push-service.js';
import { startTestNode, stopTestNode } from '../../../../test/support/test-node.js';

test('Web Push: the alert reaches a browser subscription encrypted (RFC 8291) and signed (VAPID); the browser decrypts it', async () => {
  const service = await pushService();
  // The node trusts the loopback push service's certificate as it would a push relay's (VIGIL_PUSH_CA_FILE).
  const vigil = await startTestNode('push', { VIGIL_PUSH_CA_FILE: service.caFile, VIGIL_PUSH_HOSTS: '127.0.0.1' });
  try {
    const browser = browserPushKeys(`${service.base}/push/abc123`);
    const citizen = await signedIn(vigil, 'nobody');
    const { publicKey } = (await citizen('GET', '/api/public/push/key')).json as { publicKey: string };
    assert.equal(Buffer.from(publicKey, 'base64url').length, 65);
    const { subscription } = browser;
    assert.equal(
      (
        await citizen('POST', '/api/public/subscribers', {
          language: 'en-GB',
          consent: true,
          push: { ...subscription, endpoint: 'ftp://x' },
          locations: [{ kind: 'last', lat: 43.729, lon: 7.416 }],
        })
      ).status,
      400,
    );
    // Only push services' hosts: the public form cannot make Vigil POST to cloud metadata or an intranet host.
    for (const endpoint of ['https://169.254.169.254/latest/meta-data', 'https://intranet.example.com/push', 'https://[64:ff9b::7f00:1]/x']) {
      const refused = await citizen('POST', '/api/public/subscribers', {
        language: 'en-GB',
        consent: true,
        push: { ...subscription, endpoint },
        locations: [{ kind: 'last', lat: 43.729, lon: 7.416 }],
      });
      assert.equal(refused.status, 400, endpoint);
      assert.match((refused.json as { error: { message: string } }).error.message, /not a known push service/);
    }
    assert.equal(
      (
        await citizen('POST', '/api/public/subscribers', {
          language: 'en-GB',
          consent: true,
          push: subscription,
          locations: [{ kind: 'last', lat: 43.729, lon: 7.416 }],
        })
      ).status,
      201,
    );

    const author = await signedIn(vigil, 'alert-officer');
    const { json } = await author('POST', '/api/alerts', {
      ...flood,
      scope: 'Restricted',
      restriction: 'test',
      channels: ['push'],
      info: [{ ...flood.info[1], severity: 'Minor' }],
    });
    // Restricted and Minor: no second officer needed, submitting issues it.
    assert.equal((await author('POST', `/api/alerts/${json.alert.alertId}/submit`)).json.alert.state, 'issued');
    // The node's own dispatcher delivers it once the issue is durable.
    let progress = vigil.capabilities.alerts.delivery.of(json.alert.alertId)[0];
    for (let i = 0; i < 200 && progress?.status !== 'done'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      progress = vigil.capabilities.alerts.delivery.of(json.alert.alertId)[0];
    }
    assert.ok(progress);
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
    const key = createPublicKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: Buffer.from(publicKey, 'base64url').subarray(1, 33).toString('base64url'),
        y: Buffer.from(publicKey, 'base64url').subarray(33).toString('base64url'),
      },
      format: 'jwk',
    });
    assert.ok(
      createVerify('SHA256').update(`${h}.${p}`).verify({ key, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig!, 'base64url')),
      'the VAPID signature verifies',
    );
    // The browser decrypts the payload with its private key and auth secret.
    const payload = JSON.parse(browser.decrypt(body)) as { title: string; body: string; alertId: string; url: string };
    assert.equal(payload.title, 'Flash flood in Fontvieille');
    assert.equal(payload.alertId, json.alert.alertId);
    assert.match(payload.url, /\/safe\//);
  } finally {
    await stopTestNode(vigil);
    await service.close();
  }
});
