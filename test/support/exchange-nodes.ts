import { randomBytes } from 'node:crypto';
import type { RunningVigil } from '../../src/app.js';
import { startDemoNode } from '../e2e/browser.js';
import { deleteRabbitObjects } from './rabbitmq.js';
import { until } from './until.js';

export const TEST_AMQP_URL = process.env.VIGIL_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/**
 * Two demo Vigil nodes (separate data folders), each the other's partner agency, linked over
 * the machine's RabbitMQ on an exchange and queues of their own. On A the police share their
 * incidents with "Agency B (partner)"; on B what comes from A belongs to "City A (partner)",
 * which shares it with B's police. `env.VIGIL_EXCHANGE_AMQP_URL` links them through another
 * broker (a test's own, to restart).
 */
export async function twoAgencies(env: Record<string, string> = {}) {
  const tag = randomBytes(4).toString('hex');
  const exchange = `vigil.test.${tag}`;
  const a = `city-a-${tag}`;
  const b = `agency-b-${tag}`;
  const common = {
    VIGIL_EXCHANGE_AMQP_URL: TEST_AMQP_URL,
    VIGIL_EXCHANGE_AMQP_EXCHANGE: exchange,
    VIGIL_EXCHANGE_RETRY_MS: '300',
    VIGIL_ROUTING_OSM: 'off',
    VIGIL_MQTT_EMBEDDED_PORT: 'off',
    VIGIL_DC09_PORT: 'off',
    ...env,
  };
  const nodeA = await startDemoNode({ ...common, VIGIL_EXCHANGE_AGENCY: a, VIGIL_EXCHANGE_PARTNER: b, VIGIL_EXCHANGE_PARTNER_ORG: 'Agency B (partner)' });
  const nodeB = await startDemoNode({ ...common, VIGIL_EXCHANGE_AGENCY: b, VIGIL_EXCHANGE_PARTNER: a, VIGIL_EXCHANGE_PARTNER_ORG: 'City A (partner)' });
  const setup = async (vigil: RunningVigil, partnerName: string, police: 'to' | 'from'): Promise<string> => {
    const identity = vigil.capabilities.identity.service;
    const partner = await identity.createOrg({ name: partnerName, kind: 'other' }, 'system');
    const policeOrg = identity.state.usersByName.get('commander')!.orgId;
    const admin = identity.resolvePrincipalOf('admin');
    if (police === 'to') await identity.grantShare({ fromOrgId: policeOrg, toOrgId: partner.id, rights: 'read', note: 'agency agreement' }, admin);
    else await identity.grantShare({ fromOrgId: partner.id, toOrgId: policeOrg, rights: 'read', note: 'agency agreement' }, admin);
    return partner.id;
  };
  const agencyBOnA = await setup(nodeA.vigil, 'Agency B (partner)', 'to');
  const cityAOnB = await setup(nodeB.vigil, 'City A (partner)', 'from');
  return {
    tag,
    agencies: { a, b },
    nodeA,
    nodeB,
    agencyBOnA,
    cityAOnB,
    close: async () => {
      await nodeA.close();
      await nodeB.close();
      await deleteRabbitObjects(common.VIGIL_EXCHANGE_AMQP_URL, exchange, [`${exchange}.${a}`, `${exchange}.${b}`]);
    },
  };
}

/**
 * One demo Vigil node linked to a partner hub that the test plays itself (publishing to the
 * node's queue, or handing envelopes to `exchange.handle`), on an exchange and queues of its
 * own. What comes from the partner belongs to "Riviera Medical Hub (partner)", which shares
 * it with the police; resolves once the link is connected. `close` stops the node and deletes
 * the test's broker objects.
 */
export async function partnerLinkedNode() {
  const tag = randomBytes(4).toString('hex');
  const exchange = `vigil.test.${tag}`;
  const agency = `city-${tag}`;
  const partner = `samu-${tag}`;
  const node = await startDemoNode({
    VIGIL_MQTT_EMBEDDED_PORT: 'off',
    VIGIL_ROUTING_OSM: 'off',
    VIGIL_EXCHANGE_AMQP_URL: TEST_AMQP_URL,
    VIGIL_EXCHANGE_AMQP_EXCHANGE: exchange,
    VIGIL_EXCHANGE_AGENCY: agency,
    VIGIL_EXCHANGE_PARTNER: partner,
    VIGIL_EXCHANGE_PARTNER_ORG: 'Riviera Medical Hub (partner)',
  });
  const close = async (): Promise<void> => {
    await node.close();
    await deleteRabbitObjects(TEST_AMQP_URL, exchange, [`${exchange}.${agency}`, `${exchange}.${partner}`]);
  };
  try {
    const { vigil } = node;
    const identity = vigil.capabilities.identity.service;
    const hub = await identity.createOrg({ name: 'Riviera Medical Hub (partner)', kind: 'ems' }, 'system');
    const police = identity.state.usersByName.get('commander')!.orgId;
    await identity.grantShare({ fromOrgId: hub.id, toOrgId: police, rights: 'read', note: 'hub agreement' }, identity.resolvePrincipalOf('admin'));
    const exchangeService = vigil.capabilities.exchange.service;
    await until(() => exchangeService.health(identity.resolvePrincipalOf('commander')).state === 'connected', 'the link');
    return { vigil, identity, exchange: exchangeService, hubOrgId: hub.id, amqpExchange: exchange, agency, partner, close };
  } catch (e) {
    await close();
    throw e;
  }
}
