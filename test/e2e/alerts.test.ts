import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import mqtt from 'mqtt';
import { SMTPServer } from 'smtp-server';
import { smsc } from '../support/smsc.js';
import { browserPushKeys, pushService } from '../support/push-service.js';
import { MQTT_URL, requireMqtt } from '../support/services.js';
import { inArea } from '../../src/alerts/targeting/area-geometry.js';
import { wavSeconds } from '../../src/alerts/messages/voice.js';
import { ackToken } from '../../src/alerts/delivery/acknowledgements.js';
import { targetAreaOf } from '../../src/alerts/targeting/area-geometry.js';
import { validateCapXml } from '../../src/alerts/cap/cap-validate.js';
import { launchChromium, signInAt, startDemoNode, expectText } from './browser.js';

async function signIn(page: Page, url: string, username: string): Promise<void> {
  await signInAt(page, `${url}/alerts`, username);
  await page.waitForSelector('[data-testid=alert-list]', { state: 'attached' });
}

/** An alert officer writes a flood alert from a template for a neighbourhood; a second officer approves it; it is in the public feed. */
test('public alert: authored in the UI from a template with a neighbourhood as the area, approved by a second officer, delivered on every channel, in the CAP feed', async (t) => {
  if (!(await requireMqtt(t))) return;
  const browser = await launchChromium(t);
  if (!browser) return;
  // The e-mail channel goes to a real SMTP server on loopback, which counts the alert mails it accepts
  // (the demo's citizen reports also send their reporters notices through it, without the alert header).
  let mails = 0;
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const headers = Buffer.concat(chunks)
          .toString('utf8')
          .split(/\r?\n\r?\n/, 1)[0]!;
        if (/^x-vigil-alert:/im.test(headers)) mails++;
        done();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  // SMS goes to an SMSC on loopback over SMPP 3.4.
  const center = await smsc();
  // Web Push to a push service on loopback (the node trusts its certificate as it would a push relay's).
  const push = await pushService();
  // Sirens and loudspeakers listen on the real Mosquitto.
  const sirenTopic = `e2e-${process.pid}-${Date.now().toString(36)}/sirens`;
  const devices = await mqtt.connectAsync(MQTT_URL);
  const commands = new Map<string, { action: string; signal: string; levelDb: number; voice: { language: string; url: string }[] }>();
  devices.on('message', (topic, payload) => commands.set(topic.split('/')[2]!, JSON.parse(payload.toString()) as never));
  await devices.subscribeAsync(`${sirenTopic}/+/command`, { qos: 1 });
  const { vigil, close } = await startDemoNode({
    VIGIL_DC09_PORT: 'off',
    VIGIL_MQTT_EMBEDDED_PORT: 'off',
    VIGIL_SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
    VIGIL_SMPP_URL: center.url,
    VIGIL_PUSH_CA_FILE: push.caFile,
    VIGIL_PUSH_HOSTS: '127.0.0.1',
    VIGIL_SIREN_MQTT_URL: MQTT_URL,
    VIGIL_SIREN_TOPIC: sirenTopic,
  });
  try {
    // A visitor's browser subscribed to Web Push at the Stade Louis II, in English.
    const visitor = browserPushKeys(`${push.base}/push/visitor`);
    const subscribed = await fetch(`${vigil.url}/api/public/subscribers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ language: 'en-GB', consent: true, push: visitor.subscription, locations: [{ kind: 'last', lat: 43.7275, lon: 7.4155 }] }),
    });
    assert.equal(subscribed.status, 201);
    const errors: string[] = [];
    const author = await browser.newPage({ viewport: { width: 1400, height: 1300 } });
    author.on('pageerror', (e) => errors.push(e.message));
    await signIn(author, vigil.url, 'alert-officer');
    await author.getByRole('button', { name: 'New alert' }).click();
    await author.waitForSelector('select[aria-label=Template] option[value=flood]', { state: 'attached' });
    await author.selectOption('select[aria-label=Template]', 'flood');
    assert.equal(await author.inputValue('input[aria-label="Headline (fr-MC)"]'), 'Inondation soudaine');
    // The target area: a neighbourhood's boundary from the city model.
    await author.waitForSelector('select[aria-label=Neighbourhood] option:nth-child(2)', { state: 'attached' });
    const fontvieille = await author.locator('select[aria-label=Neighbourhood] option', { hasText: 'Fontvieille' }).first().getAttribute('value');
    await author.selectOption('select[aria-label=Neighbourhood]', fontvieille!);
    assert.equal(await author.inputValue('input[aria-label="Area description"]'), 'Fontvieille');
    await expectText(author.locator('[data-testid=area-points]'), /^\d+ corners$/);
    await author.fill('input[aria-label="Headline (en-GB)"]', 'Flash flood in Fontvieille');
    // Each language's preview: French with accents fits GSM-7? "é" yes, "ê" no — the preview says which.
    const frPreview = await author.locator('[data-testid="preview-fr-MC"]').innerText();
    assert.match(frPreview, /SMS · (GSM-7|UCS-2) · \d+ \/ \d+ · \d+ part\(s\)/);
    await expectText(author.locator('[data-testid="preview-en-GB"]'), /Cell broadcast · \d+ page\(s\)/);
    await author.waitForSelector('[data-testid=area-map][data-loaded=true]');
    await author.waitForTimeout(500); // the basemap's GeoJSON layers paint after 'load'
    await author.screenshot({ path: process.env.VIGIL_SCREENSHOT_ALERT ?? '/tmp/vigil-alert-form.png', fullPage: true });
    await expectText(author.locator('.alert-form'), /a second alert officer must approve it/);
    await author.getByRole('button', { name: 'Send for approval / issue' }).click();
    await author.waitForSelector('[data-testid=alert-state]');
    assert.equal(await author.locator('[data-testid=alert-state]').textContent(), 'Awaiting approval');
    await expectText(author.locator('[data-testid=alert-detail]'), /Waiting for a second alert officer/);

    // The duty officer sees it live and approves it.
    const approver = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    approver.on('pageerror', (e) => errors.push(e.message));
    await signIn(approver, vigil.url, 'duty-officer');
    await approver.locator('[data-testid=alert-list] li', { hasText: /Flash flood/ }).click(); // in the reader's language
    // Not blind: the area on a map, who lives there and what will sound, and who wrote it, by name.
    // Before approving: who it reaches per channel (the server's estimate), and every language side by side.
    await expectText(
      approver.locator('[data-testid=alert-reach]'),
      /[1-9][\d,]* residents in the area \([\d,]+ buildings, city model\) · \d+ subscribers with a place in it/,
    );
    await expectText(approver.locator('[data-testid=alert-reach] tr[data-channel=sms]'), /SMS\s+[1-9]\d* subscribers/);
    await expectText(
      approver.locator('[data-testid=alert-reach] tr[data-channel=sirens]'),
      /1 siren or loudspeaker|[1-9]\d+ sirens and loudspeakers|[2-9] sirens and loudspeakers/,
    );
    assert.equal(await approver.locator('[data-testid=alert-languages] .lang-block').count(), 2, 'both languages side by side');
    // CAP's codes in words, the code in the tooltip: in the list and in the review.
    const listed = approver.locator('[data-testid=alert-list] li', { hasText: /Flash flood/ }).first();
    await expectText(listed.locator('.muted'), /^(Extreme|Severe|Moderate|Minor) · Public · /);
    assert.match((await listed.locator('[data-cap=severity]').getAttribute('title')) ?? '', /^CAP severity: (Extreme|Severe|Moderate|Minor)$/);
    await expectText(
      approver.locator('[data-testid=alert-codes]'),
      /^Severity: (Extreme|Severe|Moderate|Minor) · Urgency: (Immediate|Expected soon|Future) · Certainty: (Observed|Likely|Possible) · Scope: Public · Real · Alert$/,
    );
    await approver.waitForSelector('[data-testid=alert-area] canvas.maplibregl-canvas');
    await expectText(approver.locator('[data-testid=alert-author]'), /Alex Alert-Officer/);
    await approver.getByRole('button', { name: 'Approve and issue' }).click();
    await approver.waitForFunction(() => document.querySelector('[data-testid=alert-state]')?.textContent === 'Issued');
    await expectText(approver.locator('[data-testid=alert-approver]'), /approved by Dana Duty-Officer/);
    // The author's screen follows without a reload.
    await author.waitForFunction(() => document.querySelector('[data-testid=alert-state]')?.textContent === 'Issued');

    // Delivery progress, live: every subscriber with a location in Fontvieille gets the e-mail.
    await approver.waitForFunction(
      () => /^email\s*(\d+) \/ \1 sent · done/.test((document.querySelector('[data-channel=email]') as HTMLElement | null)?.innerText ?? ''),
      undefined,
      { timeout: 30_000 },
    );
    const emailRow = await approver.locator('[data-channel=email]').innerText();
    const sent = Number(/(\d+) \/ \d+ sent/.exec(emailRow)![1]);
    assert.ok(sent > 10, emailRow);
    assert.equal(mails, sent, 'the SMTP server received every message counted as sent');
    // SMS: sent, then delivered as the SMSC's receipts come in.
    await approver.waitForFunction(
      () => /^sms\s*(\d+) \/ \1 sent, \1 delivered · done/.test((document.querySelector('[data-channel=sms]') as HTMLElement | null)?.innerText ?? ''),
      undefined,
      { timeout: 30_000 },
    );
    const smsSent = Number(/(\d+) \/ \d+ sent/.exec(await approver.locator('[data-channel=sms]').innerText())![1]);
    assert.ok(smsSent > 5);
    assert.equal(new Set(center.received.map((r) => r.to)).size, smsSent, 'the SMSC received a message for every phone counted as sent');
    assert.equal(center.receiptsAnswered.length, center.received.length, 'every receipt answered once recorded');
    // The recipients, by state: every SMS recipient delivered, none failed.
    await approver.selectOption('select[aria-label="Recipients channel"]', 'sms');
    await approver.selectOption('select[aria-label="Recipient state"]', 'delivered');
    await approver.waitForFunction((n) => document.querySelector('[data-testid=recipients-range]')?.textContent === `1–20 of ${n}`, smsSent);
    await approver.selectOption('select[aria-label="Recipient state"]', 'failed');
    await approver.waitForSelector('[data-testid=recipients] >> text=No recipients');
    await approver.selectOption('select[aria-label="Recipient state"]', '');
    await expectText(approver.locator('[data-testid=reach-by-area]'), /Fontvieille\s+\d+ \/ \d+\s+\d+ \/ \d+ \(\d+ delivered\)/);
    // The demo's cell broadcast centre takes the broadcast for every cell of the area.
    await expectText(approver.locator('[data-channel=cell-broadcast]'), /(\d+) \/ \1 sent · done/, 'cell broadcast delivered', 30_000);
    // Web Push: the visitor's browser decrypts the English warning. A liveness bound, not a speed: under a loaded CI
    // machine a first attempt may time out (10 s) and be retried after the dispatcher's backoff (1 s, 4 s, 16 s).
    await approver.waitForFunction(
      () => /^push\s*(\d+) \/ \1 sent · done/.test((document.querySelector('[data-channel=push]') as HTMLElement | null)?.innerText ?? ''),
      undefined,
      { timeout: 90_000 },
    );
    const toVisitor = push.received.filter((r) => r.path === '/push/visitor');
    assert.equal(toVisitor.length, 1);
    const notification = JSON.parse(visitor.decrypt(toVisitor[0]!.body)) as { title: string; url: string };
    assert.equal(notification.title, 'Flash flood in Fontvieille');
    assert.match(notification.url, /\/safe\//);
    // Sirens and loudspeakers inside Fontvieille got their MQTT command; each loudspeaker a WAV per language.
    await approver.waitForFunction(
      () => /^sirens\s*(\d+) \/ \1 sent · done/.test((document.querySelector('[data-channel=sirens]') as HTMLElement | null)?.innerText ?? ''),
      undefined,
      { timeout: 30_000 },
    );
    const issued = [...vigil.capabilities.alerts.service.state.alerts.values()].find((a) => a.state === 'issued')!;
    const inside = [...vigil.capabilities.city.service.state.devices.values()].filter(
      (d) => (d.kind === 'siren' || d.kind === 'loudspeaker') && inArea(d.position, targetAreaOf(issued.cap.info![0]!.area!)),
    );
    assert.ok(inside.some((d) => d.kind === 'siren') && inside.some((d) => d.kind === 'loudspeaker'), 'Fontvieille has sirens and loudspeakers in the demo');
    assert.deepEqual([...commands.keys()].sort(), inside.map((d) => d.id).sort());
    for (const d of inside) assert.equal(commands.get(d.id)!.action, 'sound');
    const speaker = commands.get(inside.find((d) => d.kind === 'loudspeaker')!.id)!;
    assert.deepEqual(
      speaker.voice.map((v) => v.language),
      ['fr-MC', 'en-GB'],
    );
    for (const v of speaker.voice) {
      const wav = Buffer.from(await (await fetch(v.url)).arrayBuffer());
      assert.equal(wav.toString('latin1', 0, 4), 'RIFF');
      assert.ok(wavSeconds(wav) > 2, `${v.language}: ${wavSeconds(wav)} s of speech`);
    }
    await approver.waitForFunction(
      () =>
        /email\s+100 %/.test(document.querySelector('[data-testid=alert-report]')?.textContent?.replace(/\s+/g, ' ') ?? '') ||
        /email100 %/.test(document.querySelector('[data-testid=alert-report]')?.textContent ?? ''),
    );
    await approver.screenshot({ path: process.env.VIGIL_SCREENSHOT_DELIVERY ?? '/tmp/vigil-alert-delivery.png' });

    // A resident answers "I need help" from their personal link, without an account; the officers see it live.
    const alertId = /\/api\/alerts\/public\/([^/]+)\//.exec(await (await fetch(`${vigil.url}/api/alerts/feed.atom`)).text())![1]!;
    const alert = vigil.capabilities.alerts.service.state.alerts.get(alertId)!;
    const resident = vigil.capabilities.alerts.subscribers.state.within(targetAreaOf(alert.cap.info![0]!.area!))[0]!;
    const citizen = await browser.newPage({ viewport: { width: 420, height: 800 } });
    citizen.on('pageerror', (e) => errors.push(e.message));
    await citizen.goto(`${vigil.url}/safe/${ackToken(vigil.ctx.secrets, alertId, resident.subscriberId)}`);
    await citizen.getByRole('button', { name: 'I need help' }).click();
    await citizen.waitForSelector('[data-testid=answer]');
    await approver.waitForFunction(() => /1 need help/.test(document.querySelector('[data-testid=answers]')?.textContent ?? ''));
    // Another resident answers the SMS with "sauf" from their phone; it shows live too, and in the recipients table.
    const phones = vigil.capabilities.alerts.subscribers.state.byPhone;
    const texter = center.received.map((r) => r.to).find((to) => phones.get(to) && phones.get(to) !== resident.subscriberId)!;
    assert.equal(await center.mo(texter, 'Sauf'), 0);
    await approver.waitForFunction(() => /1 safe/.test(document.querySelector('[data-testid=answers]')?.textContent ?? ''));
    await approver.selectOption('select[aria-label="Recipient answer"]', 'safe');
    await approver.waitForFunction(() => document.querySelector('[data-testid=recipients-range]')?.textContent === '1–1 of 1');
    assert.equal(await approver.locator('[data-testid=recipients] tbody tr td').nth(1).innerText(), `+${texter}`);
    await approver.screenshot({ path: process.env.VIGIL_SCREENSHOT_RECIPIENTS ?? '/tmp/vigil-alert-recipients.png', fullPage: true });

    const feed = await (await fetch(`${vigil.url}/api/alerts/feed.atom`)).text();
    assert.match(feed, /<title>Inondation soudaine<\/title>/);
    const capUrl = /href="([^"]+cap\.xml)"/.exec(feed)![1]!;
    const cap = await (await fetch(capUrl)).text();
    assert.deepEqual(await validateCapXml(cap), { valid: true, errors: [] });
    assert.match(cap, /<areaDesc>Fontvieille<\/areaDesc>\s*<polygon>43\.\d+,7\.\d+ /);
    assert.match(cap, /<language>en-GB<\/language>[\s\S]*<headline>Flash flood in Fontvieille<\/headline>/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await close();
    await new Promise<void>((r) => smtp.close(() => r()));
    await center.close();
    await push.close();
    await devices.endAsync();
  }
});
