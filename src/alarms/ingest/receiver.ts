import { Dc09Server } from '../../adapters/protocols/dc09/dc09-server.js';
import { EmbeddedMqttBroker } from '../../adapters/protocols/mqtt/embedded-broker.js';
import { MqttIngest } from '../../adapters/protocols/mqtt/mqtt-ingest.js';
import type { MqttTopicRouter } from '../../adapters/protocols/mqtt/topic-router.js';
import type { AppContext } from '../../platform/app-context.js';
import type { Dc09Ingest } from './dc09-ingest.js';

/** The receiver's figures (Prometheus counters in index.ts). */
export type { ReceiverCounters } from './receiver-counters.js';

export interface ReceiverPorts {
  tcpPort: number | null;
  udpPort: number | null;
  mqttPort: number | null;
}

/**
 * The node's listeners for devices: the DC-09 receiver (TCP and UDP) and MQTT —
 * the embedded broker, or a subscription to an external broker — delivering to the
 * topic router where alarms, units and crowd registered their topics.
 */
export class Receiver {
  private server: Dc09Server | null = null;
  private mqtt: MqttIngest | EmbeddedMqttBroker | null = null;

  constructor(
    private readonly ctx: AppContext,
    private readonly router: MqttTopicRouter,
    private readonly dc09: Dc09Ingest,
    private readonly discarded: (bytes: number) => void,
    private readonly dropped: (reason: string) => void = () => {},
  ) {}

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
      ctx.logger.info({ url: ctx.config.mqttUrl, topic: ctx.config.mqttTopic }, 'MQTT sensor ingest subscribed');
    } else if (ctx.config.mqttEmbeddedPort !== null) {
      const broker = new EmbeddedMqttBroker({
        host: ctx.config.mqttEmbeddedHost,
        port: ctx.config.mqttEmbeddedPort,
        maxConnections: ctx.config.dc09MaxConnections,
        router: this.router,
        onError: (error) => ctx.logger.warn({ err: error }, 'embedded MQTT broker'),
      });
      this.mqtt = broker;
      ports.mqttPort = await broker.start();
      ctx.logger.info({ host: ctx.config.mqttEmbeddedHost, port: ports.mqttPort, topic: ctx.config.mqttTopic }, 'embedded MQTT broker listening for sensors');
    }
    if (ctx.config.dc09Port === null) return ports;
    this.server = new Dc09Server({
      host: ctx.config.dc09Host,
      tcpPort: ctx.config.dc09Port,
      udpPort: ctx.config.dc09Port,
      maxConnections: ctx.config.dc09MaxConnections,
      idleTimeoutMs: 10 * 60 * 1000,
      onFrame: (frame, remote) => this.dc09.handleDc09(frame, remote),
      onDiscarded: this.discarded,
      onDropped: (reason) => this.dropped(reason),
      limits: {
        framesPerSecond: ctx.config.dc09FramesPerSource,
        burst: ctx.config.dc09FramesPerSource * 2,
        connectionsPerSource: ctx.config.dc09ConnectionsPerSource,
      },
      maxQueuedFramesPerConnection: 32,
      udpQueueLimit: 1024,
      udpConcurrency: 32,
      onError: (error) => ctx.logger.error({ err: error }, 'DC-09 receiver error'),
    });
    const { tcpPort, udpPort } = await this.server.start();
    ports.tcpPort = tcpPort;
    ports.udpPort = udpPort;
    ctx.logger.info({ host: ctx.config.dc09Host, ...ports }, 'SIA DC-09 receiver listening');
    return ports;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    await this.mqtt?.stop();
  }
}
