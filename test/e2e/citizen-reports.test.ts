import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jpegWithExif } from '../support/tiny-jpeg.js';
import { until } from '../support/until.js';
import { fireDeskWithReport, mailTo, residentPhone, withCitizenReportsScene } from '../support/citizen-reports-e2e.js';
import { expectText, wcagViolations } from './browser.js';

const MONTE_CARLO = { latitude: 43.7391, longitude: 7.4269 };
const shot = (name: string): string => `${process.env.VIGIL_SCREENSHOT_DIR ?? '/tmp'}/vigil-reports-${name}.png`;

/**
 * A resident on a phone reports a blocked fire exit with a photo and their position
 * (told to call 112 in an emergency), loses the network and queues a second report
 * that leaves when it is back; the fire service triages the first into an incident and
 * resolves it with a public note; the resident sees it resolved under "My reports".
 * Each page passes axe-core's WCAG 2.1 AA rules.
 */
test('citizen reports: phone report with photo and position, offline queue, fire service triage into an incident, the reporter sees it resolved; axe-core WCAG 2.1 AA', (t) =>
  withCitizenReportsScene(t, { VIGIL_NOTICE_TICK_MS: '200' }, async ({ browser, vigil }) => {
    const phone = await residentPhone(browser, { geolocation: MONTE_CARLO, permissions: ['geolocation'] });
    // The demo city has reports of its own from past days: the test looks at the ones it sends.
    const demoReports = new Set(vigil.capabilities.citizenReports.state.reports.keys());
    const mine = () => [...vigil.capabilities.citizenReports.state.reports.values()].filter((r) => !demoReports.has(r.reportId));
    const page = await phone.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${vigil.url}/citizen#report`);
    await page.waitForSelector('[data-testid=report-form]');
    await page.getByLabel('Blocked emergency exit').check();
    await expectText(page.locator('[data-testid=call-112]'), /call 112/i);
    await page.selectOption('select[name=attribute-building_open]', 'yes');
    await page.getByRole('button', { name: 'Use my location' }).click();
    await expectText(page.locator('[data-testid=report-where]'), /43\.7391/);
    await page.setInputFiles('input[name=photo]', { name: 'exit.jpg', mimeType: 'image/jpeg', buffer: jpegWithExif(43.75, 7.43) });
    await page.waitForSelector('img.photo-preview');
    await page.fill('textarea[name=description]', 'The fire exit behind the theatre is chained shut');
    await page.fill('input[name=report-phone]', '+377 93 15 00 00');
    // Told when it is resolved: by e-mail (the consent is recorded with the report).
    await page.fill('input[name=report-email]', 'resident.e2e@example.invalid');
    await page.locator('input[name=notify-email]').check();
    await page.waitForSelector('[data-testid=report-map][data-loaded=true]');
    await page.screenshot({ path: shot('form-phone'), fullPage: true });
    assert.deepEqual(await wcagViolations(page), [], 'the report form passes WCAG 2.1 AA');
    // A photo the phone calls a JPEG but that is not one: Vigil refuses the report (Open311 400 with its reason),
    // and the app says why in words, not the server's English; nothing is stored. Then the real photo.
    await page.setInputFiles('input[name=photo]', { name: 'broken.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not really a jpeg') });
    await page.getByRole('button', { name: 'Send the report' }).click();
    await expectText(
      page.locator('[role=alert]', { hasText: 'The report was not accepted' }),
      /^The report was not accepted: The photo is not a JPEG or PNG image that can be read: take or choose another one\.$/,
    );
    assert.equal(mine().length, 0, 'a refused report is not stored');
    await page.setInputFiles('input[name=photo]', { name: 'exit.jpg', mimeType: 'image/jpeg', buffer: jpegWithExif(43.75, 7.43) });
    await page.waitForSelector('img.photo-preview');
    await page.getByRole('button', { name: 'Send the report' }).click();
    await expectText(page.locator('[data-testid=report-done]'), /your report was received[\s\S]*call 112[\s\S]*Monaco Fire and Rescue/i);
    const reports = mine();
    assert.equal(reports.length, 1);
    assert.equal(reports[0]!.serviceCode, 'blocked-emergency-exit');
    assert.ok(reports[0]!.photo, 'the photo came with it');
    assert.equal(reports[0]!.photoPosition, null, 'no consent: the photo position is not kept');
    assert.deepEqual(reports[0]!.notify?.channels, ['email'], 'the consent to be told is recorded');

    // The network drops: a second report waits on the device, and leaves when the network is back.
    await page.getByRole('button', { name: 'Report something else' }).click();
    await page.getByLabel('Graffiti').check();
    await page.getByRole('button', { name: 'Use my location' }).click();
    await expectText(page.locator('[data-testid=report-where]'), /43\.7391/);
    await phone.setOffline(true);
    await page.getByRole('button', { name: 'Send the report' }).click();
    await expectText(page.locator('[data-testid=report-done]'), /No network/);
    assert.equal(mine().length, 1);
    await phone.setOffline(false);
    await page.getByRole('button', { name: 'My reports' }).click();
    await until(() => mine().length === 2, 'the queued report sent when the network came back', 30_000);
    await expectText(page.locator('[data-testid=my-reports]'), /Blocked emergency exit[\s\S]*Received/);
    await page.waitForSelector('[data-testid=public-reports-map][data-loaded=true]');
    await page.screenshot({ path: shot('mine-phone'), fullPage: true });
    assert.deepEqual(await wcagViolations(page), [], 'my reports and the public map pass WCAG 2.1 AA');
    // The city's open data, in the app: each dataset with its downloads (a CSV among them downloads).
    await page.getByRole('button', { name: 'Open data' }).click();
    await page.waitForSelector('[data-testid=open-data][data-loaded=true]', { timeout: 60_000 });
    assert.ok((await page.locator('[data-testid=open-dataset]').count()) >= 5, 'the datasets of the catalogue');
    const csvHref = await page.locator('a.download[href$="/citizen-reports.csv"]').getAttribute('href');
    assert.equal((await page.request.get(new URL(csvHref!, vigil.url).href)).status(), 200);
    assert.deepEqual(await wcagViolations(page), [], 'the open data passes WCAG 2.1 AA');
    await page.getByRole('button', { name: 'My reports' }).click();

    // The fire service triages: opens the report (reads the reporter), makes it an incident, resolves it with a public note.
    const { desk, staff } = await fireDeskWithReport(browser, vigil, 'Blocked emergency exit', errors);
    await expectText(staff.locator('[data-testid=reporter]'), /\+377 93 15 00 00/);
    await staff.locator('[data-testid=make-incident]').click();
    await expectText(staff.locator('[data-testid=report-detail]'), /Being handled[\s\S]*INC-/);
    await staff.fill('textarea[name=public-note]', 'The exit was unchained; the manager was fined.');
    await staff.screenshot({ path: shot('triage-desktop'), fullPage: true });
    await staff.locator('[data-testid=resolve]').click();
    await expectText(staff.locator('[data-testid=report-detail]'), /Resolved/);
    const incident = vigil.capabilities.incidents.service.state.incidents.get(reports[0]!.incident?.incidentId ?? '');
    assert.equal(incident?.source, 'citizen', 'an incident from the citizen report');

    // The reporter is told, without an account: an e-mail through the e-mail channel to the demo's SMTP sink, with their link ...
    const told = await mailTo(vigil, 'resident.e2e@example.invalid', 'Your report is resolved: Blocked emergency exit');
    assert.match(told.text, /The exit was unchained; the manager was fined\.[\s\S]*\/citizen\?follow=/);
    // Triage staff see the notice went out: what it told, on which channel, sent.
    await expectText(staff.locator('[data-testid=report-notices]'), /Resolution · E-mail · .* · Sent/);
    // ... and in the app.
    await page.reload();
    await expectText(page.locator('[data-testid=resolved-notice]'), /was resolved/);
    await expectText(page.locator('[data-testid=my-report-note]').first(), /unchained/);
    await page.screenshot({ path: shot('resolved-phone'), fullPage: true });
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.screenshot({ path: shot('resolved-desktop'), fullPage: true });
    await staff.setViewportSize({ width: 390, height: 844 });
    await staff.screenshot({ path: shot('triage-phone'), fullPage: true });
    assert.deepEqual(errors, []);
    await phone.close();
    await desk.close();
  }));
