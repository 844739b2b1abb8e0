import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectText, launchChromium, openNavPage, signInAt, startDemoNode, wcagViolations } from './browser.js';

const shot = (name: string): string => `${process.env.VIGIL_SCREENSHOT_DIR ?? '/tmp'}/vigil-engagement-${name}.png`;

const TITLE = 'Evening closure of the Fontvieille park';
const TRADERS = 'Port Hercule Traders’ Association';
const RESIDENTS = 'La Condamine Residents’ Committee';

/**
 * The city's analyst sees the demo registry (matrix, interaction map), drafts and publishes a
 * consultation inviting two stakeholders; a resident answers on a phone without an account, the
 * analyst records an invited stakeholder's letter, closes the consultation and decides, saying for
 * each answer how it counted; the resident and the stakeholder each read the decision and how
 * their input counted through their personal links.
 */
test('engagement: a consultation from publication to a decision each participant sees with how their input counted', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const { vigil, close } = await startDemoNode({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off' });
  const errors: string[] = [];
  try {
    const desk = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-GB' });
    const staff = await desk.newPage();
    staff.on('pageerror', (e) => errors.push(e.message));
    await signInAt(staff, `${vigil.url}/`, 'analyst');
    await openNavPage(staff, 'Engagement');
    await staff.waitForSelector('[data-testid=stakeholder-row]');
    assert.ok((await staff.locator('[data-testid=stakeholder-row]').count()) >= 10, 'the demo registry');
    assert.ok((await staff.locator('[data-testid=interaction-map] [data-testid=relation]').count()) >= 5, 'relations drawn on the map');
    await staff.locator('[data-testid=stakeholder-table]').getByRole('button', { name: TRADERS }).click();
    await expectText(staff.locator('[data-testid=engagement-log]'), /Summer safety briefing[\s\S]*Registered as Organisation[\s\S]*Invited to “Quiet hours/);
    await staff.screenshot({ path: shot('registry-desktop'), fullPage: true });

    // Draft, then publish: the information is public, the consultation open.
    await staff.getByRole('tab', { name: 'Consultations' }).click();
    const form = staff.locator('details.engagement-new');
    await form.locator('summary').click();
    await form.getByLabel('Title').fill(TITLE);
    await form.getByLabel('Question').fill('Should the park close at 20:00 instead of midnight?');
    await form
      .getByLabel('Information published before it opens')
      .fill('Vandalism at night cost 40 k€ last year. Options: close at 20:00, or light it and patrol.');
    await form.getByLabel(TRADERS).check();
    await form.getByLabel(RESIDENTS).check();
    await form.getByRole('button', { name: 'Save as draft' }).click();
    const detail = staff.locator('[data-testid=consultation-detail]');
    await expectText(detail, new RegExp(`${TITLE} · Draft`));
    await detail.getByRole('button', { name: 'Publish' }).click();
    await expectText(detail, new RegExp(`${TITLE} · Open`));

    // A resident answers on a phone, no account.
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'en-GB' });
    const resident = await phone.newPage();
    resident.on('pageerror', (e) => errors.push(e.message));
    await resident.goto(`${vigil.url}/citizen#consultations`);
    const card = resident.locator('[data-testid=consultation]', { hasText: TITLE });
    await expectText(card, /Open[\s\S]*Should the park close at 20:00/);
    await card.getByText('What is proposed').click();
    await expectText(card, /Vandalism at night cost 40 k€/);
    await card.getByLabel('Against').check();
    await card.getByLabel('Your answer').fill('Light it and patrol: closing punishes the families who use it after work.');
    await card.getByLabel('Your name (optional)').fill('Ada Resident');
    await resident.screenshot({ path: shot('answer-phone'), fullPage: true });
    assert.deepEqual(await wcagViolations(resident), [], 'the consultations pass WCAG 2.1 AA');
    await card.getByRole('button', { name: 'Send my answer' }).click();
    await expectText(resident.locator('[data-testid=answer-sent]'), /your answer is recorded/);
    await expectText(resident.locator('[data-testid=my-answer]'), new RegExp(`${TITLE}[\\s\\S]*Open`));
    // k-anonymity: one answer is not a figure the public reads (k = 5 by default).
    await expectText(card.locator('[data-testid=consultation-answers]'), /^fewer than 5 answers$/);

    // The analyst records the traders' letter; its personal link goes to them.
    await detail.locator('[data-testid=stakeholder-answer]').getByLabel('Stakeholder').selectOption({ label: TRADERS });
    await detail.locator('[data-testid=stakeholder-answer]').getByLabel('Position').selectOption({ label: 'Mixed' });
    await detail.locator('[data-testid=stakeholder-answer]').getByLabel('Their answer').fill('Close at 22:00: our kiosks serve until then.');
    await detail.getByRole('button', { name: 'Record the answer' }).click();
    const link = (await expectText(staff.locator('[data-testid=participant-link] code'), /\/citizen\?answer=/)).trim();
    await expectText(detail, /Answers \(2\)/);
    await expectText(detail, /Ada Resident/, "the organisation reads the participant's name");

    // A resident reading in French opens the consultation just before it closes; the answer they send
    // after the close is refused, and the refusal reads in French (the server's reason, not its English).
    const lateContext = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'fr-FR' });
    const late = await lateContext.newPage();
    late.on('pageerror', (e) => errors.push(e.message));
    await late.goto(`${vigil.url}/citizen#consultations`);
    const lateCard = late.locator('[data-testid=consultation]', { hasText: TITLE });
    await expectText(lateCard.locator('[data-testid=consultation-answers]'), /^moins de 5 réponses$/);
    await lateCard.locator('input[value=support]').check();
    await lateCard.locator('[data-testid=answer-form] textarea').fill('Fermer à 20 h, oui.');

    // Closed, then decided: every answer with how it counted.
    await detail.getByRole('button', { name: 'Close now' }).click();
    await expectText(detail, new RegExp(`${TITLE} · Closed`));
    await lateCard.locator('[data-testid=answer-form] button[type=submit]').click();
    await expectText(lateCard.locator('[role=alert]'), /^Cette consultation est close : elle ne reçoit plus de réponses\.$/);
    await late.screenshot({ path: shot('late-answer-refused-phone-fr'), fullPage: true });
    await lateContext.close();
    const items = detail.locator('[data-testid=decision-item]');
    assert.equal(await items.count(), 2);
    const order = await items.allTextContents();
    const residentItem = order.findIndex((s) => s.includes('Ada Resident'));
    const tradersItem = 1 - residentItem;
    await detail.locator(`[data-testid=effect-${residentItem}]`).selectOption('adopted');
    await detail.locator(`[data-testid=explanation-${residentItem}]`).fill('The park gets lighting and evening patrols instead of closing.');
    await detail.locator(`[data-testid=effect-${tradersItem}]`).selectOption('partly-adopted');
    await detail.locator(`[data-testid=explanation-${tradersItem}]`).fill('The kiosks keep their hours; the park itself stays open.');
    await detail.getByLabel('Decision', { exact: true }).fill('The park stays open until midnight, with lighting and patrols from spring.');
    await staff.screenshot({ path: shot('decision-desktop'), fullPage: true });
    await detail.getByRole('button', { name: 'Record the decision' }).click();
    await expectText(detail.locator('[data-testid=decision-summary]'), /stays open until midnight/);
    await expectText(staff.locator('[data-testid=consultation-row]', { hasText: TITLE }), /Decided/);
    const c = [...vigil.capabilities.engagement.state.consultations.values()].find((x) => x.title === TITLE)!;
    assert.equal(c.decision?.outcomes.length, 2, 'both answers linked to the decision');

    // The resident sees the decision and how their answer counted.
    await resident.reload();
    const mine = resident.locator('[data-testid=my-answer]', { hasText: TITLE });
    await expectText(mine.locator('[data-testid=decision]'), /stays open until midnight/);
    await expectText(mine.locator('[data-testid=my-outcome]'), /Adopted: it changed the decision — The park gets lighting/);
    // The public card of the decision: 2 answers are fewer than k, so neither the number nor a count by effect is shown.
    const decidedCard = resident.locator('[data-testid=consultation]', { hasText: TITLE });
    await expectText(decidedCard.locator('[data-testid=consultation-answers]'), /^fewer than 5 answers$/);
    assert.equal(await decidedCard.locator('[data-testid=decision-counts]').count(), 0);
    await resident.screenshot({ path: shot('decided-phone'), fullPage: true });
    assert.deepEqual(await wcagViolations(resident), [], 'the decision passes WCAG 2.1 AA');

    // The traders, through the personal link they were given.
    const other = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-GB' });
    const traders = await other.newPage();
    traders.on('pageerror', (e) => errors.push(e.message));
    await traders.goto(link);
    await expectText(
      traders.locator('[data-testid=my-answer]', { hasText: TITLE }).locator('[data-testid=my-outcome]'),
      /Partly adopted — The kiosks keep their hours/,
    );
    await traders.screenshot({ path: shot('stakeholder-link-desktop'), fullPage: true });

    // A grievance from the resident: acknowledged and answered by the analyst, read by the resident.
    await resident.getByText('Something went wrong? Make a complaint').click();
    const complaint = resident.locator('details.grievance-box');
    await complaint.getByLabel('About').selectOption({ label: TITLE });
    await complaint.getByLabel('Subject').fill('The information was hard to find');
    await complaint.getByLabel('What went wrong').fill('The proposal was only in the details, I almost missed it.');
    await complaint.getByRole('button', { name: 'Send' }).click();
    await expectText(resident.locator('[data-testid=my-grievance]'), /The information was hard to find[\s\S]*Received/);
    await staff.getByRole('tab', { name: 'Grievances' }).click();
    await staff.getByRole('button', { name: 'The information was hard to find' }).click();
    const grievance = staff.locator('[data-testid=grievance-detail]');
    await grievance.getByLabel('Answer to the complainant').fill('The proposal now opens with the consultation.');
    await grievance.getByRole('button', { name: 'Acknowledge' }).click();
    await expectText(grievance, /Acknowledged/);
    await grievance.getByRole('button', { name: 'Resolve' }).click();
    await expectText(grievance, /Resolved[\s\S]*now opens with the consultation/);
    await expectText(staff.locator('[data-testid=grievance-row]', { hasText: 'The information was hard to find' }), /Resolved\s+[\d.]+ h\s+[\d.]+ h/);
    await staff.screenshot({ path: shot('grievances-desktop'), fullPage: true });
    await resident.reload();
    await expectText(resident.locator('[data-testid=my-grievance]'), /Resolved[\s\S]*now opens with the consultation/);

    await staff.setViewportSize({ width: 390, height: 844 });
    await staff.getByRole('tab', { name: 'Stakeholders' }).click();
    await staff.screenshot({ path: shot('registry-phone'), fullPage: true });
    assert.deepEqual(errors, []);
    await desk.close();
    await phone.close();
    await other.close();
  } finally {
    await browser.close();
    await close();
  }
});
