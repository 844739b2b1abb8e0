import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { AlertDispatcher } from '../../delivery/dispatcher.js';
import { DeliveryResumer } from '../../delivery/delivery-resumer.js';
import { serveVigil } from '../../../app.js';
import { loadConfig } from '../../../kernel/config.js';
import { flood } from '../../../../test/support/alert-fixtures.js';
import { signedIn } from '../../../../test/support/api-client.js';
import { until } from '../../../../test/support/until.js';

interface Line {
  deliveryId: string;
  alertId: string | null;
  outcome: string;
  attempts: number;
  status: number | null;
  error: string | null;
  nextAttemptAt?: string;
}

/** A receiver that holds every request until the test answers it. */
async function heldReceiver() {
  const held: ServerResponse[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => held.push(res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    held,
    close: () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

test('delivery log: a CAP POST under way is pending, a failed one retrying with its next attempt, then given up; an event webhook’s attempt under way is pending', async () => {
  const receiver = await heldReceiver();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-cap-inflight-'));
  const vigil = await serveVigil({
    ...loadConfig({
      VIGIL_DC09_PORT: 'off',
      VIGIL_MQTT_EMBEDDED_PORT: 'off',
      VIGIL_LOG_LEVEL: 'silent',
      // One retry, long enough to be seen waiting: CAP webhooks retry as event webhooks do.
      VIGIL_WEBHOOK_RETRY_MS: '6000',
      VIGIL_WEBHOOK_ALLOW_PRIVATE: 'true',
    }),
    dataDir: dir,
    port: 0,
    host: '127.0.0.1',
  });
  try {
    const officer = await signedIn(vigil, 'alert-officer');
    const second = await signedIn(vigil, 'duty-officer');
    const reg = await officer('POST', '/api/alerts/webhooks', { name: 'Held hub', url: `${receiver.base}/cap`, events: ['issued'] });
    assert.equal(reg.status, 201, reg.body);
    const hook = reg.json.webhook.webhookId as string;
    const log = async () => (await officer('GET', `/api/alerts/webhooks/${hook}/deliveries`)).json.deliveries as Line[];

    const { json } = await officer('POST', '/api/alerts', { ...flood, channels: ['webhook'] });
    const alertId = json.alert.alertId as string;
    await officer('POST', `/api/alerts/${alertId}/submit`);
    await second('POST', `/api/alerts/${alertId}/approve`);

    // First attempt held open by the receiver: pending.
    await until(() => receiver.held.length === 1, 'the first attempt');
    const pending = await log();
    assert.equal(pending.length, 1);
    assert.deepEqual([pending[0]!.alertId, pending[0]!.outcome, pending[0]!.attempts], [alertId, 'pending', 1]);
    assert.equal((await officer('GET', '/api/alerts/webhooks')).json.webhooks[0].inFlight, 1, 'the list counts it');

    // Answered 503: retrying, with the receiver's status and when the next attempt is due.
    receiver.held[0]!.writeHead(503).end('busy');
    let retrying: Line | undefined;
    await until(async () => {
      retrying = (await log()).find((l) => l.outcome === 'retrying');
      return retrying !== undefined || receiver.held.length > 1;
    }, 'the retry waiting');
    if (retrying) {
      assert.equal(retrying.attempts, 1);
      assert.equal(retrying.status, 503);
      assert.ok(retrying.nextAttemptAt && Date.parse(retrying.nextAttemptAt) > 0, 'the next attempt time');
    } else assert.fail('the retry was not seen waiting (the machine took longer than the 6 s wait to answer)');
    // The wait is recorded on the alert's delivery: a leader elsewhere (nothing running there) does not take the channel for lost before it is due.
    const { delivery } = vigil.capabilities.alerts;
    await until(() => delivery.quietUntil(alertId, 'webhook') > 0, 'the retry recorded on the delivery');
    assert.ok(delivery.quietUntil(alertId, 'webhook') >= Date.parse(retrying.nextAttemptAt!) - 1_000, 'quiet until the next attempt');
    const elsewhere = { running: new Set<string>(), channelOf: () => undefined } as unknown as AlertDispatcher;
    const leader = new DeliveryResumer(vigil.ctx, vigil.capabilities.alerts.service.state, delivery, elsewhere, {
      staleMs: 1,
      everyMs: 60_000,
      singleNode: false,
    });
    assert.deepEqual(
      leader.unfinished(1).filter((u) => u.alert.alertId === alertId),
      [],
      'a retry waiting is not a lost node',
    );

    // Second attempt under way: pending again, attempt 2, the first failure still shown.
    await until(() => receiver.held.length === 2, 'the second attempt');
    await until(async () => (await log())[0]?.attempts === 2, 'attempt 2 in the log');
    const again = (await log())[0]!;
    assert.deepEqual([again.outcome, again.status], ['pending', 503]);

    // Its retries used up: given up, settled in the log, nothing in flight.
    receiver.held[1]!.writeHead(503).end('still busy');
    await until(async () => (await log())[0]?.outcome === 'failed', 'given up');
    const settled = await log();
    assert.equal(settled.length, 1, 'one line: the in-flight one became the settled one');
    assert.deepEqual([settled[0]!.attempts, settled[0]!.status, settled[0]!.nextAttemptAt], [2, 503, undefined]);
    const listed = (await officer('GET', '/api/alerts/webhooks')).json.webhooks[0];
    assert.deepEqual([listed.inFlight, listed.failed], [0, 1]);

    // An event webhook's attempt under way is pending too, then delivered.
    const admin = await signedIn(vigil, 'admin');
    const commander = await signedIn(vigil, 'commander');
    const sub = await admin('POST', '/api/webhooks', {
      name: 'Held CAD',
      url: `${receiver.base}/events`,
      eventTypes: ['incidents.incident.opened'],
      roles: ['commander'],
    });
    assert.equal(sub.status, 201, sub.body);
    const subId = sub.json.subscription.subscriptionId as string;
    const eventLog = async () => (await admin('GET', `/api/webhooks/${subId}/deliveries`)).json.deliveries as (Line & { eventType: string })[];
    const opened = await commander('POST', '/api/incidents', { type: 'fire', position: [7.4246, 43.7384], source: 'call', description: 'Held' });
    assert.equal(opened.status, 201, opened.body);
    await until(() => receiver.held.length === 3, 'the event webhook’s first attempt');
    const underWay = await eventLog();
    assert.deepEqual(
      underWay.map((l) => [l.eventType, l.outcome, l.attempts, l.nextAttemptAt]),
      [['incidents.incident.opened', 'pending', 1, undefined]],
    );
    receiver.held[2]!.writeHead(204).end();
    await until(async () => (await eventLog())[0]?.outcome === 'delivered', 'the event delivered');
    assert.equal((await eventLog()).length, 1);
  } finally {
    await vigil.close();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
