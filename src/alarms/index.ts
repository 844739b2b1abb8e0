import { Counter, Gauge, type Registry } from 'prom-client';
import { Dc09Server } from '../adapters/protocols/dc09/dc09-server.js';
import { EmbeddedMqttBroker } from '../adapters/protocols/mqtt/embedded-broker.js';
import { MqttIngest } from '../adapters/protocols/mqtt/mqtt-ingest.js';
import type { CityState } from '../city/city-state.js';
import type { AppContext, Capability } from '../platform/app-context.js';
import type { Subscription } from '../platform/event-bus.js';
import { AlarmsService, HEARD_SUBJECT, type HeardAnnouncement } from './alarms-service.js';
import { AlarmsState } from './alarms-state.js';
import { alarmsRoutes } from './routes.js';

export { AlarmsService } from './alarms-service.js';

export interface AlarmsCapability extends Capability {
  service: AlarmsService;
  /** Ports the DC-09 receiver listens on once started (null when disabled). */
  receiver: { tcpPort: number | null; udpPort: number | null; mqttPort: number | null };
}

const SUPERVISION_TICK_MS = 250;

/** The monitoring and alarm receiving centre. */
export function createAlarmsCapability(ctx: AppContext, deps: { city: CityState; registry: Registry; mqttRoutes?: readonly { filter: string; onMessage(topic: string, payload: Buffer): Promise<void> }[] }): AlarmsCapability {
  const frames = new Counter({ name: 'vigil_dc09_frames_total', help: 'DC-09 frames by outcome (ack, ack-poll, nak-crc, nak-time, duh-key, …)', labelNames: ['outcome'], registers: [deps.registry] });
  const quirks = new Counter({ name: 'vigil_dc09_quirks_total', help: 'Accepted deviations from DC-09 by kind', labelNames: ['quirk'], registers: [deps.registry] });
  const discarded = new Counter({ name: 'vigil_dc09_discarded_bytes_total', help: 'Bytes on DC-09 connections that belonged to no frame', registers: [deps.registry] });
  const state = new AlarmsState(ctx.secrets);
  state.timeZone = ctx.config.timeZone;
  const service = new AlarmsService(ctx, state, deps.city, { frames: (o) => frames.inc({ outcome: o }), quirk: (q) => quirks.inc({ quirk: q }) });
  // EN 50518 figures at scrape time, over every organisation's alarms, from the read
  // model (so a restart does not double-count).
  const gauge = (name: string, help: string, pick: (s: ReturnType<AlarmsService['stats']>) => number | null): Gauge =>
    new Gauge({ name, help, registers: [deps.registry], collect() { const v = pick(service.stats('all')); this.set(v ?? Number.NaN); } });
  gauge('vigil_alarms_open', 'Open alarms (not closed)', (st) => st.open);
  gauge('vigil_alarms_ack_within_30s_ratio', 'Share of acknowledged alarms acknowledged within 30 s (EN 50518)', (st) => st.within30s);
  gauge('vigil_alarms_ack_within_60s_ratio', 'Share of acknowledged alarms acknowledged within 60 s (EN 50518)', (st) => st.within60s);
  gauge('vigil_alarms_ack_median_seconds', 'Median time from alarm to acknowledgement', (st) => st.medianAckSeconds);
  gauge('vigil_alarms_close_median_seconds', 'Median time from alarm to closing', (st) => st.medianCloseSeconds);
  gauge('vigil_alarms_false_ratio', 'Share of closed alarms resolved as false', (st) => st.falseAlarmRate);
  let server: Dc09Server | null = null;
  let mqtt: MqttIngest | EmbeddedMqttBroker | null = null;
  let tick: NodeJS.Timeout | null = null;
  let ticking = false;
  let heardSubscription: Subscription | null = null;
  let lastScheduleCheck = 0;
  const capability: AlarmsCapability = {
    name: 'alarms',
    projections: [state],
    routes: alarmsRoutes(service),
    service,
    receiver: { tcpPort: null, udpPort: null, mqttPort: null },
    async start() {
      service.watchConfiguredPaths();
      // A new leader gives every path a full interval of grace: it did not hear them before.
      ctx.leadership.onChange((leader) => leader && service.watchConfiguredPaths());
      heardSubscription = await ctx.bus.subscribe<HeardAnnouncement>(HEARD_SUBJECT, (m) => service.onHeardAnnouncement(m.payload));
      tick = setInterval(() => {
        if (ticking) return;
        ticking = true;
        // Followers only pass on what they heard; the leader alone raises timer alarms.
        if (!ctx.leadership.isLeader()) {
          service.announceHeard().catch((error: unknown) => ctx.logger.warn({ err: error }, 'could not announce heard paths')).finally(() => (ticking = false));
          return;
        }
        service.superviseTick().then(() => service.holdTick()).then(() => service.escalateTick()).then(async () => {
          // Opening hours are checked every 15 s; minutes matter there, not milliseconds.
          if (Date.now() - lastScheduleCheck < 15_000) return;
          lastScheduleCheck = Date.now();
          await service.scheduleTick();
        }).catch((error: unknown) => ctx.logger.error({ err: error }, 'supervision tick failed')).finally(() => (ticking = false));
      }, SUPERVISION_TICK_MS);
      tick.unref();
    },
    async listen() {
      if (ctx.config.mqttUrl) {
        mqtt = new MqttIngest({
          url: ctx.config.mqttUrl,
          topic: ctx.config.mqttTopic,
          clientId: `vigil-${ctx.config.nodeId}`,
          onMessage: async (topic, payload) => void (await service.handleSensorMessage(topic, payload)),
          onError: (error) => ctx.logger.warn({ err: error }, 'MQTT ingest'),
          routes: deps.mqttRoutes,
        });
        await mqtt.start();
        ctx.logger.info({ url: ctx.config.mqttUrl, topic: ctx.config.mqttTopic }, 'MQTT sensor ingest subscribed');
      } else if (ctx.config.mqttEmbeddedPort !== null) {
        const broker = new EmbeddedMqttBroker({
          host: ctx.config.host,
          port: ctx.config.mqttEmbeddedPort,
          topic: ctx.config.mqttTopic,
          maxConnections: ctx.config.dc09MaxConnections,
          onMessage: async (topic, payload) => void (await service.handleSensorMessage(topic, payload)),
          onError: (error) => ctx.logger.warn({ err: error }, 'embedded MQTT broker'),
          routes: deps.mqttRoutes,
        });
        mqtt = broker;
        const mqttPort = await broker.start();
        capability.receiver = { ...capability.receiver, mqttPort };
        ctx.logger.info({ port: mqttPort, topic: ctx.config.mqttTopic }, 'embedded MQTT broker listening for sensors');
      }
      if (ctx.config.dc09Port === null) return;
      server = new Dc09Server({
        host: ctx.config.host,
        tcpPort: ctx.config.dc09Port,
        udpPort: ctx.config.dc09Port,
        maxConnections: ctx.config.dc09MaxConnections,
        idleTimeoutMs: 10 * 60 * 1000,
        onFrame: (frame, remote) => service.handleDc09(frame, remote),
        onDiscarded: (bytes) => discarded.inc(bytes),
        onError: (error) => ctx.logger.error({ err: error }, 'DC-09 receiver error'),
      });
      capability.receiver = { ...(await server.start()), mqttPort: capability.receiver.mqttPort };
      ctx.logger.info(capability.receiver, 'SIA DC-09 receiver listening');
    },
    async stop() {
      if (tick) clearInterval(tick);
      service.notifier.stop();
      await heardSubscription?.unsubscribe();
      await server?.stop();
      await mqtt?.stop();
    },
  };
  return capability;
}
