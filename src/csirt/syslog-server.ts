import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { SyslogConfig } from '../kernel/config.js';
import { isLoopbackHost } from '../kernel/config.js';
import { VigilError } from '../kernel/errors.js';
import type { Logger } from 'pino';
import type { SecurityEvent } from './contract.js';
import type { SecurityIntake } from './intake.js';
import { parseSyslog, SyslogFramer } from './syslog.js';

export interface SyslogPorts {
  udp: number | null;
  tcp: number | null;
  tls: number | null;
}

const IDLE_MS = 10 * 60_000;
/** Messages of one connection received and not yet durable beyond which it is no longer read. */
const MAX_IN_FLIGHT = 5000;

/**
 * The syslog listeners: UDP (RFC 5426), TCP (RFC 6587, octet counting or LF) and TLS (RFC 5425)
 * when given a certificate — each off unless its port is configured, on loopback unless an
 * address is. Limits: message size, open connections, messages a second per source.
 */
export class SyslogServer {
  private udp: UdpSocket | null = null;
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly config: SyslogConfig,
    private readonly intake: SecurityIntake,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  /** One message from a peer: parsed, limited, stored (UDP does not wait; TCP waits, which paces the sender). */
  private take(raw: Buffer, address: string): Promise<void> | null {
    const e = this.event(raw, address, this.now());
    return e ? this.intake.add([e]) : null;
  }

  /** A message parsed and limited into a security event (null: refused or over its source's budget, counted). */
  private event(raw: Buffer, address: string, now: number): SecurityEvent | null {
    if (!this.intake.admit(address, now)) return null;
    const r = parseSyslog(raw, now, this.config.maxMessageBytes);
    if (!r.ok) {
      this.intake.refused();
      return null;
    }
    return this.intake.fromSyslog(r.message, address, now);
  }

  async listen(): Promise<SyslogPorts> {
    const c = this.config;
    const ports: SyslogPorts = { udp: null, tcp: null, tls: null };
    if (c.udpPort === null && c.tcpPort === null && c.tlsPort === null) return ports;
    if (!isLoopbackHost(c.host) && c.tcpPort !== null)
      this.logger.warn({ host: c.host }, 'syslog over plain TCP listens beyond loopback: messages travel in clear (give VIGIL_SYSLOG_TLS_*)');
    if (c.udpPort !== null) {
      const udp = createSocket({ type: c.host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: 4 * 1024 * 1024 });
      udp.on('message', (msg, rinfo) => {
        this.take(msg, rinfo.address)?.catch((error: unknown) => this.logger.warn({ err: error }, 'syslog message not stored'));
      });
      udp.on('error', (error) => this.logger.warn({ err: error }, 'syslog UDP'));
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(c.udpPort!, c.host, () => {
          udp.off('error', reject);
          resolve();
        });
      });
      this.udp = udp;
      ports.udp = udp.address().port;
    }
    const handle = (socket: Socket) => this.connection(socket);
    if (c.tcpPort !== null) ports.tcp = await this.open(createServer(handle), c.tcpPort);
    if (c.tlsPort !== null) {
      if (!c.tlsCert || !c.tlsKey) throw new VigilError('bad_request', 'VIGIL_SYSLOG_TLS_PORT needs VIGIL_SYSLOG_TLS_CERT and VIGIL_SYSLOG_TLS_KEY');
      ports.tls = await this.open(createTlsServer({ cert: readFileSync(c.tlsCert), key: readFileSync(c.tlsKey), minVersion: 'TLSv1.2' }, handle), c.tlsPort);
    }
    this.logger.info({ host: c.host, ...ports }, 'syslog intake listening');
    return ports;
  }

  private async open(server: Server, port: number): Promise<number> {
    server.maxConnections = this.config.maxConnections;
    server.on('error', (error) => this.logger.warn({ err: error }, 'syslog listener'));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.servers.push(server);
    return (server.address() as AddressInfo).port;
  }

  private connection(socket: Socket): void {
    this.sockets.add(socket);
    const address = socket.remoteAddress ?? '?';
    const framer = new SyslogFramer(this.config.maxMessageBytes);
    let inFlight = 0;
    socket.setTimeout(IDLE_MS, () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      const { messages, problem } = framer.push(chunk);
      // The messages of one chunk go to the batch together: one promise for all of them, not one each.
      const now = this.now();
      const events: SecurityEvent[] = [];
      for (const m of messages) {
        const e = this.event(m, address, now);
        if (e) events.push(e);
      }
      if (problem) {
        this.intake.refused();
        this.logger.warn({ remote: address, problem }, 'syslog stream closed');
        socket.destroy();
        return;
      }
      if (events.length > 0) {
        // Back-pressure: a sender has at most MAX_IN_FLIGHT messages not yet stored; past that, reading waits.
        inFlight += events.length;
        if (inFlight > MAX_IN_FLIGHT) socket.pause();
        const n = events.length;
        this.intake
          .add(events)
          .catch((error: unknown) => this.logger.warn({ err: error }, 'syslog messages not stored'))
          .finally(() => {
            inFlight -= n;
            if (inFlight <= MAX_IN_FLIGHT && socket.isPaused()) socket.resume();
          });
      }
    });
  }

  async stop(): Promise<void> {
    this.udp?.close();
    this.udp = null;
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    this.servers.length = 0;
  }
}
