import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { MqttTopicRouter } from './adapters/protocols/mqtt/topic-router.js';
import { openEventBus } from './adapters/streams/open-bus.js';
import { openEventLog, openKeyVault } from './adapters/stores/open-store.js';
import { buildApiServer, type ApiServer } from './api/server.js';
import { Metrics, typeLabel } from './api/metrics.js';
import { createAlarmsCapability } from './alarms/index.js';
import { createAuditCapability } from './audit/index.js';
import { createAlertsCapability } from './alerts/index.js';
import { createEarlyWarningCapability } from './early-warning/index.js';
import { createCityCapability } from './city/index.js';
import { neighbourhoodLocator } from './city/contract.js';
import { createCockpitCapability } from './cockpit/index.js';
import { createIdentityCapability } from './identity/index.js';
import { createIncidentsCapability, RoadTravelTimes } from './incidents/index.js';
import { createMajorEventsCapability } from './major-events/index.js';
import { createUnitsCapability } from './units/index.js';
import { createCrowdCapability, footRouting } from './crowd/index.js';
import { alertEvacuationGuidance, createRoutingCapability } from './routing/index.js';
import { repoRoot, type VigilConfig } from './kernel/config.js';
import { SecretBox, loadSecretKey } from './kernel/secrets.js';
import { systemClock, type Clock } from './kernel/time.js';
import type { AppContext, Capability } from './platform/app-context.js';
import type { EventBus } from './platform/event-bus.js';
import { SingleNodeLeadership, type Leadership } from './platform/leadership.js';
import { PostgresLeadership } from './adapters/stores/postgres/postgres-leadership.js';
import type { EventLog, NewEvent, StoredEvent } from './platform/event-log.js';
import type { KeyVault } from './platform/key-vault.js';
import { ProjectionRunner } from './platform/projection.js';
import { Reactions } from './platform/reactions.js';
import { seedDemo } from './demo/seed-demo.js';

export const VERSION: string = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * The platform assembled: stores and stream chosen by configuration, every
 * capability's projections rebuilt from the log, then the HTTP API on top.
 * This file is the table of contents of a running Vigil node.
 */
export interface Vigil {
  ctx: AppContext & { listeningOn(port: number): void };
  capabilities: ReturnType<typeof createCapabilities>;
  metrics: Metrics;
  close(): Promise<void>;
}

export interface OpenOptions {
  logger?: Logger;
  clock?: Clock;
  /** Test isolation: PostgreSQL schema and NATS stream/subject prefix of this instance. */
  pgSchema?: string;
  streamName?: string;
  subjectPrefix?: string;
}

function createCapabilities(ctx: AppContext, metrics: Metrics) {
  const identity = createIdentityCapability(ctx);
  const city = createCityCapability(ctx);
  // One MQTT listener per node (alarms' receiver) delivers to this router; alarms, units and crowd register their topics.
  const mqtt = new MqttTopicRouter();
  const alarms = createAlarmsCapability(ctx, { city: city.service.state, registry: metrics.registry, mqtt });
  const units = createUnitsCapability(ctx, { city: city.service.state, mqtt });
  const routing = createRoutingCapability(ctx, { sites: () => city.service.state.sites.values() });
  const alerts = createAlertsCapability(ctx, {
    publicAlertsOrg: () => identity.reads.platformOrgId(), devices: () => city.service.state.devices.values(), device: (id) => city.service.state.devices.get(id),
    neighbourhoodOf: neighbourhoodLocator(() => city.service.state.areas),
    // Alerts that ask people to evacuate carry a foot route to an assembly point, away from the growing hazard.
    guidance: alertEvacuationGuidance(routing.service, () => city.service.state.sites.values()),
  });
  // Early warning reads the sensor readings alarms records and drafts alerts for approval through this port.
  const earlyWarning = createEarlyWarningCapability(ctx, {
    city: city.service.state,
    alerts: {
      exists: (alertId) => alerts.service.state.alerts.has(alertId),
      check: (input) => alerts.service.check(input),
      draft: (alertId, input, rule, trigger) => alerts.service.draftTriggered(alertId, input, rule, trigger),
    },
  });
  // Dispatch ranks units by their travel time on the road graph, with live traffic and closures.
  const incidents = createIncidentsCapability(ctx, { units: units.service, city: city.service.state, alarms: alarms.state, alerts: alerts.service.state, travelTimes: new RoadTravelTimes(routing.service) });
  // Major events: guidance routes on the same live graphs; links reach incidents and units the caller may see.
  const events = createMajorEventsCapability(ctx, {
    orgName: identity.reads.orgName,
    userByName: identity.reads.userByName,
    usernameOf: identity.reads.usernameOf,
    route: (profile, from, to) => routing.service.router(profile).route(from, to),
    incidentVisible: (id, p) => {
      const i = incidents.service.state.incidents.get(id);
      return i !== undefined && incidents.service.canSee(i, p);
    },
    unitVisible: (id, p) => units.service.visible(p).some((u) => u.unitId === id),
  });
  // Crowd density: counts come in with the sensors (MQTT `people-count`, camera analytics); level changes raise alarms; closed gates close the foot graph.
  const crowd = createCrowdCapability(ctx, {
    alarms: alarms.signals,
    mqtt,
    ...footRouting(routing.service),
    // Crowd zones drawn for a major event are seen by its participants from staff level up, whatever their organisation.
    eventSees: (eventId, p) => (events.reads.standing(eventId, p)?.level ?? 0) >= 2,
  }, ctx.config.crowdWindowMs);
  const audit = createAuditCapability(ctx);
  const cockpit = createCockpitCapability(ctx, { city: city.service.state, subscribers: alerts.subscribers.state, routing });
  return {
    identity, city, alarms, alerts, earlyWarning, routing, units, incidents, events, crowd, audit, cockpit,
    all: [identity, city, alarms, alerts, earlyWarning, routing, units, incidents, events, crowd, audit, cockpit] as Capability[],
  };
}

/** Opens the stores and rebuilds state; no listener. Used by the CLI and by `serve`. */
export async function openVigil(config: VigilConfig, options: OpenOptions = {}): Promise<Vigil> {
  const logger = options.logger ?? pino({ level: config.logLevel, base: { node: config.nodeId } });
  const metrics = new Metrics(config.nodeId);
  const log: EventLog = await openEventLog(config, options.pgSchema ? { pgSchema: options.pgSchema } : undefined);
  let bus: EventBus;
  try {
    bus = await openEventBus(config, { streamName: options.streamName, subjectPrefix: options.subjectPrefix });
  } catch (error) {
    await log.close();
    throw error;
  }
  const projections = new ProjectionRunner(log);
  const secret = loadSecretKey(config.secretKey, join(config.dataDir, 'secret.key'));
  const secrets = new SecretBox(secret.key);
  let vault: KeyVault;
  try {
    vault = await openKeyVault(config, secrets, options.pgSchema ? { pgSchema: options.pgSchema } : undefined);
  } catch (error) {
    await bus.close();
    await log.close();
    throw error;
  }
  if (config.databaseUrl && secret.source !== 'env') {
    logger.warn('VIGIL_SECRET_KEY is not set: this node seals secrets with its own key file; every node of a cluster needs the same VIGIL_SECRET_KEY');
  }
  const leadership: Leadership = config.databaseUrl
    ? new PostgresLeadership({ connectionString: config.databaseUrl, schema: options.pgSchema ?? 'vigil', onError: (error) => logger.warn({ err: error }, 'leadership connection') })
    : new SingleNodeLeadership();
  leadership.onChange((leader) => logger.info({ leader }, leader ? 'this node now leads the alarm timers' : 'this node no longer leads the alarm timers'));
  // Set by `serve` once it listens (port 0 picks a free port).
  let listeningPort: number | null = null;
  const ctx: AppContext & { listeningOn(port: number): void } = {
    listeningOn: (port) => {
      listeningPort = port;
    },
    config,
    clock: options.clock ?? systemClock,
    log,
    bus,
    leadership,
    projections,
    logger,
    secrets,
    vault,
    publicUrl: () => (config.publicUrl ?? `http://localhost:${listeningPort ?? config.port}`).replace(/\/$/, ''),
    record: (events) => record(ctx, metrics, events),
    reactions: new Reactions(),
  };
  const capabilities = createCapabilities(ctx, metrics);
  for (const capability of capabilities.all) capability.projections?.forEach((p) => projections.register(p));
  const rebuilt = await projections.start();
  logger.info({ events: rebuilt.replayed, ms: Math.round(rebuilt.ms), store: log.backend, stream: bus.backend }, 'state rebuilt from the event log');
  for (const capability of capabilities.all) await capability.start?.();
  return {
    ctx,
    capabilities,
    metrics,
    async close() {
      for (const capability of [...capabilities.all].reverse()) await capability.stop?.();
      await leadership.stop();
      projections.stop();
      await bus.close();
      await vault.close();
      await log.close();
    },
  };
}

async function record(ctx: AppContext, metrics: Metrics, events: NewEvent[]): Promise<StoredEvent[]> {
  const stored = await ctx.log.append(events);
  for (const e of stored) metrics.eventsRecorded.inc({ type: typeLabel(e.type) });
  if (stored.length > 0) await ctx.projections.waitFor(stored[stored.length - 1]!.seq);
  const published = await Promise.allSettled(stored.map((e) => ctx.bus.publish(`events.${e.type}`, e)));
  const failed = published.filter((p) => p.status === 'rejected');
  if (failed.length > 0) {
    metrics.busPublishFailures.inc(failed.length);
    ctx.logger.warn({ failed: failed.length, reason: String((failed[0] as PromiseRejectedResult).reason) }, 'durable events not published on the stream');
  }
  return stored;
}

export interface RunningVigil extends Vigil {
  server: ApiServer;
  url: string;
}

/** `vigil serve`: open, load the demo city when the store is empty, listen. */
export async function serveVigil(config: VigilConfig, options: OpenOptions = {}): Promise<RunningVigil> {
  const vigil = await openVigil(config, options);
  try {
    if (config.demoOnEmpty && (await vigil.ctx.log.lastSeq()) === 0) await seedDemo(vigil, config);
    const server = await buildApiServer({
      ctx: vigil.ctx,
      metrics: vigil.metrics,
      capabilities: vigil.capabilities.all,
      resolvePrincipal: (source) => vigil.capabilities.identity.resolvePrincipal(source),
      version: VERSION,
    });
    vigil.ctx.projections.onApplied((events) => server.hub.publish(events));
    await vigil.ctx.leadership.start();
    for (const capability of vigil.capabilities.all) await capability.listen?.();
    const url = await server.app.listen({ port: config.port, host: config.host });
    vigil.ctx.listeningOn((server.app.server.address() as AddressInfo).port);
    vigil.ctx.logger.info({ url }, 'Vigil is serving');
    return {
      ...vigil,
      server,
      url,
      async close() {
        server.hub.close();
        await server.app.close();
        await vigil.close();
      },
    };
  } catch (error) {
    await vigil.close();
    throw error;
  }
}
