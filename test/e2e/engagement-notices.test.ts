import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signedIn } from '../support/api-client.js';
import { publishedConsultation } from '../support/consultations.js';
import { browserPushKeys, pushService } from '../support/push-service.js';
import { smtpServer } from '../support/smtp-server.js';
import { until } from '../support/until.js';
import { expectText, launchChromium, openNavPage, signInAt, startDemoNode, wcagViolations } from './browser.js';

const shot = (name: string): string => `${process.env.VIGIL_SCREENSHOT_DIR ?? '/tmp'}/vigil-engagement-notices-${name}.png`;

const TITLE = 'Night buses to the Moneghetti heights';
const SENT = 'delivered.participant@example.invalid';
const REFUSED = 'refused.participant@example.invalid';
const BUSY = 'busy.participant@example.invalid';
/** "04/12/2026, 23:58:01": a time as the staff page writes it (en-GB). */
const TIME = String.raw`\d\d/\d\d/\d{4}, \d\d:\d\d:\d\d`;

/**
 * Staff see, under each answer to a consultation, every notice sent to its participant: what it
 * told them, on which channel, when, and whether it reached them — sent, still pending after a
 * refusal the mail server may lift, or failed for good with the server's reason — and never the
 * participant's address in that reason. Four members of the public answer and ask to be told the
 * decision: by e-mail (a server that takes it, one that refuses the mailbox for good, one that says
 * "try later"), and by Web Push (a real push service on loopback).
 */
test('engagement: staff see each notice to a participant — channel, time, sent / pending / failed, address masked in the reason', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const smtp = await smtpServer((to) =>
    to === REFUSED
      ? { code: 550, message: `5.1.1 <${to}>: Recipient address rejected: user unknown` }
      : to === BUSY
        ? { code: 451, message: `4.2.1 <${to}>: mailbox busy, try again later` }
        : null,
  );
  const push = await pushService(() => 201);
  // One wait of an hour after a first failure: the "try later" notice stays pending while the page is read.
  const { vigil, close } = await startDemoNode({
    VIGIL_DC09_PORT: 'off',
    VIGIL_MQTT_EMBEDDED_PORT: 'off',
    VIGIL_SMTP_URL: smtp.url,
    VIGIL_PUSH_CA_FILE: push.caFile,
    VIGIL_PUSH_HOSTS: '127.0.0.1',
    VIGIL_NOTICE_TICK_MS: '200',
    VIGIL_NOTICE_RETRY_MS: '3600000',
  });
  const errors: string[] = [];
  try {
    // The city's analyst publishes a consultation open to the public.
    const analyst = await signedIn(vigil, 'analyst');
    const id = await publishedConsultation(analyst, {
      title: TITLE,
      question: 'Should the night bus run up to the Moneghetti heights?',
      information: 'The line 6 stops at midnight; a night run would cost 120 k€ a year.',
    });

    // Four members of the public answer, each asking to be told the decision.
    const subscription = browserPushKeys(`${push.base}/push/participant-phone`).subscription;
    const answers: [string, Record<string, unknown>][] = [
      ['Ana Delivered', { email: SENT, notify: ['email'] }],
      ['Bruno Refused', { email: REFUSED, notify: ['email'] }],
      ['Chloé Busy', { email: BUSY, notify: ['email'] }],
      ['Dario Push', { notify: ['push'], push: subscription }],
    ];
    const contributionOf = new Map<string, string>();
    for (const [i, [name, notice]] of answers.entries()) {
      const r = await vigil.server.app.inject({
        method: 'POST',
        url: `/api/public/engagement/consultations/${id}/answers`,
        payload: { text: `A night run, please (${name})`, position: 'support', name, ...notice },
        remoteAddress: `203.0.113.${60 + i}`,
      });
      assert.equal(r.statusCode, 201, r.body);
      contributionOf.set(name, (r.json() as { contributionId: string }).contributionId);
    }
    assert.equal((await analyst('POST', `/api/engagement/consultations/${id}/close`)).status, 200);
    const decided = await analyst('POST', `/api/engagement/consultations/${id}/decision`, {
      summary: 'A night run on Fridays and Saturdays from March',
      outcomes: [...contributionOf.values()].map((contributionId) => ({
        contributionId,
        effect: 'partly-adopted',
        explanation: 'Two nights a week, where most of the demand is.',
      })),
    });
    assert.equal(decided.status, 200, decided.body);

    // The notices go out: two taken, one refused for good, one refused for now (a failed attempt, pending).
    type Notice = { channel: string; state: string; attempts: number };
    const noticesOf = async (): Promise<Map<string, Notice[]>> => {
      const detail = (await analyst('GET', `/api/engagement/consultations/${id}`)).json as {
        contributions: { contributionId: string; notices: Notice[] }[];
      };
      return new Map(detail.contributions.map((c) => [c.contributionId, c.notices]));
    };
    const stateOf = (m: Map<string, Notice[]>, name: string) => m.get(contributionOf.get(name)!)?.[0];
    await until(
      async () => {
        const m = await noticesOf();
        return (
          stateOf(m, 'Ana Delivered')?.state === 'sent' &&
          stateOf(m, 'Dario Push')?.state === 'sent' &&
          stateOf(m, 'Bruno Refused')?.state === 'failed' &&
          (stateOf(m, 'Chloé Busy')?.attempts ?? 0) >= 1
        );
      },
      'each notice sent, failed or tried once',
      60_000,
    );
    assert.equal(smtp.received.filter((m) => m.subject?.includes(TITLE)).length, 1, 'the one mail the server took');
    assert.equal(push.received.filter((r) => r.path === '/push/participant-phone').length, 1, 'the push service took the notification');

    // The analyst reads them under each answer on the consultation's page.
    const desk = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-GB' });
    const staff = await desk.newPage();
    staff.on('pageerror', (e) => errors.push(e.message));
    await signInAt(staff, `${vigil.url}/`, 'analyst');
    await openNavPage(staff, 'Engagement');
    await staff.getByRole('tab', { name: 'Consultations' }).click();
    await staff.locator('[data-testid=consultation-row]', { hasText: TITLE }).getByRole('button', { name: TITLE }).click();
    const detail = staff.locator('[data-testid=consultation-detail]');
    await expectText(detail, new RegExp(`${TITLE} · Decided`));
    const noticeOf = (name: string) => detail.locator('[data-testid=contribution]', { hasText: name }).locator('[data-testid=notice-state]');

    await expectText(noticeOf('Ana Delivered'), new RegExp(`^Decision and how the answer counted · E-mail · ${TIME} · Sent$`));
    await expectText(noticeOf('Dario Push'), new RegExp(`^Decision and how the answer counted · Web Push · ${TIME} · Sent$`));
    await expectText(
      noticeOf('Bruno Refused'),
      new RegExp(`^Decision and how the answer counted · E-mail · ${TIME} · Failed — reason: .*550 5\\.1\\.1 <\\[address\\]>: Recipient address rejected`),
    );
    await expectText(
      noticeOf('Chloé Busy'),
      new RegExp(
        `^Decision and how the answer counted · E-mail · ${TIME} · Pending \\(failed attempts: 1\\) — reason: .*451 4\\.2\\.1 <\\[address\\]>: mailbox busy`,
      ),
    );
    const marked: Record<string, string> = { 'Ana Delivered': 'sent', 'Bruno Refused': 'failed', 'Chloé Busy': 'due', 'Dario Push': 'sent' };
    for (const [name, state] of Object.entries(marked)) assert.equal(await noticeOf(name).getAttribute('data-state'), state, `${name}: ${state}`);
    // The reasons mail servers echo name the recipient; staff see the notice, not the address or the device's endpoint.
    const shown = await detail.locator('[data-testid=contribution-notices]').allInnerTexts();
    for (const secret of [SENT, REFUSED, BUSY, 'participant-phone']) assert.ok(!shown.join('\n').includes(secret), `${secret} is not shown`);
    await staff.screenshot({ path: shot('desktop'), fullPage: true });
    assert.deepEqual(await wcagViolations(staff), [], 'the consultation page with its notices passes WCAG 2.1 AA');
    assert.deepEqual(errors, []);
    await desk.close();
  } finally {
    await browser.close();
    await close();
    await smtp.close();
    await push.close();
  }
});
