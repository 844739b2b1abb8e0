import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
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
    /**
     * A PEM file of the client CA's certificate revocation list: a revoked certificate is no identity.
     * The file is watched and reloaded when it changes (an invalid new list is refused, the previous one
     * stays); clients connected with a certificate are then disconnected and must connect again.
     */
    clientCrlFile?: string;
    /** How often the CRL file is checked for a change (default 5 s). */
    crlPollMs?: number;
  };
  /** Who a client is from the common name of a certificate the client CA signed (e.g. `device:<id>`), or null. */
  authenticateCertificate?(commonName: string): MqttIdentity | null;
  onError?(error: unknown): void;
  /** A client was refused: a wrong credential, or a publish or subscribe outside its topics. */
  onRefused?(what: { clientId: string; username: string | null; reason: string; remote?: string | null }): void;
  /** The CRL file was read again: loaded, or refused (the previous list stays in force). */
  onCrlReloaded?(outcome: { ok: boolean; disconnected: number; error?: string }): void;
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
  private tlsServer: TlsServer | null = null;
  /** Who each connected client authenticated as. */
  private readonly identities = new WeakMap<Client, MqttIdentity>();
  /** Clients that authenticated with a certificate: disconnected when the revocation list changes. */
  private readonly certificateClients = new Set<Client>();
  /** Times the revocation list was loaded (1 at start when one is configured). */
  crlLoads = 0;
  /** Times a changed CRL file was refused (unreadable or not a valid list): the previous list stayed. */
  crlRefusals = 0;
  private secureOptions: { cert: string | Buffer; key: string | Buffer; ca?: string | Buffer } | null = null;

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
      if (fromCertificate?.who === who) this.certificateClients.add(client);
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
    broker.on('clientDisconnect', (client) => this.certificateClients.delete(client));
    const handle = broker.handle as unknown as (socket: Socket) => void;
    const server = createServer(handle);
    server.maxConnections = options.maxConnections;
    this.broker = broker;
    this.server = server;
    await listenOn(server, options.port, options.host);
    let tlsPort: number | null = null;
    if (options.tls) {
      const { clientCa, clientCrlFile } = options.tls;
      if (clientCrlFile && !clientCa) throw new Error('a client certificate revocation list needs the client CA');
      this.secureOptions = { cert: options.tls.cert, key: options.tls.key, ...(clientCa ? { ca: clientCa } : {}) };
      // Read (and checked by OpenSSL) before listening: a node given a bad list does not start.
      const crl = clientCrlFile ? readCrl(this.secureOptions, clientCrlFile) : undefined;
      const tlsServer = createTlsServer(
        {
          ...this.secureOptions,
          ...(crl ? { crl } : {}),
          minVersion: 'TLSv1.2',
          // Certificates are asked for, not required: devices with a username and secret still connect. Only a
          // certificate the client CA signed and its revocation list (if any) does not list counts
          // (socket.authorized); any other is ignored.
          ...(clientCa ? { requestCert: true, rejectUnauthorized: false } : {}),
        },
        handle,
      );
      if (crl) {
        this.crlLoads = 1;
        watchFile(clientCrlFile!, { interval: options.tls.crlPollMs ?? 5_000, persistent: false }, this.onCrlFileChange);
      }
      tlsServer.maxConnections = options.maxConnections;
      tlsServer.on('tlsClientError', (error) => options.onError?.(error));
      this.tlsServer = tlsServer;
      await listenOn(tlsServer, options.tls.port, options.tls.host);
      tlsPort = (tlsServer.address() as { port: number }).port;
    }
    return { port: (server.address() as { port: number }).port, tlsPort };
  }

  private readonly onCrlFileChange = (current: Stats, previous: Stats): void => {
    if (current.mtimeMs === previous.mtimeMs && current.size === previous.size && current.ino === previous.ino) return;
    this.reloadCrl();
  };

  /** Reads the revocation list again and applies it to new TLS handshakes; certificate clients connect again under it. */
  reloadCrl(): boolean {
    const file = this.options.tls?.clientCrlFile;
    if (!file || !this.tlsServer || !this.secureOptions) return false;
    let crl: Buffer;
    try {
      crl = readCrl(this.secureOptions, file);
    } catch (error) {
      this.crlRefusals++;
      this.options.onCrlReloaded?.({ ok: false, disconnected: 0, error: error instanceof Error ? error.message : String(error) });
      return false;
    }
    this.tlsServer.setSecureContext({ ...this.secureOptions, crl, minVersion: 'TLSv1.2' });
    this.crlLoads++;
    // A connection keeps the certificate check of its handshake: clients that authenticated with a
    // certificate go, and those whose certificate the new list revokes cannot come back as that device.
    const gone = [...this.certificateClients];
    this.certificateClients.clear();
    for (const client of gone) client.close();
    this.options.onCrlReloaded?.({ ok: true, disconnected: gone.length });
    return true;
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
    if (this.options.tls?.clientCrlFile) unwatchFile(this.options.tls.clientCrlFile, this.onCrlFileChange);
    await new Promise<void>((resolve) => (this.broker ? this.broker.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.tlsServer ? this.tlsServer.close(() => resolve()) : resolve()));
    this.broker = null;
    this.server = null;
    this.tlsServer = null;
  }
}

/** The CRL file's content, checked by building a TLS context with it (OpenSSL refuses a malformed list). */
function readCrl(secure: { cert: string | Buffer; key: string | Buffer; ca?: string | Buffer }, file: string): Buffer {
  const crl = readFileSync(file);
  if (!crl.includes('-----BEGIN X509 CRL-----')) throw new Error(`${file} is not a PEM certificate revocation list`);
  createSecureContext({ ...secure, crl });
  return crl;
}

const usernameOf = (who: MqttIdentity): string => (who.kind === 'vigil' ? 'vigil' : `${who.kind}:${who.id}`);

function listenOn(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
}
