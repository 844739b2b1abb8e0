import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launchChromium, signInAt, startDemoNode } from './browser.js';

/**
 * A major event with two organisations of different clearance, in two browsers:
 * the police commander (officer level: command needs a second factor) draws an
 * officer-only zone, shares a note with the organiser's stewards and pushes guidance;
 * the steward (staff level) sees the perimeter, gates and note but not the zone,
 * receives the guidance live and acknowledges it; the commander sees who did.
 */
test('events in the browser: commander and steward of the Harbour Grand Prix see what their clearance allows', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const { vigil, close } = await startDemoNode({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off' });
  await vigil.capabilities.routing.loaded;
  try {
    const errors: string[] = [];
    const cmd = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    cmd.on('pageerror', (e) => errors.push(`commander: ${e.message}`));
    await signInAt(cmd, `${vigil.url}/events`, 'commander');
    await cmd.waitForSelector('[data-testid=event-map][data-loaded=true]');
    await cmd.waitForSelector('.live-indicator.on');
    assert.match((await cmd.textContent('[data-testid=event-name]')) ?? '', /Harbour Grand Prix/);
    assert.match((await cmd.textContent('[data-testid=my-level]')) ?? '', /3 · officer \(Gold commander\)/);
    assert.match((await cmd.textContent('[data-testid=level-capped]')) ?? '', /second factor/);

    const stw = await browser.newPage({ viewport: { width: 420, height: 900 }, isMobile: true });
    stw.on('pageerror', (e) => errors.push(`steward: ${e.message}`));
    await signInAt(stw, `${vigil.url}/events`, 'steward');
    await stw.waitForSelector('[data-testid=event-map][data-loaded=true]');
    await stw.waitForSelector('.live-indicator.on');
    assert.equal(await stw.locator('[data-testid=event-item]').count(), 1, 'the steward takes part in the race only');

    // The commander draws a zone restricted to officers.
    await cmd.click('[data-testid=draw-start]');
    await cmd.selectOption('select[aria-label=Kind]', 'zone');
    await cmd.fill('input[aria-label="Feature name"]', 'Restricted: pit lane');
    const box = (await cmd.locator('[data-testid=event-map]').boundingBox())!;
    for (const [dx, dy] of [
      [0.55, 0.45],
      [0.65, 0.45],
      [0.6, 0.55],
    ] as const)
      await cmd.mouse.click(box.x + box.width * dx, box.y + box.height * dy);
    await cmd.waitForSelector('[data-testid=draw-points]:has-text("3 points")');
    await cmd.selectOption('select[aria-label="feature clearance"]', '3');
    await cmd.click('[data-testid=draw-save]');
    await cmd.waitForSelector('[data-testid=feature-row]:has-text("Restricted: pit lane")');

    // A note for the stewards' organisation only, at staff level.
    await cmd.fill('input[aria-label="Note title"]', 'Gate briefing');
    await cmd.fill('input[aria-label="Note text"]', 'Gate B closes at 14:00; send spectators to Gate A.');
    await cmd.selectOption('select[aria-label="upload clearance"]', '2');
    await cmd.check('input[aria-label="upload share Harbour Events Ltd (demo organiser)"]');
    await cmd.click('[data-testid=note-share]');
    await cmd.waitForSelector('[data-testid=event-upload]:has-text("Gate briefing")');

    // Guidance: a foot route from Gate B to Gate A on the routing engine, to the stewards.
    await cmd.fill('input[aria-label=Instruction]', 'Barrier team: move to Gate A now');
    await cmd.check('input[aria-label="guidance to Harbour Events Ltd (demo organiser)"]');
    await cmd.selectOption('select[aria-label="Route from"]', { label: 'Gate B — Stade Nautique' });
    await cmd.selectOption('select[aria-label="Route to"]', { label: 'Gate A — Sainte-Dévote' });
    await cmd.click('[data-testid=guidance-push]');
    await cmd.waitForSelector('[data-testid=guidance-item]:has-text("Barrier team: move to Gate A now")');
    assert.match((await cmd.textContent('[data-testid=guidance-item]')) ?? '', /foot route · \d+ m/);

    // The steward: perimeter, gates, the note and the guidance (live), never the restricted zone.
    await stw.waitForSelector('[data-testid=guidance-item]:has-text("Barrier team: move to Gate A now")');
    await stw.waitForSelector('[data-testid=event-upload]:has-text("Gate briefing")');
    const rows = await stw.locator('[data-testid=feature-row]').allTextContents();
    assert.ok(
      rows.some((r) => /Circuit perimeter/.test(r)),
      rows.join('\n'),
    );
    assert.equal(rows.filter((r) => /Gate [ABC]/.test(r)).length, 3);
    assert.ok(!rows.some((r) => /Restricted|Command post/.test(r)), 'officer-only features stay hidden');
    assert.match((await stw.textContent('[data-testid=my-level]')) ?? '', /2 · steward \/ staff \(Gate steward\)/);
    assert.equal(await stw.locator('[data-testid=draw-start]').count(), 0, 'stewards do not draw');
    await stw.screenshot({ path: process.env.VIGIL_SCREENSHOT_EVENT_STEWARD ?? '/tmp/vigil-event-steward.png', fullPage: true });
    await stw.click('[data-testid=guidance-ack]');
    await stw.waitForSelector('[data-testid=guidance-acked]');

    // The commander sees the acknowledgement arrive.
    await cmd.waitForSelector('[data-testid=guidance-acks]:has-text("Stella Steward")');
    await cmd.locator('[data-testid=feature-row]:has-text("Restricted: pit lane")').click();
    await cmd.screenshot({ path: process.env.VIGIL_SCREENSHOT_EVENT_COMMANDER ?? '/tmp/vigil-event-commander.png', fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await close();
  }
});
