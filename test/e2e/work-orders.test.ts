import assert from 'node:assert/strict';
import { test } from 'node:test';
import { submitOpen311 } from '../support/open311.js';
import { fireDeskWithReport, mailTo, residentPhone, withCitizenReportsScene } from '../support/citizen-reports-e2e.js';
import { expectText, wcagViolations } from './browser.js';

const shot = (name: string): string => `${process.env.VIGIL_SCREENSHOT_DIR ?? '/tmp'}/vigil-work-orders-${name}.png`;

/**
 * The fire service's desk at 1440 px makes a work order from a leaking hydrant's report (its own
 * organisation by default, a crew, a priority, a due day, instructions); the resident's app says
 * "A work order has been issued" in English and French; the desk starts it and marks it done with a
 * public note, which resolves the report and tells the resident by e-mail. No raw id on the page.
 */
test('work orders: made from a report on the staff page, followed by the resident, completed (report resolved, resident told)', (t) =>
  withCitizenReportsScene(t, {}, async ({ browser, vigil }) => {
    const errors: string[] = [];
    const created = await submitOpen311(
      vigil,
      {
        service_code: 'damaged-fire-hydrant',
        'attribute[hydrant_problem]': 'leaking',
        lat: '43.7352',
        long: '7.4213',
        description: 'Water gushing from the hydrant cap',
        email: 'hydrant.e2e@example.invalid',
        notify: 'email',
      },
      '198.51.100.81',
    );
    const reportId = created.service_request_id;

    const { desk, staff } = await fireDeskWithReport(browser, vigil, 'Damaged fire hydrant', errors);
    const form = staff.locator('[data-testid=work-order-form]');
    await form.waitFor();
    assert.equal(
      await form.locator('select[name=assignee] option:checked').innerText(),
      'Monaco Fire and Rescue',
      'the responsible organisation by default, by name',
    );
    await form.locator('input[name=team]').fill('Hydrant crew 2');
    await form.locator('select[name=priority]').selectOption('high');
    await form.locator('textarea[name=instructions]').fill('Replace the cap and check the pressure');
    await form.locator('[data-testid=make-work-order]').click();
    const detail = staff.locator('[data-testid=report-detail]');
    await expectText(detail, /A work order has been issued/);
    await expectText(staff.locator('[data-testid=report-work-order]'), /Work order: Assigned · Monaco Fire and Rescue · Hydrant crew 2 · High/);
    const row = staff.locator('[data-testid=work-order-row]', { hasText: 'Replace the cap' });
    await expectText(row, /High[\s\S]*Damaged fire hydrant[\s\S]*Monaco Fire and Rescue · Hydrant crew 2[\s\S]*Assigned/);
    const workOrderId = vigil.capabilities.citizenReports.state.reports.get(reportId)!.workOrder!.workOrderId;
    assert.deepEqual(await wcagViolations(staff), [], 'the triage page with a work order passes WCAG 2.1 AA');
    await staff.screenshot({ path: shot('issued-desktop'), fullPage: true });

    // The resident's app says it in words, in English and in French.
    const phone = await residentPhone(browser);
    const page = await phone.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(created.follow_url.replace(/^https?:\/\/[^/]+/, vigil.url));
    await expectText(page.locator('[data-testid=my-report-status]').first(), /^A work order has been issued$/);
    await page.getByLabel('Language').selectOption('fr');
    await expectText(page.locator('[data-testid=my-report-status]').first(), /^Un ordre de travail a été émis$/);

    // Started, then done with the public note: the report is resolved.
    await row.locator('[data-testid=start-work-order]').click();
    await expectText(row.locator('[data-testid=work-order-state]'), /In progress/);
    await row.locator('[data-testid=complete-work-order]').click();
    await row.locator('textarea[name=work-order-text]').fill('Cap replaced, pressure checked.');
    const text = await staff.locator('body').innerText();
    for (const id of [reportId, workOrderId, ...vigil.capabilities.citizenReports.service.organisations().map((o) => o.id)])
      assert.ok(!text.includes(id), `no raw id on the page (${id})`);
    await staff.screenshot({ path: shot('complete-desktop'), fullPage: true });
    await row.locator('[data-testid=confirm-work-order]').click();
    await expectText(detail, /Resolved[\s\S]*Cap replaced, pressure checked\./);
    await staff.locator('[data-testid=work-order-row]', { hasText: 'Replace the cap' }).waitFor({ state: 'detached' });
    assert.equal(vigil.capabilities.citizenReports.state.reports.get(reportId)!.status, 'resolved');

    // The resident is told as for any resolution: the e-mail to the demo's SMTP sink, with the note.
    const told = await mailTo(vigil, 'hydrant.e2e@example.invalid', 'Your report is resolved: Damaged fire hydrant');
    assert.match(told.text, /Cap replaced, pressure checked\./);
    const after = await staff.locator('body').innerText();
    for (const id of [reportId, workOrderId]) assert.ok(!after.includes(id), `no raw id on the page (${id})`);
    assert.deepEqual(errors, []);
    await phone.close();
    await desk.close();
  }));
