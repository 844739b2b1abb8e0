import assert from 'node:assert/strict';
import type { ParsedMail } from 'mailparser';
import { test } from 'node:test';
import { flood } from '../../../test/support/alert-fixtures.js';
import { signedIn } from '../../../test/support/api-client.js';
import { smtpServer } from '../../../test/support/smtp-server.js';
import { AlertDispatcher } from './dispatcher.js';
import { EmailChannel } from '../channels/email/email-channel.js';
import { until } from '../../../test/support/until.js';
import { startTestNode, stopTestNode } from '../../../test/support/test-node.js';

// Inside the flood polygon (Fontvieille) and outside it (Monte-Carlo).
const INSIDE = { lat: 43.729, lon: 7.416 };
const OUTSIDE = { lat: 43.74, lon: 7.427 };

test('an issued alert reaches, by SMTP, the subscribers with a location in its area, each in their language; other channels report their state', async () => {
  const smtp = await smtpServer();
  const vigil = await startTestNode('delivery', { VIGIL_SMTP_URL: smtp.url, VIGIL_DEMO_SINKS: 'false' });
  try {
    const citizen = await signedIn(vigil, 'nobody');
    const subscribe = (body: object) => citizen('POST', '/api/public/subscribers', { consent: true, ...body });
    assert.equal((await subscribe({ language: 'fr-MC', email: 'bad address', locations: [{ kind: 'home', ...INSIDE }] })).status, 400);
    assert.equal((await subscribe({ language: 'fr-MC', email: 'x@example.org', locations: [{ kind: 'home', ...INSIDE }], consent: false })).status, 400);
    assert.equal((await subscribe({ language: 'fr', email: 'marie@example.org', locations: [{ kind: 'home', ...INSIDE }] })).status, 201);
    assert.equal(
      (
        await subscribe({
          language: 'en-US',
          email: 'john@example.org',
          locations: [
            { kind: 'home', ...OUTSIDE },
            { kind: 'work', ...INSIDE },
          ],
        })
      ).status,
      201,
    );
    assert.equal((await subscribe({ language: 'it-IT', email: 'luca@example.org', locations: [{ kind: 'home', ...OUTSIDE }] })).status, 201);
    const leaving = await subscribe({ language: 'fr-MC', email: 'parti@example.org', locations: [{ kind: 'home', ...INSIDE }] });
    assert.equal((await citizen('DELETE', `/api/public/subscribers/${leaving.json.unsubscribeToken}`)).status, 204);
    assert.equal((await citizen('DELETE', `/api/public/subscribers/${leaving.json.unsubscribeToken}`)).status, 404);
    // Nobody reads subscribers' addresses in the audit trail: they are sealed under each person's key, and owned by the city.
    for (const reader of ['supervisor', 'admin']) {
      const trail = await (await signedIn(vigil, reader))('GET', '/api/audit?limit=500&typePrefix=alerts.subscriber.');
      assert.equal(trail.status, 200, `${reader}: ${trail.body.slice(0, 200)}`);
      assert.doesNotMatch(trail.body, /marie@example\.org/);
    }
    const stored = await vigil.ctx.log.read({ typePrefixes: ['alerts.subscriber.registered'], afterSeq: Math.max(0, (await vigil.ctx.log.lastSeq()) - 50) });
    assert.ok(stored.length >= 4);
    assert.doesNotMatch(JSON.stringify(stored), /marie@example\.org/);

    const author = await signedIn(vigil, 'alert-officer');
    const second = await signedIn(vigil, 'duty-officer');
    const { json } = await author('POST', '/api/alerts', flood);
    await author('POST', `/api/alerts/${json.alert.alertId}/submit`);
    await second('POST', `/api/alerts/${json.alert.alertId}/approve`);
    const progress = () => vigil.capabilities.alerts.delivery.of(json.alert.alertId);
    await until(() => progress().find((p) => p.channel === 'email')?.status === 'done', 'the e-mail channel to finish');
    const email = progress().find((p) => p.channel === 'email')!;
    // The demo's own invented subscribers in Fontvieille get it too; ours are the example.org ones.
    assert.ok(email.queued > 2);
    assert.deepEqual([email.sent, email.failed], [email.queued, 0]);
    // The demo's citizen reports send their reporters notices through the same SMTP server: count the alert's mails.
    const alertMails = smtp.received.filter((m) => m.headers.get('x-vigil-alert') === json.alert.alertId);
    assert.equal(alertMails.length, email.queued);
    assert.ok(email.reached.p99);
    const to = (m: ParsedMail): string => (m.to as { text: string }).text;
    assert.deepEqual(
      alertMails
        .map(to)
        .filter((a) => a.endsWith('@example.org'))
        .sort(),
      ['john@example.org', 'marie@example.org'],
    );
    const marie = alertMails.find((m) => to(m) === 'marie@example.org')!;
    assert.equal(marie.subject, 'Crue rapide à Fontvieille', 'French for a French speaker');
    assert.match(marie.text ?? '', /Montez aux étages/);
    assert.equal(marie.headers.get('x-vigil-alert'), json.alert.alertId);
    assert.equal(alertMails.find((m) => to(m) === 'john@example.org')!.subject, 'Flash flood in Fontvieille', 'English for en-US');
    const sms = progress().find((p) => p.channel === 'sms')!;
    assert.equal(sms.status, 'unavailable');
    assert.equal(progress().find((p) => p.channel === 'cap-feed')!.status, 'done');
    const detail = await author('GET', `/api/alerts/${json.alert.alertId}`);
    assert.equal(detail.json.delivery.find((p: { channel: string }) => p.channel === 'email').sent, email.queued);

    // "Are you safe?": Marie answers from the personal link in her e-mail, without an account.
    const token = /\/safe\/(\S+)/.exec(marie.text ?? '')![1]!;
    assert.deepEqual((await citizen('GET', `/api/public/answers/${token}`)).json, {
      headline: 'Crue rapide à Fontvieille',
      language: 'fr-MC',
      status: 'Actual',
      state: 'issued',
      answer: null,
    });
    // John's page is in English, as his e-mail was (the page follows the subscriber's language, not the first info block).
    const johnMail = smtp.received.find((m) => to(m) === 'john@example.org')!;
    const johnToken = /\/safe\/(\S+)/.exec(johnMail.text ?? '')![1]!;
    assert.equal((await citizen('GET', `/api/public/answers/${johnToken}`)).json.headline, 'Flash flood in Fontvieille');
    assert.equal((await citizen('POST', `/api/public/answers/${token}`, { answer: 'safe' })).status, 200);
    assert.equal((await citizen('POST', `/api/public/answers/${token}`, { answer: 'need-help' })).status, 200);
    const [alertId, subscriberId] = token.split('.');
    assert.equal(
      (await citizen('POST', `/api/public/answers/${alertId}.${subscriberId}.AAAAAAAAAAAAAAAAAAAAAA`, { answer: 'safe' })).status,
      404,
      'a forged link answers for nobody',
    );
    assert.equal((await citizen('POST', `/api/public/answers/${alertId}.sub_someone_else.${token.split('.')[2]}`, { answer: 'safe' })).status, 404);
    // The link's tag is v2 (AES over the recipient's block, acknowledgements.ts); a forged v2 tag is refused as well.
    assert.match(token.split('.')[2]!, /^2[A-Za-z0-9_-]{20}$/);
    assert.equal((await citizen('POST', `/api/public/answers/${alertId}.${subscriberId}.2${'A'.repeat(20)}`, { answer: 'safe' })).status, 404);
    const report = (await author('GET', `/api/alerts/${json.alert.alertId}/report`)).json.report;
    const byChannel = Object.fromEntries(report.channels.map((c: { channel: string }) => [c.channel, c]));
    assert.equal(byChannel.email.reach, 1);
    assert.equal(byChannel.email.queued, email.queued);
    assert.ok(byChannel.email.secondsTo.p99 >= byChannel.email.secondsTo.p50 && byChannel.email.secondsTo.p50 >= 0);
    // Each recipient counted once, under the language of the block they got (fr → fr-MC, en-US → en-GB, it-IT → the first block).
    const total = Object.values(byChannel.email.byLanguage as Record<string, number>).reduce((x, y) => x + y, 0);
    assert.equal(total, email.queued);
    assert.ok(byChannel.email.byLanguage['fr-MC'] > 0 && byChannel.email.byLanguage['en-GB'] > 0);
    assert.deepEqual(report.answers, { safe: 0, needHelp: 1 });
    const answers = (await author('GET', `/api/alerts/${json.alert.alertId}`)).json.answers;
    assert.equal(answers.safe, 0, 'the later answer replaced the first');
    assert.deepEqual(
      answers.needHelp.map((h: { recipientId: string; locations: { kind: string }[] }) => [h.recipientId, h.locations[0]!.kind]),
      [[subscriberId, 'home']],
    );
  } finally {
    await stopTestNode(vigil);
    await smtp.close();
  }
});

test('SMTP refusals: a temporary one is retried until accepted, a permanent one is recorded as failed with the server’s answer', async () => {
  const smtp = await smtpServer((to, attempt) =>
    to.startsWith('busy') && attempt < 3 ? { code: 451, message: 'try again later' } : to.startsWith('gone') ? { code: 550, message: 'no such mailbox' } : null,
  );
  const vigil = await startTestNode('delivery');
  const adapter = new EmailChannel(smtp.url, 'Vigil <alerts@example.org>');
  try {
    const subscribers = vigil.capabilities.alerts.subscribers;
    const orgId = vigil.capabilities.identity.service.listOrgs().find((o) => o.platform)!.id;
    for (const email of ['ok@example.org', 'busy@example.org', 'gone@example.org'])
      await subscribers.register({ language: 'en-GB', email, locations: [{ kind: 'home', ...INSIDE }], consent: true }, 'test', orgId);
    const author = await signedIn(vigil, 'alert-officer');
    const { json } = await author('POST', '/api/alerts', {
      ...flood,
      scope: 'Restricted',
      restriction: 'test',
      channels: ['email'],
      info: [{ ...flood.info[1], severity: 'Minor' }],
    });
    const alert = vigil.capabilities.alerts.service.state.alerts.get(json.alert.alertId)!;
    const dispatcher = new AlertDispatcher(vigil.ctx, subscribers.state, new Map([['email', adapter]]), { backoffMs: [10, 10, 10] });
    await dispatcher.dispatch(alert);
    const email = vigil.capabilities.alerts.delivery.of(alert.alertId).find((p) => p.channel === 'email')!;
    assert.deepEqual(
      [email.status, email.sent, email.failed],
      ['done', email.queued - 1, 1],
      'everyone but the refused address, demo subscribers in the area included',
    );
    assert.equal(smtp.attempts.get('busy@example.org'), 3, 'retried after two temporary refusals');
    assert.equal(smtp.attempts.get('gone@example.org'), 1, 'a permanent refusal is not retried');
    assert.match(email.lastFailures[0]![1], /550.*no such mailbox/);
  } finally {
    await adapter.close();
    await stopTestNode(vigil);
    await smtp.close();
  }
});
