import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { Dc09Framer, type RawFrame } from './dc09-framer.js';

export interface Dc09ServerOptions {
  host: string;
  tcpPort: number | null;
  udpPort: number | null;
  maxConnections: number;
  /** A connection that sends nothing for this long is closed (panels reconnect). */
  idleTimeoutMs: number;
  /**
   * Handles one frame and returns the reply to send (ACK only once the signal is
   * durable). Frames of one connection are handled strictly in order.
   */
  onFrame(frame: RawFrame, remote: string, transport: 'tcp' | 'udp'): Promise<Buffer | null>;
  onDiscarded?(bytes: number, remote: string): void;
  onError?(error: unknown): void;
}

/**
 * The DC-09 listeners: TCP (a panel keeps a connection and sends frames one after
 * another) and UDP (one frame per datagram). Limits: connection count, idle time,
 * and the framer's per-frame size bound.
 */
export class Dc09Server {
  private tcp: Server | null = null;
  private udp: UdpSocket | null = null;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly options: Dc09ServerOptions) {}

  async start(): Promise<{ tcpPort: number | null; udpPort: number | null }> {
    const { options } = this;
    let tcpPort: number | null = null;
    let udpPort: number | null = null;
    if (options.tcpPort !== null) {
      const server = createServer((socket) => this.accept(socket));
      server.maxConnections = options.maxConnections;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.tcpPort!, options.host, () => resolve());
      });
      server.on('error', (e) => options.onError?.(e));
      this.tcp = server;
      tcpPort = (server.address() as { port: number }).port;
    }
    if (options.udpPort !== null) {
      const socket = createSocket('udp4');
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(options.udpPort!, options.host, () => resolve());
      });
      socket.on('error', (e) => options.onError?.(e));
      socket.on('message', (msg, rinfo) => void this.datagram(socket, msg, rinfo.address, rinfo.port));
      this.udp = socket;
      udpPort = socket.address().port;
    }
    return { tcpPort, udpPort };
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.setTimeout(this.options.idleTimeoutMs, () => socket.destroy());
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    const framer = new Dc09Framer();
    // One chain per connection keeps replies in the order frames arrived.
    let chain: Promise<void> = Promise.resolve();
    socket.on('data', (chunk) => {
      const { frames, discarded } = framer.push(chunk);
      if (discarded > 0) this.options.onDiscarded?.(discarded, remote);
      for (const frame of frames) {
        chain = chain.then(async () => {
          try {
            const reply = await this.options.onFrame(frame, remote, 'tcp');
            if (reply && !socket.destroyed) socket.write(reply);
          } catch (error) {
            // No reply: the panel retries, nothing was acknowledged.
            this.options.onError?.(error);
          }
        });
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
  }

  private async datagram(socket: UdpSocket, msg: Buffer, address: string, port: number): Promise<void> {
    const { frames, discarded } = new Dc09Framer().push(msg);
    if (discarded > 0) this.options.onDiscarded?.(discarded, `${address}:${port}`);
    for (const frame of frames) {
      try {
        const reply = await this.options.onFrame(frame, `${address}:${port}`, 'udp');
        if (reply) socket.send(reply, port, address);
      } catch (error) {
        this.options.onError?.(error);
      }
    }
  }

  get connections(): number {
    return this.sockets.size;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.all([
      this.tcp ? new Promise<void>((r) => this.tcp!.close(() => r())) : undefined,
      this.udp ? new Promise<void>((r) => this.udp!.close(() => r())) : undefined,
    ]);
    this.tcp = null;
    this.udp = null;
  }
}
