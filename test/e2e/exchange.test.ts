import assert from 'node:assert/strict';
import { test } from 'node:test';
import amqp from 'amqplib';
import { edxlDe } from '../../src/exchange/index.js';
import { CAP_DOC, HAVE_DOC } from '../support/edxl-fixtures.js';
import { partnerLinkedNode, TEST_AMQP_URL } from '../support/exchange-nodes.js';
import { signedIn } from '../support/api-client.js';
import { until } from '../support/until.js';
import { expectText, launchChromium, openNavPage, signInAt } from './browser.js';

/**
 * The Exchange page: a node linked to a partner's hub (the test plays the partner on the
 * machine's RabbitMQ) shows the link's health, the incident the partner sent with its origin,
 * a resource request and the hospitals' availability, in English and French, wide and narrow.
 */
test('Exchange page: link health, an incident from the partner with its origin (an invalid one answered with an error report), a resource request, hospitals', async (t) => {
  const { vigil, identity, exchange: ex, hubOrgId, amqpExchange: exchange, agency, partner, close } = await partnerLinkedNode();
  const browser = await launchChromium(t);
  const connection = await amqp.connect(TEST_AMQP_URL);
  try {
    // The partner sends an incident to this agency's queue, in the hubs' JSON form.
    const channel = await connection.createConfirmChannel();
    const message = {
      vigil: 'incident',
      change: 'opened',
      note: null,
      incident: {
        id: 'samu-case-77',
        reference: 'DRFR15-2026-77',
        version: 1,
        type: 'medical',
        priority: 1,
        title: 'Cardiac arrest on the beach',
        description: 'Bystander CPR in progress',
        position: [7.4285, 43.7398],
        address: 'Plage du Larvotto',
        status: 'new',
        resolution: null,
        createdAt: '2026-12-03T12:00:00Z',
        closedAt: null,
        units: [],
      },
    };
    const envelope = edxlDe.envelope({
      distributionId: `${partner}:1`,
      senderId: partner,
      to: [agency],
      kind: 'Report',
      now: Date.now(),
      contents: [{ incidentId: 'samu-case-77', json: message }],
    });
    channel.publish(exchange, agency, Buffer.from(JSON.stringify(edxlDe.distributionToJson(envelope))), {
      persistent: true,
      messageId: envelope.distributionId,
      contentType: 'application/json',
    });
    await channel.waitForConfirms();
    await until(() => ex.state.origins.size === 1, 'the partner incident');

    // What is wrong is answered with an EDXL-DE error report naming the distribution: an invalid incident from the partner…
    const bad = edxlDe.envelope({
      distributionId: `${partner}:2`,
      senderId: partner,
      to: [agency],
      kind: 'Update',
      now: Date.now(),
      contents: [{ json: { ...message, incident: { ...message.incident, id: 'samu-case-78', priority: 9 } } }],
    });
    channel.publish(exchange, agency, Buffer.from(edxlDe.distributionToXml(bad)), {
      persistent: true,
      messageId: bad.distributionId,
      contentType: 'application/xml',
    });
    await channel.waitForConfirms();
    const replies = `${exchange}.${partner}`;
    let errorReport: ReturnType<typeof edxlDe.parseDistribution> | null = null;
    await until(async () => {
      const got = await channel.get(replies, { noAck: true });
      if (got) {
        const d = edxlDe.parseDistribution(got.content.toString('utf8'));
        if (d.kind === 'Error') errorReport = d;
      }
      return errorReport !== null;
    }, 'the error report');
    assert.equal(errorReport!.references![0], edxlDe.referenceOf(bad));
    assert.match(JSON.stringify(errorReport!.contents[0]!.json), /priority is 1 to 5/);
    // Refused, not applied, and counted on the link's health.
    assert.equal(ex.state.origins.size, 1, 'the invalid incident was not applied');
    assert.equal(ex.health(identity.resolvePrincipalOf('commander')).rejected, 1);

    // The partner's CAP alert in an envelope: imported like another agency's feed, owned by the partner's organisation.
    const capEnvelope = edxlDe.envelope({
      distributionId: `${partner}:3`,
      senderId: partner,
      to: [agency],
      kind: 'Report',
      now: Date.now(),
      contents: [{ xml: CAP_DOC }],
    });
    channel.publish(exchange, agency, Buffer.from(edxlDe.distributionToXml(capEnvelope)), {
      persistent: true,
      messageId: capEnvelope.distributionId,
      contentType: 'application/xml',
    });
    await channel.waitForConfirms();
    const alertsState = vigil.capabilities.alerts.service.state;
    await until(() => [...alertsState.alerts.values()].some((a) => a.imported?.via === 'link'), 'the partner’s CAP alert');
    const fromPartner = [...alertsState.alerts.values()].find((a) => a.imported?.via === 'link')!;
    assert.equal(fromPartner.orgId, hubOrgId);
    assert.equal(fromPartner.imported!.agency, partner);
    assert.equal(fromPartner.cap.identifier, 'vigil-edxl-1');

    // A hospital reports availability; the fire service asks the police for an ambulance.
    const admin = await signedIn(vigil, 'admin');
    const have = await admin('POST', '/api/exchange/hospitals', HAVE_DOC, 'application/xml');
    assert.equal(have.status, 201, have.body);
    const responder = await signedIn(vigil, 'commander');
    const fireOrg = identity.state.usersByName.get('responder')!.orgId;
    const rm = await responder('POST', '/api/exchange/resource-messages', {
      type: 'RequestResource',
      toOrgId: fireOrg,
      resources: [{ elementId: '1', typeName: 'ambulance', quantity: 2 }],
    });
    assert.equal(rm.status, 201, rm.body);
    const xml = await responder('GET', `/api/exchange/resource-messages/${rm.json.message.messageId}/xml`);
    assert.match(xml.body, /<RequestResource xmlns="urn:oasis:names:tc:emergency:EDXL:RM:1.0:msg">/);

    if (!browser) return;
    for (const [width, height] of [
      [1440, 900],
      [390, 844],
    ] as const) {
      const page = await browser.newPage({ viewport: { width, height } });
      await signInAt(page, `${vigil.url}/exchange`, 'commander');
      await expectText(page.getByTestId('link-state'), /connected/i);
      await expectText(page.getByTestId('exchange-link'), new RegExp(`${partner} \\(Riviera Medical Hub \\(partner\\)\\)`));
      const received = await expectText(page.getByTestId('exchange-received'), /Cardiac arrest on the beach/);
      assert.match(received, new RegExp(`${partner} · DRFR15-2026-77`));
      const sitRep = await page.request.get(
        await page
          .getByTestId('exchange-received')
          .getByRole('link')
          .first()
          .getAttribute('href')
          .then((h) => `${vigil.url}${h}`),
      );
      assert.match(await sitRep.text(), /<SitRep xmlns="urn:oasis:names:tc:emergency:EDXL:SitRep:1.0">[\s\S]*Cardiac arrest on the beach/);
      await expectText(page.getByTestId('exchange-hospitals'), /Centre Hospitalier Princesse Grace[\s\S]*under pressure[\s\S]*AdultICU 3\/12/i);
      await expectText(page.getByTestId('exchange-rm'), /Request[\s\S]*Monaco Public Safety Police[\s\S]*Monaco Fire and Rescue[\s\S]*2 × ambulance/);
      assert.equal((await page.content()).includes('guest'), false, 'no broker credentials on the page');
      const pageWidth = await page.getByTestId('exchange-link').evaluate((e) => (e.closest('.exchange-page') as HTMLElement).scrollWidth);
      t.diagnostic(`${width}px: the page's content is ${pageWidth}px wide`);
      await page.screenshot({ path: `/tmp/vigil-exchange-${width}.png`, fullPage: true });
      if (width === 1440) {
        // The partner's alert with the other agencies' alerts, saying it came over the link.
        await openNavPage(page, 'Other agencies');
        await expectText(page.locator('body'), new RegExp(`Flash flood in Fontvieille[\\s\\S]*partner link ${partner}`));
        await openNavPage(page, 'Exchange');
      }
      // In French.
      await page.selectOption('select[aria-label=Language]', 'fr');
      await expectText(page.getByTestId('link-state'), /connectée/i);
      await expectText(page.getByTestId('exchange-hospitals'), /en tension/i);
      await page.screenshot({ path: `/tmp/vigil-exchange-${width}-fr.png`, fullPage: true });
      await page.close();
    }
  } finally {
    await browser?.close();
    await connection.close().catch(() => undefined);
    await close();
  }
});
