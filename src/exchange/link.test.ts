import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signedIn } from '../../test/support/api-client.js';
import { TEST_AMQP_URL, twoAgencies } from '../../test/support/exchange-nodes.js';
import { privateBroker } from '../../test/support/rabbitmq.js';
import { until } from '../../test/support/until.js';
import { parseDistribution } from './edxl/edxl-de.js';

test('two agencies over RabbitMQ: an incident, its updates and its closure cross, with the broker restarted midway; nothing lost or duplicated', async () => {
  // A broker of this test's own (the machine's RabbitMQ serves the other tests), really stopped and started again.
  const broker = await privateBroker();
  const { tag, nodeA, nodeB, cityAOnB, close } = await twoAgencies({ VIGIL_EXCHANGE_AMQP_URL: broker.url }).catch(async (e: unknown) => {
    await broker.close();
    throw e;
  });
  try {
    const exA = nodeA.vigil.capabilities.exchange.service;
    const exB = nodeB.vigil.capabilities.exchange.service;
    const commanderA = await signedIn(nodeA.vigil, 'commander');
    const commanderB = await signedIn(nodeB.vigil, 'commander');
    await until(async () => (await commanderA('GET', '/api/exchange/link')).json.link.state === 'connected', 'the link to connect');
    const health = (await commanderA('GET', '/api/exchange/link')).json.link;
    assert.equal(health.broker, broker.hostPort, 'the broker is named without its credentials');
    assert.equal(JSON.stringify(health).includes('guest'), false);
    assert.equal(health.partnerOrgName, 'Agency B (partner)');

    // A's police open an incident: it reaches B as an incident of "City A (partner)", its origin shown.
    const created = await commanderA('POST', '/api/incidents', {
      type: 'fire',
      priority: 2,
      title: 'Smoke in the harbour car park',
      description: 'Level -2, reported by a warden',
      position: [7.4246, 43.7351],
      source: 'call',
    });
    assert.equal(created.status, 201, created.body);
    const remote = created.json.incident;
    await until(() => exB.state.origins.size === 1, 'the incident on B');
    const local = () => nodeB.vigil.capabilities.incidents.service.state.incidents.get([...exB.state.origins.values()][0]!.localIncidentId)!;
    assert.equal(local().orgId, cityAOnB);
    assert.equal(local().title, 'Smoke in the harbour car park');
    const seen = await commanderB('GET', '/api/exchange/incidents');
    assert.equal(seen.status, 200, seen.body);
    assert.equal(seen.json.received[0].remoteReference, remote.reference);
    assert.match(seen.json.received[0].agency, /^city-a-/);
    assert.match(
      (await commanderB('GET', `/api/incidents/${local().incidentId}`)).json.incident.description,
      new RegExp(`^From city-a-${tag}, ${remote.reference}`),
    );
    await until(() => exA.state.outbox.size === 0, "B's acknowledgement");

    // An update races the broker's shutdown (delivered before it, or resent after: once either way);
    // the broker stops, and A keeps working while it is down; then it starts again (its durable queues kept).
    const patched = await commanderA('PATCH', `/api/incidents/${remote.incidentId}`, { priority: 1, title: 'Fire in the harbour car park' });
    assert.equal(patched.status, 200, patched.body);
    await broker.stop();
    await until(() => exA.health(nodeA.vigil.capabilities.identity.service.resolvePrincipalOf('commander')).state !== 'connected', 'A to see the broker gone');
    const posted = await commanderA('POST', `/api/incidents/${remote.incidentId}/messages`, { channel: 'public', text: 'Access closed from the quay' });
    assert.equal(posted.status, 201, posted.body);
    const closing = await commanderA('POST', `/api/incidents/${remote.incidentId}/status`, { status: 'closed', resolution: 'resolved', note: 'extinguished' });
    assert.equal(closing.status, 200, closing.body);
    await broker.start();

    // Back: the updates and the closure arrive, once each.
    await until(() => local().status === 'closed' && exA.state.outbox.size === 0, 'the closure on B, acknowledged');
    assert.equal(local().title, 'Fire in the harbour car park');
    assert.equal(local().priority, 1);
    assert.equal(local().resolution, 'resolved');
    const log = nodeB.vigil.capabilities.incidents.service.state.logs.get(local().incidentId) ?? [];
    assert.equal(log.filter((e) => e.text.includes('Access closed from the quay')).length, 1, 'the message arrived once');
    const fromA = [...nodeB.vigil.capabilities.incidents.service.state.incidents.values()].filter((i) => i.orgId === cityAOnB);
    assert.equal(fromA.length, 1, 'one incident on B, not one per delivery');
    const hA = exA.health(nodeA.vigil.capabilities.identity.service.resolvePrincipalOf('commander'));
    const hB = exB.health(nodeB.vigil.capabilities.identity.service.resolvePrincipalOf('commander'));
    assert.ok(hA.reconnects >= 1 && hB.reconnects >= 1, 'both links reconnected');
    assert.equal(hA.outbox, 0);
    assert.equal(exB.state.applied.size, 4, 'opened, updated, message, closed: each applied once');
    assert.equal(hA.acknowledged, 4);
    // Nothing goes back: what came from A is A's.
    assert.equal(exB.state.outbox.size, 0);
    assert.equal((await commanderA('GET', '/api/exchange/incidents')).json.sent[0].unacknowledged, 0);
  } finally {
    await close();
    await broker.close();
  }
});

test('two agencies writing the XML form (VIGIL_EXCHANGE_FORMAT=xml): DE 2.0 envelopes cross the link, are applied and acknowledged', async () => {
  const { tag, agencies, nodeA, nodeB, close } = await twoAgencies({ VIGIL_EXCHANGE_FORMAT: 'xml' });
  const amqp = (await import('amqplib')).default;
  const connection = await amqp.connect(TEST_AMQP_URL);
  try {
    // A queue of the test's own, bound like B's, sees what A publishes to B.
    const channel = await connection.createChannel();
    const exchange = `vigil.test.${tag}`; // twoAgencies' exchange
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    await channel.bindQueue(queue, exchange, agencies.b);
    const published: string[] = [];
    await channel.consume(queue, (m) => m && published.push(m.content.toString('utf8')), { noAck: true });

    const exA = nodeA.vigil.capabilities.exchange.service;
    const exB = nodeB.vigil.capabilities.exchange.service;
    const commanderA = await signedIn(nodeA.vigil, 'commander');
    await until(async () => (await commanderA('GET', '/api/exchange/link')).json.link.state === 'connected', 'the link to connect');
    const created = await commanderA('POST', '/api/incidents', {
      type: 'flood',
      priority: 3,
      title: 'Water over the tram tracks',
      description: 'Avenue du Port',
      position: [7.42, 43.73],
      source: 'call',
    });
    assert.equal(created.status, 201, created.body);
    await until(() => exB.state.origins.size === 1 && exA.state.outbox.size === 0, 'the incident on B, acknowledged to A');
    const local = nodeB.vigil.capabilities.incidents.service.state.incidents.get([...exB.state.origins.values()][0]!.localIncidentId)!;
    assert.equal(local.title, 'Water over the tram tracks');
    await until(() => published.length >= 1, 'the published envelope');
    const envelopeXml = published[0]!;
    assert.match(envelopeXml, /^<\?xml[^>]*>\n<EDXLDistribution xmlns="urn:oasis:names:tc:emergency:EDXL:DE:2.0"/);
    assert.match(envelopeXml, /<DistributionStatus><StatusKindDefault>.*<ct:Value>Actual<\/ct:Value><\/StatusKindDefault><\/DistributionStatus>/);
    assert.match(envelopeXml, /<Content><ContentObject>/);
    assert.equal(parseDistribution(envelopeXml).senderId, agencies.a);
  } finally {
    await connection.close();
    await close();
  }
});
