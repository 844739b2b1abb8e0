import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launchChromium, signInAt, startDemoNode } from './browser.js';

/**
 * A commander sets up a major event from the UI: name, window, the private security firm
 * taking part at staff level; the firm's guard then finds it in their list; the commander
 * takes the firm off the roster and the guard no longer sees it.
 */
test('event setup in the browser: created with a participating organisation, roster edited, access follows', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const { vigil, close } = await startDemoNode({ VIGIL_DC09_PORT: 'off' });
  try {
    const errors: string[] = [];
    const commander = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    commander.on('pageerror', (e) => errors.push(e.message));
    await signInAt(commander, `${vigil.url}/events`, 'commander');
    await commander.waitForSelector('[data-testid=event-item]');
    await commander.click('[data-testid=new-event-button]');
    await commander.fill('input[aria-label="Event name"]', 'Yacht Show');
    await commander.fill('textarea[aria-label="Event description"]', 'Boats on the Quai Rainier III');
    const security = [...vigil.capabilities.identity.service.state.orgs.values()].find((o) => o.kind === 'security')!;
    await commander.selectOption('select[aria-label="Organisation to add"]', security.id);
    await commander.getByRole('button', { name: 'Add organisation' }).click();
    await commander.selectOption(`select[aria-label="Default clearance of ${security.name}"]`, '2');
    await commander.fill('input[aria-label="Member username"]', 'guard');
    await commander.fill('input[aria-label="Member event role"]', 'Pontoon guard');
    await commander.getByRole('button', { name: 'Add member' }).click();
    await commander.screenshot({ path: '/tmp/vigil-event-setup.png', fullPage: true });
    await commander.click('[data-testid=create-event]');
    await commander.waitForFunction(() => document.querySelector('[data-testid=event-name]')?.textContent?.includes('Yacht Show'));
    const created = [...vigil.capabilities.events.service.state.events.values()].find((e) => e.name === 'Yacht Show')!;
    assert.deepEqual(
      created.participants.filter((p) => p.orgId !== created.ownerOrgId).map((p) => [p.orgId, p.maxClearance, p.defaultClearance]),
      [[security.id, 2, 2]],
      'the owner takes part; the firm at staff level',
    );
    assert.deepEqual(
      created.members.map((m) => [m.username, m.eventRole, m.clearance]).filter(([u]) => u === 'guard'),
      [['guard', 'Pontoon guard', 2]],
    );

    const guard = await browser.newPage({ viewport: { width: 420, height: 860 } });
    guard.on('pageerror', (e) => errors.push(e.message));
    await signInAt(guard, `${vigil.url}/events`, 'guard');
    await guard.waitForSelector('[data-testid=event-item]:has-text("Yacht Show")');

    // The firm leaves the roster: the guard's next look finds no such event.
    await commander.click('[data-testid=edit-roster]');
    await commander
      .locator('[data-testid=roster-editor] [data-testid=roster-orgs] tr', { hasText: security.name })
      .getByRole('button', { name: 'Remove' })
      .click();
    await commander
      .locator('[data-testid=roster-editor] [data-testid=roster-members] tr', { hasText: 'guard' })
      .getByRole('button', { name: 'Remove' })
      .click();
    await commander.click('[data-testid=save-roster]');
    await commander.waitForSelector('[data-testid=roster-editor]', { state: 'detached' });
    assert.deepEqual(
      vigil.capabilities.events.service.state.events.get(created.eventId)!.participants.map((p) => p.orgId),
      [created.ownerOrgId],
    );
    await guard.reload();
    await guard.waitForSelector('[data-testid=events-page]');
    await guard.waitForTimeout(500);
    assert.equal(await guard.locator('[data-testid=event-item]:has-text("Yacht Show")').count(), 0);
    const direct = await guard.request.get(`${vigil.url}/api/events/${created.eventId}`);
    assert.equal(direct.status(), 404);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await close();
  }
});
