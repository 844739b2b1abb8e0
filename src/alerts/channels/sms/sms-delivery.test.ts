import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Principal } from '../../../platform/access.js';
import { flood } from '../../../../test/support/alert-fixtures.js';
import { signedIn } from '../../../../test/support/api-client.js';
import { smsc } from '../../../../test/support/smsc.js';
import { recipientsPage } from '../../delivery/recipients-page.js';
import { until } from '../../../../test/support/until.js';
import { startTestNode, stopTestNode } from '../../../../test/support/test-node.js';

const FONTVIEILLE = { lat: 43.729, lon: 7.416 };
const MONTE_CARLO = { lat: 43.74, lon: 7.427 };

test('SMS end to end: receipts turn recipients delivered or failed, SAFE / AIDE replies answer the latest alert, recipients listed by state, reach per neighbourhood', async () => {
  // The SMSC confirms every part, except for one phone whose receipt says UNDELIV.
  const center = await smsc(undefined, { receipt: (to) => (to === '37760000103' ? 'UNDELIV' : 'DELIVRD') });
  const vigil = await startTestNode('sms', { VIGIL_SMPP_URL: center.url });
  try {
    await until(() => center.bound() === 1, 'Vigil bound to the SMSC before any alert');
    const citizen = await signedIn(vigil, 'nobody');
    for (const [phone, where, name] of [
      ['+377 6000 0101', FONTVIEILLE, 'Marie'],
      ['+37760000102', FONTVIEILLE, 'John'],
      ['+37760000103', FONTVIEILLE, 'Gone'],
      ['+37760000104', MONTE_CARLO, 'Far'],
    ] as const) {
      assert.equal(
        (await citizen('POST', '/api/public/subscribers', { consent: true, name, language: 'fr-MC', phone, locations: [{ kind: 'home', ...where }] })).status,
        201,
      );
    }
    const author = await signedIn(vigil, 'alert-officer');
    const second = await signedIn(vigil, 'duty-officer');
    const { json } = await author('POST', '/api/alerts', { ...flood, channels: ['sms'] });
    const alertId = json.alert.alertId as string;
    await author('POST', `/api/alerts/${alertId}/submit`);
    await second('POST', `/api/alerts/${alertId}/approve`);
    const sms = async () => (await author('GET', `/api/alerts/${alertId}`)).json.delivery.find((p: { channel: string }) => p.channel === 'sms');
    await until(async () => {
      const p = await sms();
      return p?.status === 'done' && p.delivered + p.failed === p.queued;
    }, 'every receipt recorded');
    const p = await sms();
    assert.ok(p.queued >= 3, 'ours and the demo’s subscribers with a phone in Fontvieille');
    assert.equal(p.sent, p.queued, 'all handed to the SMSC');
    assert.deepEqual([p.delivered, p.failed], [p.queued - 1, 1]);
    assert.deepEqual(p.counts, { queued: 0, sent: 0, delivered: p.queued - 1, failed: 1 });
    assert.equal(new Set(center.received.map((r) => r.to)).size, p.queued);
    assert.ok(!center.received.some((r) => r.to === '37760000104'), 'Monte-Carlo is outside the area');

    // Who failed and why: the address for the city's officers, the SMSC's receipt as the reason.
    const failed = await author('GET', `/api/alerts/${alertId}/recipients?channel=sms&state=failed`);
    assert.equal(failed.status, 200);
    assert.equal(failed.json.total, 1);
    assert.deepEqual(
      [failed.json.recipients[0].address, failed.json.recipients[0].name, failed.json.recipients[0].neighbourhood],
      ['+37760000103', 'Gone', 'Fontvieille'],
    );
    assert.match(failed.json.recipients[0].reason, /SMSC receipt: UNDELIV/);

    // Replies by SMS: accents and case do not matter; each is answered (deliver_sm_resp 0) once recorded.
    assert.equal(await center.mo('+37760000101', 'sauf'), 0);
    assert.equal(await center.mo('37760000102', 'Aidé ! eau au rez-de-chaussée'), 0);
    assert.equal(await center.mo('+33612345678', 'SAFE'), 0, 'an unknown number is answered and ignored');
    assert.equal(await center.mo('+37760000103', 'who is this?'), 0, 'an unknown text is answered and ignored');
    assert.equal(await center.mo('+37760000104', 'SAFE'), 0, 'a subscriber who got no alert');
    assert.deepEqual(vigil.capabilities.alerts.smsAnswers.stats, { safe: 1, 'need-help': 1, 'unknown-number': 1, 'unknown-text': 1, 'no-alert': 1 });
    const detail = (await author('GET', `/api/alerts/${alertId}`)).json;
    assert.equal(detail.answers.safe, 1);
    const john = vigil.capabilities.alerts.subscribers.state.byPhone.get('37760000102');
    assert.deepEqual(
      detail.answers.needHelp.map((h: { recipientId: string }) => h.recipientId),
      [john],
    );
    const ack = await vigil.ctx.log.read({ typePrefixes: ['alerts.delivery.acknowledged'] });
    assert.deepEqual(
      await Promise.all(
        ack.map(async (e) => {
          const d = e.data as { alertId: string; recipientId: string; sealed: { key: string; sealed: string } };
          return [e.actor, d.alertId, d.recipientId, await vigil.ctx.personal.open(d.sealed)];
        }),
      ),
      [
        ['public:sms', alertId, vigil.capabilities.alerts.subscribers.state.byPhone.get('37760000101'), 'safe'],
        ['public:sms', alertId, john, 'need-help'],
      ],
      'the same event as a web answer, the answer sealed under its own key',
    );

    // Who has not answered, paged; pages do not overlap and add up to the total.
    const silent = await author('GET', `/api/alerts/${alertId}/recipients?channel=sms&answer=none&limit=2`);
    assert.equal(silent.json.total, p.queued - 2);
    const rest = await author('GET', `/api/alerts/${alertId}/recipients?channel=sms&answer=none&limit=500&offset=2`);
    const all = [...silent.json.recipients, ...rest.json.recipients].map((r: { recipientId: string }) => r.recipientId);
    assert.equal(new Set(all).size, p.queued - 2);
    assert.equal((await author('GET', `/api/alerts/${alertId}/recipients?channel=sms&answer=need-help`)).json.recipients[0].recipientId, john);
    assert.equal((await author('GET', `/api/alerts/${alertId}/recipients?channel=sms&state=nonsense`)).status, 400);
    assert.equal((await author('GET', `/api/alerts/${alertId}/recipients?channel=sms&limit=100000`)).status, 400);
    assert.equal((await author('GET', `/api/alerts/${alertId}/recipients`)).status, 400, 'a channel is needed');
    // Other organisations: the police commander does not see the city's alert, the MARC operator has no access at all.
    assert.equal((await (await signedIn(vigil, 'commander'))('GET', `/api/alerts/${alertId}/recipients?channel=sms`)).status, 404);
    assert.equal((await (await signedIn(vigil, 'operator'))('GET', `/api/alerts/${alertId}/recipients?channel=sms`)).status, 403);
    // A principal outside the organisation that holds the subscribers' data sees states, never names or addresses.
    const outsider = { kind: 'user', orgId: 'org_outside', visibleOrgIds: new Set<string>(), actableOrgIds: new Set<string>() } as unknown as Principal;
    const masked = recipientsPage(
      alertId,
      'sms',
      { state: 'failed' },
      0,
      10,
      vigil.capabilities.alerts.delivery,
      vigil.capabilities.alerts.subscribers.state,
      outsider,
    );
    assert.deepEqual([masked.recipients[0]!.state, masked.recipients[0]!.name, masked.recipients[0]!.address], ['failed', null, null]);

    // The report: delivered reach, and reach per neighbourhood.
    const report = (await author('GET', `/api/alerts/${alertId}/report`)).json.report;
    const r = report.channels.find((c: { channel: string }) => c.channel === 'sms');
    assert.equal(r.deliveredReach, (p.queued - 1) / p.queued);
    assert.ok(r.secondsToDelivered.p50 !== null);
    const fontvieille = r.byArea.find((a: { name: string }) => a.name === 'Fontvieille');
    // The area drawn is a rectangle over Fontvieille: a few of its people live just across a neighbourhood's boundary.
    assert.equal(
      r.byArea.reduce((n: number, a: { recipients: number }) => n + a.recipients, 0),
      p.queued,
      'each recipient in one neighbourhood',
    );
    assert.ok(fontvieille.recipients > p.queued / 2, JSON.stringify(r.byArea));
    assert.deepEqual([fontvieille.delivered, fontvieille.failed], [fontvieille.recipients - 1, 1]);

    // A later alert to the same phones: a reply now answers that one.
    const later = await author('POST', '/api/alerts', {
      ...flood,
      scope: 'Restricted',
      restriction: 'residents',
      channels: ['sms'],
      info: [{ ...flood.info[0], severity: 'Minor' }],
    });
    await author('POST', `/api/alerts/${later.json.alert.alertId}/submit`);
    await until(
      () => vigil.capabilities.alerts.delivery.of(later.json.alert.alertId).find((x) => x.channel === 'sms')?.status === 'done',
      'the second alert sent',
    );
    assert.equal(await center.mo('+37760000101', 'SOS'), 0);
    assert.equal(vigil.capabilities.alerts.delivery.answers.get(later.json.alert.alertId)?.size, 1);
    assert.equal(vigil.capabilities.alerts.delivery.answers.get(alertId)?.size, 2, 'the first alert’s answers unchanged');
  } finally {
    await stopTestNode(vigil);
    await center.close();
  }
});
