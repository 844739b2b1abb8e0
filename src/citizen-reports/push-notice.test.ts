import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signedIn } from '../../test/support/api-client.js';
import { browserPushKeys, pushService, vapidProblem } from '../../test/support/push-service.js';
import { until } from '../../test/support/until.js';
import { startTestNode, stopTestNode } from '../../test/support/test-node.js';
import { CITIZEN_APP_API_KEY } from './model.js';

/*
 * A reporter asks to be told by Web Push; the city resolves the report; the notice travels
 * for real: encrypted (RFC 8291, aes128gcm) and signed (VAPID, RFC 8292) to a push service
 * on loopback over HTTPS, which refuses a request whose VAPID JWT does not verify, and is
 * decrypted there with the subscription's private key and auth secret, as the browser would.
 */
test('Web Push notice: the reporter\'s "resolved" notice reaches a real push service, VAPID-signed, and decrypts to the right text', async () => {
  const problems: string[] = [];
  let origin = '';
  // The push service checks the sender before it takes the message (401 otherwise, as push services do).
  const service = await pushService((r) => {
    const why = vapidProblem(r.headers, origin);
    if (why) problems.push(why);
    // A subscription the browser dropped: gone for good.
    if (r.path === '/push/unsubscribed') return 410;
    return why ? 401 : r.headers['content-encoding'] === 'aes128gcm' && r.headers.ttl !== undefined ? 201 : 400;
  });
  origin = service.base;
  // The node trusts the loopback push service's certificate and host (VIGIL_PUSH_CA_FILE, VIGIL_PUSH_HOSTS), as it would a push relay's.
  const vigil = await startTestNode('push-notice', { VIGIL_PUSH_CA_FILE: service.caFile, VIGIL_PUSH_HOSTS: '127.0.0.1', VIGIL_NOTICE_TICK_MS: '200' });
  try {
    // The browser's side: a P-256 key pair and an auth secret, subscribed at the push service.
    const browser = browserPushKeys(`${service.base}/push/reporter-7`);
    const posted = await vigil.server.app.inject({
      method: 'POST',
      url: '/open311/v2/requests.json',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        api_key: CITIZEN_APP_API_KEY,
        service_code: 'street-light-out',
        lat: '43.7331',
        long: '7.4199',
        address_string: 'Rue Grimaldi',
        'attribute[light_state]': 'off',
        description: 'Lamp off by the bus stop',
        device_id: 'push-notice-phone',
        notify: 'push',
        push_subscription: JSON.stringify(browser.subscription),
      }).toString(),
    });
    assert.equal(posted.statusCode, 201, posted.body);
    const [created] = posted.json() as { service_request_id: string; follow_url: string }[];
    const reportId = created!.service_request_id;
    const followToken = new URL(created!.follow_url).searchParams.get('follow')!;

    const city = await signedIn(vigil, 'admin');
    const note = 'The lamp was replaced this morning.';
    assert.equal((await city('POST', `/api/citizen-reports/${reportId}/resolve`, { note })).status, 200);

    const mine = () => service.received.filter((r) => r.path === '/push/reporter-7');
    await until(() => mine().length >= 1, 'the notice at the push service', 60_000);
    await until(
      async () => (await city('GET', `/api/citizen-reports/${reportId}`)).json.report.notices.some((n: { state: string }) => n.state === 'sent'),
      'the notice recorded as sent',
      60_000,
    );
    assert.deepEqual(problems, [], 'the VAPID JWT verifies (ES256 by the key named, for the push service origin, a contact, a near expiry)');
    assert.equal(mine().length, 1, 'sent once');
    const [delivered] = mine();
    assert.equal(delivered!.headers['content-encoding'], 'aes128gcm');
    // The check can fail: another origin, a tampered token.
    assert.match(vapidProblem(delivered!.headers, 'https://push.example.net')!, /^aud /);
    const tampered = String(delivered!.headers.authorization).replace(/\.([^.,]+),/, (_, sig: string) => `.${sig.slice(0, -4)}AAAA,`);
    assert.equal(vapidProblem({ authorization: tampered }, service.base), 'bad signature');
    // The key Vigil signs with is the one it publishes for browsers to subscribe with (applicationServerKey).
    const { publicKey } = (await vigil.server.app.inject({ method: 'GET', url: '/api/public/push/key' })).json() as { publicKey: string };
    assert.ok(String(delivered!.headers.authorization).endsWith(`k=${publicKey}`));

    // Decrypted with the subscription's private key and auth secret: the resolution, the city's note, the personal link.
    const payload = JSON.parse(browser.decrypt(delivered!.body)) as { title: string; body: string; url: string; reportId: string };
    assert.equal(payload.title, 'Your report is resolved: Street light out');
    assert.match(payload.body, /^Your report "Street light out" at Rue Grimaldi \(received \d{4}-\d\d-\d\d\): resolved by /);
    assert.ok(payload.body.endsWith(`: ${note}`), payload.body);
    assert.equal(payload.reportId, reportId);
    assert.equal(payload.url, `${vigil.ctx.publicUrl()}/citizen?follow=${encodeURIComponent(followToken)}`);

    // Staff see it went out on that channel; nothing personal in what they see of it.
    const notices = (await city('GET', `/api/citizen-reports/${reportId}`)).json.report.notices as { what: string; channel: string; state: string }[];
    assert.deepEqual(
      notices.map((n) => [n.what, n.channel, n.state]),
      [['resolved', 'push', 'sent']],
    );
    assert.ok(!JSON.stringify(notices).includes('reporter-7'));

    // A reporter whose browser dropped the subscription: the push service refuses it for good (410), staff see it failed and why.
    const gone = browserPushKeys(`${service.base}/push/unsubscribed`);
    const second = await vigil.server.app.inject({
      method: 'POST',
      url: '/open311/v2/requests.json',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        api_key: CITIZEN_APP_API_KEY,
        service_code: 'graffiti',
        lat: '43.7352',
        long: '7.4227',
        device_id: 'push-notice-phone-2',
        notify: 'push',
        push_subscription: JSON.stringify(gone.subscription),
      }).toString(),
    });
    assert.equal(second.statusCode, 201, second.body);
    const secondId = (second.json() as { service_request_id: string }[])[0]!.service_request_id;
    assert.equal((await city('POST', `/api/citizen-reports/${secondId}/resolve`, { note: 'Cleaned.' })).status, 200);
    let failed: { what: string; channel: string; state: string; error: string | null }[] = [];
    await until(async () => {
      failed = (await city('GET', `/api/citizen-reports/${secondId}`)).json.report.notices;
      return failed.some((n) => n.state === 'failed');
    }, 'the refused notice recorded as failed');
    assert.deepEqual(
      failed.map((n) => [n.what, n.channel, n.state, n.error]),
      [['resolved', 'push', 'failed', 'push service answered 410']],
    );
    assert.equal(service.received.filter((r) => r.path === '/push/unsubscribed').length, 1, 'not retried after a final refusal');
  } finally {
    await stopTestNode(vigil);
    await service.close();
  }
});
