import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ackToken } from '../../src/alerts/delivery/acknowledgements.js';
import { capTime } from '../../src/alerts/cap/cap-model.js';
import { flood } from '../support/alert-fixtures.js';
import { signedIn } from '../support/api-client.js';
import { launchChromium, startDemoNode, expectText } from './browser.js';

const FONTVIEILLE = { latitude: 43.729, longitude: 7.416 };
const MONTE_CARLO = { latitude: 43.7405, longitude: 7.4275 };
const shot = (name: string): string => `${process.env.VIGIL_SCREENSHOT_DIR ?? '/tmp'}/vigil-citizen-${name}.png`;

/**
 * A resident on a phone: opens the citizen app, subscribes with their position and a
 * home tapped on the map, sees the alert covering them first, moves ("I am here now"),
 * gets a pushed warning through the service worker, follows it to their "are you
 * safe?" page, unsubscribes — and, with the server down, still sees the last alerts.
 */
test('citizen app: subscribe with location, alerts covering you first, I am here now, push via the service worker, unsubscribe, offline alerts', async (t) => {
  const started = Date.now();
  const browser = await launchChromium(t);
  if (!browser) return;
  const { vigil, close } = await startDemoNode({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off' });
  let closed = false;
  try {
    // Two public alerts in force: the flood over Fontvieille, and a newer exercise over Monte-Carlo.
    const author = await signedIn(vigil, 'alert-officer');
    const second = await signedIn(vigil, 'duty-officer');
    const issue = async (alert: object): Promise<string> => {
      const d = await author('POST', '/api/alerts', alert);
      await author('POST', `/api/alerts/${d.json.alert.alertId}/submit`);
      assert.equal((await second('POST', `/api/alerts/${d.json.alert.alertId}/approve`)).json.alert.state, 'issued');
      return d.json.alert.alertId as string;
    };
    const floodId = await issue({ ...flood, channels: ['cap-feed'], info: flood.info.map((i) => ({ ...i, expires: capTime(Date.now() + 6 * 3600_000) })) });
    await issue({
      ...flood,
      status: 'Exercise',
      channels: ['cap-feed'],
      info: flood.info.map((i) => ({
        ...i,
        severity: 'Minor',
        headline: `${i.headline} (exercise)`,
        area: [{ areaDesc: 'Casino', circle: [`${MONTE_CARLO.latitude},${MONTE_CARLO.longitude} 0.3`] }],
      })),
    });

    t.diagnostic(`node up and alerts issued after ${Date.now() - started} ms`);
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      locale: 'en-GB',
      geolocation: FONTVIEILLE,
      permissions: ['geolocation', 'notifications'],
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${vigil.url}/citizen`);
    // The service worker installs (app shell cached) and takes control of the page.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
    assert.equal(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration('/citizen'))?.scope), `${vigil.url}/citizen`);
    // The worker script is revalidated on every update check; /citizen is the citizen page with its manifest.
    assert.equal((await fetch(`${vigil.url}/sw.js`)).headers.get('cache-control'), 'no-cache');
    assert.match(await (await fetch(`${vigil.url}/citizen?alert=x`)).text(), /<link rel="manifest" href="\/manifest\.webmanifest"/);
    const manifest = (await (await fetch(`${vigil.url}/manifest.webmanifest`)).json()) as {
      display: string;
      start_url: string;
      icons: { src: string; sizes: string }[];
    };
    assert.equal(manifest.display, 'standalone');
    assert.equal(manifest.start_url, '/citizen');
    for (const icon of manifest.icons) {
      const png = Buffer.from(await (await fetch(`${vigil.url}${icon.src}`)).arrayBuffer());
      assert.equal(png.subarray(1, 4).toString(), 'PNG');
      assert.equal(`${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`, icon.sizes);
    }

    // Subscribe: position from the browser (permission granted), home by a tap on the city's map, e-mail, push.
    await page.getByRole('button', { name: 'Get warnings' }).click();
    await page.getByRole('button', { name: 'Use my location' }).click();
    await page.waitForSelector('[data-testid=places] li[data-kind=last]');
    await expectText(page.locator('[data-testid=places] li[data-kind=last]'), /43\.72900, 7\.41600/);
    await page.waitForSelector('[data-testid=place-map][data-loaded=true]');
    await page.getByLabel('Home').check();
    await page.locator('[data-testid=place-map] canvas').click({ position: { x: 250, y: 80 } });
    await page.waitForSelector('[data-testid=places] li[data-kind=home]');
    await page.fill('input[name=email]', 'resident@example.net');
    assert.equal(await page.isChecked('input[name=push]'), true, 'push is offered where the browser has the Push API');
    await page.check('input[name=consent]');
    await page.screenshot({ path: shot('subscribe'), fullPage: true });
    const t0 = Date.now();
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.waitForSelector('[data-testid=notice]', { timeout: 40_000 });
    t.diagnostic(`subscribe answered after ${Date.now() - t0} ms`);
    // This machine has no route to a browser push service: the app says so and subscribes by e-mail.
    const pushProblem = await page.locator('[data-testid=push-problem]').innerText();
    assert.match(pushProblem, /Push notifications are not available on this device \(.+\)\. Other channels still work\./);
    await expectText(page.locator('[data-testid=notice]'), /You are subscribed/);
    await page.screenshot({ path: shot('subscribed'), fullPage: true });

    const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('vigil.citizen.subscription')!) as { token: string; subscriberId: string });
    const subscribers = vigil.capabilities.alerts.subscribers.state;
    const me = subscribers.subscribers.get(stored.subscriberId)!;
    assert.ok(me, 'the subscriber exists');
    assert.equal(me.email, 'resident@example.net');
    assert.equal(me.language, 'en');
    assert.equal(me.push, null);
    assert.deepEqual(me.locations[0], { kind: 'last', position: [FONTVIEILLE.longitude, FONTVIEILLE.latitude] });
    const home = me.locations.find((l) => l.kind === 'home')!;
    assert.ok(home && Math.abs(home.position[0] - 7.42) < 0.03 && Math.abs(home.position[1] - 43.735) < 0.03, `home tapped in the city: ${home?.position}`);
    const count = subscribers.subscribers.size;

    // The alerts: the flood covering the person's position first.
    await page.getByRole('button', { name: /^Alerts/ }).click();
    await page.waitForSelector('[data-testid=alert-card]');
    const cards = page.locator('[data-testid=alert-card]');
    assert.equal(await cards.count(), 2);
    assert.equal(await cards.nth(0).getAttribute('data-alert-id'), floodId);
    assert.equal(await cards.nth(0).getAttribute('data-covers'), 'true');
    await expectText(
      cards.nth(0),
      /Your location is in this area[\s\S]*Flash flood in Fontvieille[\s\S]*What to do\s*Go upstairs\.[\s\S]*Until \d\d\/\d\d\/2\d{3}/i,
    );
    await expectText(cards.nth(1), /EXERCISE — not a real alert/);
    await page.waitForSelector('[data-testid=alerts-map][data-loaded=true]');
    await page.screenshot({ path: shot('alerts'), fullPage: true });

    // "I am here now" from Monte-Carlo: the same subscriber, its last location moved; the exercise there now comes first.
    await context.setGeolocation(MONTE_CARLO);
    await page.getByRole('button', { name: 'My warnings' }).click();
    await page.getByRole('button', { name: 'I am here now' }).click();
    await page.waitForFunction(() => /Your location is updated/.test(document.querySelector('[data-testid=notice]')?.textContent ?? ''));
    assert.equal(subscribers.subscribers.size, count, 'no duplicate subscriber');
    const moved = subscribers.subscribers.get(stored.subscriberId)!;
    assert.deepEqual(
      moved.locations.find((l) => l.kind === 'last'),
      { kind: 'last', position: [MONTE_CARLO.longitude, MONTE_CARLO.latitude] },
    );
    assert.deepEqual(
      moved.locations.find((l) => l.kind === 'home'),
      home,
    );
    await page.getByRole('button', { name: /^Alerts/ }).click();
    await page.waitForFunction((id) => document.querySelector('[data-testid=alert-card]')?.getAttribute('data-alert-id') !== id, floodId);

    // A push message delivered to the registered worker (Chrome DevTools Protocol), as Vigil's push adapter sends it.
    const cdp = await context.newCDPSession(page);
    const registrationId = new Promise<string>((resolve) => {
      cdp.on(
        'ServiceWorker.workerRegistrationUpdated',
        ({ registrations }: { registrations: { registrationId: string; scopeURL: string; isDeleted: boolean }[] }) => {
          const r = registrations.find((x) => x.scopeURL === `${vigil.url}/citizen` && !x.isDeleted);
          if (r) resolve(r.registrationId);
        },
      );
    });
    await cdp.send('ServiceWorker.enable');
    const link = `${vigil.url}/safe/${ackToken(vigil.ctx.secrets, floodId, stored.subscriberId)}`;
    await cdp.send('ServiceWorker.deliverPushMessage', {
      origin: vigil.url,
      registrationId: await registrationId,
      data: JSON.stringify({
        title: 'Flash flood in Fontvieille',
        body: 'Flash flood in Fontvieille (Fontvieille) Go upstairs.',
        alertId: floodId,
        status: 'Actual',
        url: link,
      }),
    });
    await page.waitForSelector('[data-testid=pushed]');
    await expectText(page.locator('[data-testid=pushed]'), /New warning: Flash flood in Fontvieille/);
    const shown = await page.evaluate(async () =>
      (await (await navigator.serviceWorker.getRegistration('/citizen'))!.getNotifications()).map((n) => ({
        title: n.title,
        body: n.body,
        tag: n.tag,
        data: n.data as unknown,
      })),
    );
    assert.deepEqual(shown, [
      {
        title: 'Flash flood in Fontvieille',
        body: 'Flash flood in Fontvieille (Fontvieille) Go upstairs.',
        tag: floodId,
        data: { alertId: floodId, url: link, status: 'Actual' },
      },
    ]);
    await page.waitForSelector('[data-testid=alerts-map][data-loaded=true]');
    await page.screenshot({ path: shot('pushed'), fullPage: true });
    // An exercise is marked as one in the notification, whatever its title says.
    await cdp.send('ServiceWorker.deliverPushMessage', {
      origin: vigil.url,
      registrationId: await registrationId,
      data: JSON.stringify({ title: 'Drill', body: 'x', alertId: 'alt_x', status: 'Exercise', url: link }),
    });
    await page.waitForFunction(() => /\[EXERCISE\] Drill/.test(document.querySelector('[data-testid=pushed]')?.textContent ?? ''));

    // What a tap on the notification does (a click on a system notification cannot be scripted): the worker's
    // own handler opens the personal "are you safe?" link in the app's window.
    const [worker] = context.serviceWorkers();
    assert.ok(worker);
    await worker.evaluate(async (alertId) => {
      const scope = self as unknown as { registration: ServiceWorkerRegistration; openTarget: (d: unknown) => Promise<unknown> };
      const n = (await scope.registration.getNotifications({ tag: alertId }))[0]!;
      await scope.openTarget(n.data);
    }, floodId);
    await page.waitForURL(link);
    await page.waitForSelector('[data-testid=safe-page] h2');
    await expectText(page.locator('[data-testid=safe-page] h2'), /Fontvieille/);
    t.diagnostic(`pushed and followed at ${Date.now() - t0} ms after subscribing`);

    // Unsubscribe from the app: Vigil forgets the subscriber, the device its token.
    await page.goto(`${vigil.url}/citizen#subscribe`);
    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    await page.waitForFunction(() => /You are unsubscribed/.test(document.querySelector('[data-testid=notice]')?.textContent ?? ''));
    assert.equal(subscribers.subscribers.has(stored.subscriberId), false);
    assert.equal(await page.evaluate(() => localStorage.getItem('vigil.citizen.subscription')), null);

    // The server goes down: the app still opens, with the alerts as last received.
    await page.getByRole('button', { name: /^Alerts/ }).click();
    await page.waitForSelector('[data-testid=alert-card]');
    closed = true;
    await close();
    await page.reload();
    await page.waitForSelector('[data-testid=offline]');
    await page.waitForSelector('[data-testid=alerts-map][data-loaded=true]');
    assert.equal(await page.locator('[data-testid=alert-card]').count(), 2);
    await expectText(page.locator('[data-testid=citizen-alerts]'), /Flash flood in Fontvieille/);
    await page.screenshot({ path: shot('offline'), fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    if (!closed) await close();
  }
});
