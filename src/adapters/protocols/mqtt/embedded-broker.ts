import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { Aedes, type Client } from 'aedes';
import { mayPublish, maySubscribe, type MqttIdentity, type MqttTopicPlan } from './topic-acl.js';
import { mqttMessage, type MqttTopicRouter } from './topic-router.js';

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  maxConnections: number;
  maxPayloadBytes?: number;
  /** Where the topics Vigil ingests are registered; messages of other topics are ordinary broker traffic. */
  router: MqttTopicRouter;
  /** Who a client is from its CONNECT's username and password, or null: refused (anonymous clients are refused). */
  authenticate(username: string | undefined, password: Buffer | undefined): MqttIdentity | null;
  /** The topics the ACL (topic-acl.ts) protects. */
  plan: MqttTopicPlan;
  /** An mqtts listener besides the plain one (which then may stay on loopback). */
  tls?: {
    host: string;
    port: number;
    cert: string | Buffer;
    key: string | Buffer;
    /** CA of device certificates: a client presenting one it signed is who its common name says (`authenticateCertificate`). */
    clientCa?: string | Buffer;
  };
  /** Who a client is from the common name of a certificate the client CA signed (e.g. `device:<id>`), or null. */
  authenticateCertificate?(commonName: string): MqttIdentity | null;
  onError?(error: unknown): void;
  /** A client was refused: a wrong credential, or a publish or subscribe outside its topics. */
  onRefused?(what: { clientId: string; username: string | null; reason: string; remote?: string | null }): void;
}

/**
 * The one-machine default: an MQTT broker inside Vigil (Aedes) so sensors need no
 * other service. Every client authenticates (its own username and secret; anonymous
 * clients are refused) and stays within its topics (topic-acl.ts). A sensor's QoS 1 PUBLISH is ingested inside `authorizePublish`,
 * before the broker sends its PUBACK — so, as with an external broker, a message
 * is acknowledged to the sensor only once it is durable in the event log. If
 * ingest fails the connection is closed unacknowledged and the sensor resends.
 */
export class EmbeddedMqttBroker {
  private broker: Aedes | null = null;
  private server: Server | null = null;
  private tlsServer: Server | null = null;
  /** Who each connected client authenticated as. */
  private readonly identities = new WeakMap<Client, MqttIdentity>();

  constructor(private readonly options: EmbeddedBrokerOptions) {}

  /** The plain port, and the mqtts port when a certificate was given. */
  async start(): Promise<number> {
    return (await this.listen()).port;
  }

  async listen(): Promise<{ port: number; tlsPort: number | null }> {
    const { options } = this;
    const broker = await Aedes.createBroker({ maxClientsIdLength: 64 });
    const max = options.maxPayloadBytes ?? 64 * 1024;
    const refuse = (client: Client | null, reason: string): Error => {
      const who = client ? this.identities.get(client) : undefined;
      const conn = (client as { conn?: { remoteAddress?: string } } | null)?.conn;
      options.onRefused?.({ clientId: client?.id ?? '', username: who ? usernameOf(who) : null, reason, remote: conn?.remoteAddress ?? null });
      return new Error(reason);
    };
    broker.authenticate = (client, username, password, callback) => {
      const fromCertificate = this.certificateIdentity(client);
      // A certificate names the client; a username beside it must be the same name.
      const who =
        fromCertificate && (username === undefined || username === fromCertificate.commonName) ? fromCertificate.who : options.authenticate(username, password);
      // Vigil's own clients' ids are Vigil's: a device reusing one would take over its session.
      if (!who || (who.kind !== 'vigil' && client.id.startsWith('vigil-'))) {
        refuse(client, who ? `client id ${client.id} is reserved` : username ? `wrong credential for ${username}` : 'anonymous client');
        const error = Object.assign(new Error('not authorized'), { returnCode: username ? 4 : 5 });
        return callback(error as Parameters<typeof callback>[0], false);
      }
      this.identities.set(client, who);
      callback(null, true);
    };
    broker.authorizeSubscribe = (client, subscription, callback) => {
      const who = client ? this.identities.get(client) : undefined;
      if (!who || !maySubscribe(who, subscription.topic, options.plan)) {
        refuse(client, `subscribing to ${subscription.topic} is not allowed`);
        // A refused subscription is granted nothing (SUBACK 0x80): the client learns it, sees no data.
        return callback(null, null);
      }
      callback(null, subscription);
    };
    broker.authorizePublish = (client, packet, callback) => {
      if (packet.topic.startsWith('$SYS/')) return callback(new Error('$SYS topics are reserved'));
      if (!client) return callback(null);
      const who = this.identities.get(client);
      if (!who || !mayPublish(who, packet.topic, options.plan)) return callback(refuse(client, `publishing to ${packet.topic} is not allowed`));
      if (!options.router.listensOn(packet.topic)) return callback(null);
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      if (payload.length > max) return callback(new Error(`payload of ${payload.length} bytes exceeds ${max}`));
      const message = mqttMessage(packet.topic, payload);
      const handler = options.router.handlerFor(message);
      if (!handler) return callback(null);
      handler(message).then(
        () => callback(null),
        (error: unknown) => {
          options.onError?.(error);
          callback(error instanceof Error ? error : new Error(String(error)));
        },
      );
    };
    broker.on('clientError', (_client, error) => options.onError?.(error));
    const handle = broker.handle as unknown as (socket: Socket) => void;
    const server = createServer(handle);
    server.maxConnections = options.maxConnections;
    this.broker = broker;
    this.server = server;
    await listenOn(server, options.port, options.host);
    let tlsPort: number | null = null;
    if (options.tls) {
      const { clientCa } = options.tls;
      const tlsServer = createTlsServer(
        {
          cert: options.tls.cert,
          key: options.tls.key,
          minVersion: 'TLSv1.2',
          // Certificates are asked for, not required: devices with a username and secret still connect. Only a
          // certificate the client CA signed counts (socket.authorized); any other is ignored.
          ...(clientCa ? { ca: clientCa, requestCert: true, rejectUnauthorized: false } : {}),
        },
        handle,
      );
      tlsServer.maxConnections = options.maxConnections;
      tlsServer.on('tlsClientError', (error) => options.onError?.(error));
      this.tlsServer = tlsServer;
      await listenOn(tlsServer, options.tls.port, options.tls.host);
      tlsPort = (tlsServer.address() as { port: number }).port;
    }
    return { port: (server.address() as { port: number }).port, tlsPort };
  }

  private certificateIdentity(client: Client): { who: MqttIdentity; commonName: string } | null {
    if (!this.options.tls?.clientCa || !this.options.authenticateCertificate) return null;
    const socket = client.conn as unknown as Partial<TLSSocket>;
    if (!socket.authorized || typeof socket.getPeerCertificate !== 'function') return null;
    const cn = socket.getPeerCertificate().subject?.CN;
    const commonName = Array.isArray(cn) ? undefined : cn;
    if (!commonName) return null;
    const who = this.options.authenticateCertificate(commonName);
    return who ? { who, commonName } : null;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.broker ? this.broker.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.tlsServer ? this.tlsServer.close(() => resolve()) : resolve()));
    this.broker = null;
    this.server = null;
    this.tlsServer = null;
  }
}

const usernameOf = (who: MqttIdentity): string => (who.kind === 'vigil' ? 'vigil' : `${who.kind}:${who.id}`);

function listenOn(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
}
