import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Dc09Server } from '../../adapters/protocols/dc09/dc09-server.js';
import { EmbeddedMqttBroker } from '../../adapters/protocols/mqtt/embedded-broker.js';
import { MqttIngest } from '../../adapters/protocols/mqtt/mqtt-ingest.js';
import { COMMANDED_KINDS, type MqttIdentity } from '../../adapters/protocols/mqtt/topic-acl.js';
import type { MqttTopicRouter } from '../../adapters/protocols/mqtt/topic-router.js';
import type { CityReadPort } from '../../city/contract.js';
import { LOOPBACK, isLoopbackHost } from '../../kernel/config.js';
import { VigilError } from '../../kernel/errors.js';
import { redactUrl } from '../../kernel/redact.js';
import type { AppContext } from '../../platform/app-context.js';
import { tuning, tuningChoice } from '../../kernel/tuning.js';
import type { Dc09Ingest } from './dc09-ingest.js';
import { Dc09ReceiverThread, type ReceiverThreadDeps, type ReceiverThreadHealth } from './receiver-thread-host.js';

/** The receiver's figures (Prometheus counters in index.ts). */
export type { ReceiverCounters } from './receiver-counters.js';

export interface ReceiverPorts {
  tcpPort: number | null;
  udpPort: number | null;
  mqttPort: number | null;
  /** The embedded broker's mqtts port, when it has a certificate. */
  mqttTlsPort?: number | null;
  /** Where the DC-09 receiver runs (VIGIL_DC09_RECEIVER; a cluster node runs `main`). */
  dc09Mode?: 'thread' | 'main';
}

/** How the receiver knows MQTT clients: the devices' and trackers' credentials, and Vigil's own. */
export interface MqttAccess {
  /** The subject ('device:<id>', 'unit:<id>') a username and secret belong to, or null. */
  verify(username: string, secret: string | Buffer): string | null;
  /** The credential of Vigil's own clients on the embedded broker (this process only). */
  internal: { username: string; password: string };
}

const digest = (v: string | Buffer): Buffer => createHash('sha256').update(v).digest();

/**
 * The node's listeners for devices: the DC-09 receiver (TCP and UDP) and MQTT —
 * the embedded broker, or a subscription to an external broker — delivering to the
 * topic router where alarms, units and crowd registered their topics.
 */
export class Receiver {
  private server: Dc09Server | null = null;
  private thread: Dc09ReceiverThread | null = null;
  private mqtt: MqttIngest | EmbeddedMqttBroker | null = null;

  constructor(
    private readonly ctx: AppContext,
    private readonly router: MqttTopicRouter,
    private readonly dc09: Dc09Ingest,
    private readonly discarded: (bytes: number) => void,
    private readonly city: CityReadPort,
    private readonly access: MqttAccess,
    private readonly dropped: (reason: string, n?: number) => void = () => {},
    private readonly threadDeps: Omit<ReceiverThreadDeps, 'ctx' | 'dc09' | 'discarded' | 'dropped'> | null = null,
  ) {}

  /**
   * Where the DC-09 receiver runs: its own thread unless VIGIL_DC09_RECEIVER says `main`,
   * and always on the main thread of a cluster node (PostgreSQL): its replay ledger is
   * claimed there, and the journal is the embedded node's (docs/architecture.md).
   */
  private dc09Mode(): 'thread' | 'main' {
    const wanted = tuningChoice('VIGIL_DC09_RECEIVER');
    if (wanted === 'thread' && (this.ctx.config.databaseUrl || this.ctx.replayLedger || !this.threadDeps)) {
      this.ctx.logger.info('DC-09 receiver on the main thread: a cluster node claims replays in PostgreSQL there');
      return 'main';
    }
    return wanted;
  }

  /** Resolves once every DC-09 frame answered so far is recorded, counted and its path heard (tests; at once on the main thread). */
  async settled(): Promise<void> {
    await this.thread?.settled();
  }

  /** The receiver thread's and its journal writer's thread ids (null when DC-09 is off or on the main thread). */
  threadIds(): ReturnType<Dc09ReceiverThread['threadIds']> {
    return this.thread?.threadIds() ?? null;
  }

  /** The receiver thread's state (null when DC-09 is off or on the main thread). */
  health(): ReceiverThreadHealth | null {
    return this.thread?.health() ?? null;
  }

  /** Test hook: the receiver thread crashes (honoured with VIGIL_DC09_TEST_HOOKS=1 only). */
  crashThreadForTests(): void {
    this.thread?.crashForTests();
  }

  /** Test hooks (VIGIL_DC09_TEST_HOOKS=1 only): the thread's journal commits fail; the main thread records nothing. */
  get threadForTests(): Dc09ReceiverThread | null {
    return this.thread;
  }

  /** Who an MQTT client is, from its CONNECT: Vigil itself, a registered device, a unit's tracker — or nobody. */
  private identify(username: string | undefined, password: Buffer | undefined): MqttIdentity | null {
    if (!username || !password) return null;
    const { internal } = this.access;
    if (username === internal.username) return timingSafeEqual(digest(password), digest(internal.password)) ? { kind: 'vigil' } : null;
    const subject = this.access.verify(username, password);
    if (subject?.startsWith('device:')) {
      const device = this.city.devices.get(subject.slice('device:'.length));
      return device ? { kind: 'device', id: device.id, commanded: COMMANDED_KINDS.includes(device.kind) } : null;
    }
    if (subject?.startsWith('unit:')) return { kind: 'unit', id: subject.slice('unit:'.length) };
    return null;
  }

  /** A client certificate signed by VIGIL_MQTT_CLIENT_CA whose common name is `device:<id>` of a registered device is that device. */
  private identifyCertificate(commonName: string): MqttIdentity | null {
    if (!commonName.startsWith('device:')) return null;
    const device = this.city.devices.get(commonName.slice('device:'.length));
    return device ? { kind: 'device', id: device.id, commanded: COMMANDED_KINDS.includes(device.kind) } : null;
  }

  async listen(): Promise<ReceiverPorts> {
    const { ctx } = this;
    const ports: ReceiverPorts = { tcpPort: null, udpPort: null, mqttPort: null };
    if (ctx.config.mqttUrl) {
      this.mqtt = new MqttIngest({
        url: ctx.config.mqttUrl,
        clientId: `vigil-${ctx.config.nodeId}`,
        router: this.router,
        onError: (error) => ctx.logger.warn({ err: error }, 'MQTT ingest'),
      });
      await this.mqtt.start();
      ctx.logger.info({ url: redactUrl(ctx.config.mqttUrl), topic: ctx.config.mqttTopic }, 'MQTT sensor ingest subscribed');
    } else if (ctx.config.mqttEmbeddedPort !== null) {
      const { mqttTlsCert, mqttTlsKey, mqttEmbeddedHost } = ctx.config;
      if (Boolean(mqttTlsCert) !== Boolean(mqttTlsKey)) throw new VigilError('bad_request', 'VIGIL_MQTT_TLS_CERT and VIGIL_MQTT_TLS_KEY go together');
      if (ctx.config.mqttClientCa && !mqttTlsCert)
        throw new VigilError('bad_request', 'VIGIL_MQTT_CLIENT_CA needs the mqtts listener: give VIGIL_MQTT_TLS_CERT and VIGIL_MQTT_TLS_KEY');
      if (ctx.config.mqttClientCrl && !ctx.config.mqttClientCa) throw new VigilError('bad_request', 'VIGIL_MQTT_CLIENT_CRL needs VIGIL_MQTT_CLIENT_CA');
      const tls =
        mqttTlsCert && mqttTlsKey
          ? {
              host: mqttEmbeddedHost,
              port: ctx.config.mqttTlsPort,
              cert: readFileSync(mqttTlsCert),
              key: readFileSync(mqttTlsKey),
              ...(ctx.config.mqttClientCa ? { clientCa: readFileSync(ctx.config.mqttClientCa) } : {}),
              ...(ctx.config.mqttClientCrl ? { clientCrlFile: ctx.config.mqttClientCrl, crlPollMs: ctx.config.mqttClientCrlPollMs } : {}),
            }
          : undefined;
      // With a certificate, devices on the network use mqtts; plain MQTT (Vigil's own clients, local tools) stays on loopback.
      const plainHost = tls ? LOOPBACK : mqttEmbeddedHost;
      if (!isLoopbackHost(plainHost))
        ctx.logger.warn(
          { host: plainHost },
          'plain MQTT listens beyond loopback: device secrets travel in clear (give VIGIL_MQTT_TLS_CERT and VIGIL_MQTT_TLS_KEY)',
        );
      const broker = new EmbeddedMqttBroker({
        host: plainHost,
        port: ctx.config.mqttEmbeddedPort,
        maxConnections: ctx.config.dc09MaxConnections,
        router: this.router,
        authenticate: (username, password) => this.identify(username, password),
        authenticateCertificate: (commonName) => this.identifyCertificate(commonName),
        plan: { sensorTopic: ctx.config.mqttTopic, unitsTopic: ctx.config.unitsMqttTopic, sirenPrefix: ctx.config.sirenTopicPrefix },
        ...(tls ? { tls } : {}),
        onError: (error) => ctx.logger.warn({ err: error }, 'embedded MQTT broker'),
        onCrlReloaded: (r) =>
          r.ok
            ? ctx.logger.info({ file: ctx.config.mqttClientCrl, disconnected: r.disconnected }, 'MQTT client certificate revocation list reloaded')
            : ctx.logger.error({ file: ctx.config.mqttClientCrl, problem: r.error }, 'MQTT client certificate revocation list refused; the previous one stays'),
        onRefused: (r) => {
          ctx.logger.warn(r, 'MQTT client refused');
          if (ctx.reactions.has('alarms.security-refusal'))
            void ctx.reactions
              .emit('alarms.security-refusal', {
                kind: 'mqtt-refused',
                remote: r.remote ?? null,
                account: null,
                username: r.username,
                problem: r.reason,
                at: ctx.clock.now(),
              })
              .catch((error: unknown) => ctx.logger.warn({ err: error }, 'security desk did not take a refusal'));
        },
      });
      this.mqtt = broker;
      const listening = await broker.listen();
      ports.mqttPort = listening.port;
      ports.mqttTlsPort = listening.tlsPort;
      ctx.logger.info(
        { host: plainHost, port: ports.mqttPort, tlsHost: tls?.host, tlsPort: ports.mqttTlsPort, topic: ctx.config.mqttTopic },
        'embedded MQTT broker listening for sensors',
      );
    }
    if (ctx.config.dc09Port === null) return ports;
    const server = {
      host: ctx.config.dc09Host,
      tcpPort: ctx.config.dc09Port,
      udpPort: ctx.config.dc09Port,
      maxConnections: ctx.config.dc09MaxConnections,
      idleTimeoutMs: 10 * 60 * 1000,
      limits: {
        framesPerSecond: ctx.config.dc09FramesPerSource,
        burst: ctx.config.dc09FramesPerSource * 2,
        connectionsPerSource: ctx.config.dc09ConnectionsPerSource,
        quarantineStrikes: tuning('VIGIL_DC09_QUARANTINE_STRIKES') ?? 0,
        quarantineMs: (tuning('VIGIL_DC09_QUARANTINE_S') ?? 300) * 1000,
      },
      maxQueuedFramesPerConnection: 32,
      udpQueueLimit: 1024,
      udpConcurrency: 32,
    };
    ports.dc09Mode = this.dc09Mode();
    if (ports.dc09Mode === 'thread') {
      this.thread = new Dc09ReceiverThread({ ...this.threadDeps!, ctx, dc09: this.dc09, discarded: this.discarded, dropped: this.dropped });
      const { tcpPort, udpPort } = await this.thread.start(server);
      ports.tcpPort = tcpPort;
      ports.udpPort = udpPort;
      ctx.logger.info({ host: ctx.config.dc09Host, ...ports }, 'SIA DC-09 receiver listening on its own thread');
      return ports;
    }
    this.server = new Dc09Server({
      ...server,
      onFrame: (frame, remote) => this.dc09.handleDc09(frame, remote),
      onDiscarded: this.discarded,
      onDropped: (reason, _remote, n) => this.dropped(reason, n),
      onQuarantined: (address, until) => void this.dc09.noteQuarantine(address, until),
      onAcked: (ms) => this.threadDeps?.counters.acked([ms]),
      onError: (error) => ctx.logger.error({ err: error }, 'DC-09 receiver error'),
    });
    const { tcpPort, udpPort } = await this.server.start();
    ports.tcpPort = tcpPort;
    ports.udpPort = udpPort;
    ctx.logger.info({ host: ctx.config.dc09Host, ...ports }, 'SIA DC-09 receiver listening');
    return ports;
  }

  async stop(): Promise<void> {
    await this.thread?.stop();
    await this.server?.stop();
    await this.mqtt?.stop();
  }
}
