import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { ManualClock } from '../kernel/time.js';
import { SingleNodeLeadership } from './leadership.js';
import {
  NoticeSender,
  checkPushSubscription,
  noticeErrorForStaff,
  type DueNotice,
  type MessengerResult,
  type NoticeChannel,
  type PersonalMessage,
} from './notices.js';

test('notice sender: a retryable failure waits and is tried again, a final refusal or the last wait gives up, an erased person is skipped for good', async () => {
  const clock = new ManualClock(Date.parse('2026-12-04T10:00:00Z'));
  const due = new Map<string, DueNotice & { person: string }>([
    ['a:resolved:email', { noticeId: 'a:resolved:email', channel: 'email', attempts: 0, person: 'flaky' }],
    ['b:resolved:email', { noticeId: 'b:resolved:email', channel: 'email', attempts: 0, person: 'refused' }],
    ['c:resolved:push', { noticeId: 'c:resolved:push', channel: 'push', attempts: 0, person: 'erased' }],
    ['d:resolved:email', { noticeId: 'd:resolved:email', channel: 'email', attempts: 0, person: 'down' }],
  ]);
  const sent: string[] = [];
  const outcomes: string[] = [];
  let flaky = 1;
  const answer = (to: string): MessengerResult => {
    if (to === 'flaky' && flaky-- > 0) return { ok: false, error: '421 try later', retry: true };
    if (to === 'refused') return { ok: false, error: '550 no such user', retry: false };
    if (to === 'down') return { ok: false, error: 'connection refused', retry: true };
    return { ok: true };
  };
  const sender = new NoticeSender(
    {
      name: 'test',
      clock,
      logger: pino({ level: 'silent' }),
      leadership: new SingleNodeLeadership(),
      messenger: {
        unavailable: (_c: NoticeChannel) => null,
        send: async (_c: NoticeChannel, m: PersonalMessage) => {
          sent.push(m.address);
          return answer(m.address);
        },
      },
      due: () => due.values(),
      compose: async (n) =>
        n.person === 'erased' ? { skip: "the person's data were erased" } : { message: { address: n.person, subject: 's', text: 't', headers: {} } },
      recordSent: async (n) => {
        outcomes.push(`${n.noticeId} sent`);
        due.delete(n.noticeId);
      },
      recordFailed: async (n, error, final) => {
        outcomes.push(`${n.noticeId} failed${final ? ' for good' : ''}: ${error}`);
        n.attempts++;
        if (final) due.delete(n.noticeId);
      },
    },
    { everyMs: 1000, retryMs: [1000, 5000] },
  );
  await sender.pass();
  assert.deepEqual(outcomes, [
    'a:resolved:email failed: 421 try later',
    'b:resolved:email failed for good: 550 no such user',
    "c:resolved:push failed for good: the person's data were erased",
    'd:resolved:email failed: connection refused',
  ]);
  outcomes.length = 0;
  await sender.pass();
  assert.deepEqual(outcomes, [], 'nothing is tried again before its wait');
  clock.advance(1000);
  await sender.pass();
  assert.deepEqual(outcomes, ['a:resolved:email sent', 'd:resolved:email failed: connection refused']);
  outcomes.length = 0;
  clock.advance(5000);
  await sender.pass();
  assert.deepEqual(outcomes, ['d:resolved:email failed for good: connection refused'], 'after the last wait it is given up');
  assert.equal(due.size, 0);
  assert.deepEqual(sent, ['flaky', 'refused', 'down', 'flaky', 'down', 'down']);
});

test('notice sender: with the channel unavailable (no SMTP server) nothing is tried and nothing is recorded — the notice stays due', async () => {
  const outcomes: string[] = [];
  const sender = new NoticeSender(
    {
      name: 'test',
      clock: new ManualClock(0),
      logger: pino({ level: 'silent' }),
      leadership: new SingleNodeLeadership(),
      messenger: { unavailable: () => 'no SMTP server configured', send: async () => ({ ok: true }) },
      due: () => [{ noticeId: 'a:resolved:email', channel: 'email' as const, attempts: 0 }],
      compose: async () => ({ skip: 'x' }),
      recordSent: async () => void outcomes.push('sent'),
      recordFailed: async () => void outcomes.push('failed'),
    },
    { everyMs: 1000, retryMs: [1000] },
  );
  await sender.pass();
  assert.deepEqual(outcomes, []);
});

test('push subscriptions from browsers are checked', () => {
  assert.ok(checkPushSubscription({ endpoint: 'https://push.example/abc', keys: { p256dh: 'BNc_x-1', auth: 'q1w2' } }).ok);
  for (const bad of [
    null,
    'x',
    { endpoint: 'http://push.example/a', keys: { p256dh: 'a', auth: 'b' } },
    { endpoint: 'https://p/a' },
    { endpoint: 'https://p/a', keys: { p256dh: 'a b', auth: 'c' } },
  ])
    assert.equal(checkPushSubscription(bad).ok, false, JSON.stringify(bad));
});

test("a peer's refusal shown to staff names neither the person's address nor their device's push endpoint", () => {
  assert.equal(noticeErrorForStaff(null), null);
  assert.equal(noticeErrorForStaff('550 5.1.1 <lea.martin@example.mc>: Recipient address rejected'), '550 5.1.1 <[address]>: Recipient address rejected');
  assert.equal(noticeErrorForStaff('push service answered 410 for https://push.example.net/wpush/v2/gAAAAABk'), 'push service answered 410 for [endpoint]');
  assert.ok(noticeErrorForStaff('x'.repeat(1000))!.length <= 300);
});
