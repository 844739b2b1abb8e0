import assert from 'node:assert/strict';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { haversineM } from '../../src/kernel/geo.js';
import { launchChromium, signInAt, startDemoNode, expectText } from './browser.js';

/**
 * Command and control in the browser: a call → incident → recommended unit →
 * dispatch → the unit's AVL position over MQTT moves it on the map → the responder
 * (on a phone) reports on scene → the commander closes it.
 */
test('incidents in the browser: call → recommended unit → dispatch → AVL moves it on the map → on scene (phone) → closed', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const { vigil, close } = await startDemoNode({ VIGIL_DC09_PORT: 'off' });
  await vigil.capabilities.routing.loaded;
  const avl = await mqtt.connectAsync(`mqtt://127.0.0.1:${vigil.capabilities.alarms.receiver.mqttPort!}`, {
    clientId: 'avl-e2e',
    ...vigil.capabilities.mqttInternal,
  });
  try {
    const units = vigil.capabilities.units.service.state;
    const fpt = [...units.units.values()].find((u) => u.callSign === 'FPT 1')!;
    const epa = [...units.units.values()].find((u) => u.callSign === 'EPA 1')!;
    // A named site nearer to FPT 1 (the demo responder's engine) than to the ladder, so FPT 1 is recommended.
    const names = new Map<string, number>();
    const sites = [...vigil.capabilities.city.service.state.sites.values()].filter((s) => s.name);
    for (const s of sites) names.set(s.name!, (names.get(s.name!) ?? 0) + 1);
    const site = sites
      .filter((s) => names.get(s.name!) === 1 && haversineM(s.position, fpt.homePosition) + 30 < haversineM(s.position, epa.homePosition))
      .sort((a, b) => haversineM(a.position, fpt.homePosition) - haversineM(b.position, fpt.homePosition))[2]!;

    const desk = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    desk.on('pageerror', (e) => errors.push(`desk: ${e.message}`));
    await signInAt(desk, `${vigil.url}/incidents`, 'commander');
    await desk.waitForSelector('[data-testid=incident-board]');
    await desk.waitForSelector('.live-indicator.on');
    await desk.click('[data-testid=new-incident]');
    await desk.selectOption('select[aria-label="Incident type"]', 'fire');
    await desk.fill('input[aria-label="Site or address"]', site.name!);
    await desk.fill('textarea[aria-label=Description]', 'Smoke from the roof, people inside');
    await desk.fill('input[aria-label="Caller name"]', 'Demo caller');
    await desk.fill('input[aria-label="Caller phone"]', '+377 99 99 99 99');
    await desk.click('button[type=submit]');
    await desk.waitForSelector('[data-testid=incident-detail]');
    await desk.waitForSelector('[data-testid=recommendation] tbody tr');
    const first = desk.locator('[data-testid=recommendation] tbody tr').first();
    assert.equal(await first.getAttribute('data-unit'), 'FPT 1');
    await expectText(desk.locator('[data-testid=recommendation]'), /road graph with live traffic and closures/);
    await first.getByRole('button').click();
    await desk.waitForSelector('[data-testid=assignments] tbody tr');
    await expectText(desk.locator('[data-testid=assignments]'), /FPT 1/);
    assert.equal(await desk.locator('[data-testid=incident-status]').getAttribute('data-status'), 'dispatched');
    assert.equal(await desk.locator('[data-testid=incident-status]').innerText(), 'Dispatched', 'the status in words, not its slug');
    const incident = [...vigil.capabilities.incidents.service.state.incidents.values()].find((i) => i.description === 'Smoke from the roof, people inside')!;
    assert.equal(incident.location.siteId, site.id);

    // The responder's phone shows the assignment and its route.
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    phone.on('pageerror', (e) => errors.push(`phone: ${e.message}`));
    await signInAt(phone, `${vigil.url}/responder`, 'responder');
    await phone.waitForSelector('[data-testid=responder-incident]');
    await expectText(phone.locator('[data-testid=responder-incident]'), new RegExp(incident.reference));
    await phone.click('[data-testid=unit-en-route]');
    await phone.waitForFunction(() => document.querySelector('[data-testid=unit-status]')?.textContent === 'En route');
    // The phone's map is framed on the incident, the unit and its route (fitTo's bounds in data-fitted).
    await phone.waitForFunction(() => document.querySelector('[data-testid=command-map]')?.getAttribute('data-fitted'), null, { timeout: 30_000 });
    await phone.waitForTimeout(800);
    await phone.screenshot({ path: process.env.VIGIL_SCREENSHOT_RESPONDER ?? '/tmp/vigil-responder-390.png' });

    // The engine's AVL reports over MQTT; the commander's map moves it (live, no reload).
    const halfway: [number, number] = [
      Math.round(((fpt.homePosition[0] + site.position[0]) / 2) * 1e6) / 1e6,
      Math.round(((fpt.homePosition[1] + site.position[1]) / 2) * 1e6) / 1e6,
    ];
    await avl.publishAsync(`vigil/units/${fpt.unitId}/position`, JSON.stringify({ lon: halfway[0], lat: halfway[1], speed: 11, heading: 45 }), { qos: 1 });
    await desk.waitForFunction((p) => JSON.parse(document.querySelector('[data-testid=unit-positions]')?.textContent ?? '{}')['FPT 1']?.[0] === p[0], halfway);
    await desk.waitForFunction(() => document.querySelector('[data-testid=command-map]')?.getAttribute('data-ready') === 'yes');
    await desk.waitForTimeout(500); // let MapLibre paint the moved marker before the screenshot
    await desk.screenshot({ path: process.env.VIGIL_SCREENSHOT_INCIDENTS ?? '/tmp/vigil-incidents-desktop.png' });

    // On scene from the phone: the incident follows on the commander's board.
    await phone.click('[data-testid=unit-on-scene]');
    await phone.waitForFunction(() => document.querySelector('[data-testid=unit-status]')?.textContent === 'On scene');
    await phone.fill('input[aria-label="Message (internal)"]', 'On scene, two people at a 3rd-floor window');
    await phone.getByRole('button', { name: 'Send', exact: true }).click();
    await phone.waitForFunction(() => document.querySelector('[data-testid=log-internal]')?.textContent?.includes('3rd-floor window'));
    await phone.evaluate(() => document.querySelector('.page')?.scrollTo(0, 0));
    await phone.waitForTimeout(300);
    await phone.screenshot({ path: process.env.VIGIL_SCREENSHOT_RESPONDER ?? '/tmp/vigil-incidents-phone.png' });
    await desk.waitForFunction(() => document.querySelector('[data-testid=incident-status]')?.getAttribute('data-status') === 'on-scene');
    await desk.waitForFunction(() => document.querySelector('[data-testid=log-internal]')?.textContent?.includes('3rd-floor window'));

    // The commander records the casualties by triage category; the view says who and when.
    await expectText(desk.locator('[data-testid=casualties]'), /No casualties recorded/);
    await desk.click('[data-testid=casualties-edit]');
    await desk.fill('[data-testid=casualties] input[aria-label=Immediate]', '1');
    await desk.fill('[data-testid=casualties] input[aria-label=Minor]', '2');
    await desk.click('[data-testid=casualties-save]');
    await desk.waitForSelector('[data-testid=casualties] td[data-triage=minor]:text-is("2")', { timeout: 30_000 });
    await expectText(desk.locator('[data-testid=casualties]'), /Recorded by/);
    assert.deepEqual(vigil.capabilities.incidents.service.state.incidents.get(incident.incidentId)!.casualties?.counts, {
      immediate: 1,
      delayed: 0,
      minor: 2,
      deceased: 0,
      unknown: 0,
    });

    await desk.click('[data-testid=status-contained]');
    await desk.waitForFunction(() => document.querySelector('[data-testid=incident-status]')?.getAttribute('data-status') === 'contained');
    await desk.selectOption('select[aria-label="Incident resolution"]', 'resolved');
    await desk.click('[data-testid=status-closed]');
    await desk.waitForFunction(() => document.querySelector('[data-testid=incident-status]')?.getAttribute('data-status') === 'closed');
    assert.equal(units.units.get(fpt.unitId)!.status, 'returning');
    const timeline = await desk.request.get(`${vigil.url}/api/incidents/${incident.incidentId}/timeline.json`);
    const entries = ((await timeline.json()) as { entries: { category: string }[] }).entries;
    for (const c of ['incident', 'dispatch', 'unit', 'message'])
      assert.ok(
        entries.some((e) => e.category === c),
        c,
      );
    assert.deepEqual(errors, []);
  } finally {
    await avl.endAsync();
    await browser.close();
    await close();
  }
});
