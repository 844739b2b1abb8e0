import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { getPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import { Dc09Framer, type RawFrame } from './dc09-framer.js';
import { JUNK_BYTES_PER_STRIKE, JUNK_BYTES_PER_TOKEN, REFUSAL_TOKENS, SourceLimits, type SourceLimitOptions } from './source-limits.js';
import type { FromUdpListener, ToUdpListener, UdpListenerInput } from './udp-listener-thread.js';

/** Why a frame or connection was turned away before any parsing. */
export type Dc09DropReason = 'rate' | 'udp-queue' | 'connections' | 'quarantine';
// 'rate' over TCP counts frames held until their source's token (not lost); over UDP, datagrams dropped.
// 'quarantine': a connection closed at accept, or a datagram dropped unread, from a quarantined address.

const UDP_ENTRY = new URL('./udp-listener-entry.mjs', import.meta.url);
const UDP_MODULE = new URL('./udp-listener-thread.ts', import.meta.url);

export interface Dc09ServerOptions {
  host: string;
  tcpPort: number | null;
  udpPort: number | null;
  maxConnections: number;
  /** A connection that sends nothing for this long is closed (panels reconnect). */
  idleTimeoutMs: number;
  /**
   * Handles one frame and returns the reply to send (ACK only once the signal is
   * durable) — at once when it has nothing to wait for (a poll). Frames of one connection
   * are handled strictly in order.
   */
  onFrame(frame: RawFrame, remote: string, transport: 'tcp' | 'udp'): Buffer | null | Promise<Buffer | null>;
  onDiscarded?(bytes: number, remote: string): void;
  /** A frame, datagram or connection dropped by a limit (counted, never parsed). */
  onDropped?(reason: Dc09DropReason, remote: string, n?: number): void;
  /**
   * A source address went into quarantine (its strikes, refused frames and junk, reached the limit): its
   * connections are held unread, and until `until` new ones are closed at accept and its datagrams dropped.
   */
  onQuarantined?(address: string, until: number): void;
  onError?(error: unknown): void;
  /**
   * An ACK written: `ms` from the moment its frame's bytes were read (the TCP chunk, the datagram handed
   * over by the UDP thread) to the ACK's write — per-connection order, rate tokens and the journal's commit
   * included. The node's own part of a panel's ACK time (vigil_dc09_ack_seconds).
   */
  onAcked?(ms: number): void;
  /** Per-source-address limits; none when absent. */
  limits?: SourceLimitOptions;
  /** Frames waiting for their reply on one connection above which reading pauses (resumes at half). */
  maxQueuedFramesPerConnection?: number;
  /** Datagrams waiting to be handled; more are dropped. */
  udpQueueLimit?: number;
  /** Datagrams handled at once (each waits for its signal to be durable). */
  udpConcurrency?: number;
  /** The rate limits' clock (tests freeze it). */
  now?: () => number;
  /**
   * UDP on a thread of its own (udp-listener-thread.ts), `nice` steps below this one: it reads every datagram
   * and hands on only those admitted (quarantine, rate, queue); absent: UDP is read on this thread.
   * `clock`: the shared memory of a test's clock (the thread's rate limits read it), or null.
   */
  udpThread?: { nice: number; clock: SharedArrayBuffer | null };
}

export interface Dc09ServerFigures {
  /** Times a connection's reading was paused / resumed for backpressure. */
  paused: number;
  resumed: number;
  /** Most frames ever waiting on one connection. */
  maxQueuedOnAConnection: number;
  dropped: Record<Dc09DropReason, number>;
}

/** `\n` CRC(4) 0LLL then `"ACK"` or `"*ACK"`: the reply accepted the frame. */
const isAck = (reply: Buffer): boolean => {
  const at = reply[10] === 0x2a ? 11 : 10; // '*' of "*ACK"
  return reply[9] === 0x22 && reply[at] === 0x41 && reply[at + 1] === 0x43 && reply[at + 2] === 0x4b && reply[at + 3] === 0x22;
};

/**
 * The DC-09 listeners: TCP (a panel keeps a connection and sends frames one after
 * another) and UDP (one frame per datagram). Limits: connection count (in all and
 * per source address), frames per second per source address, idle time, the
 * framer's per-frame size bound, frames queued per connection (backpressure: the
 * socket stops being read, so TCP flow control slows the sender), and a bounded
 * UDP queue handled by a fixed number of workers.
 */
export class Dc09Server {
  private tcp: Server | null = null;
  private udp: UdpSocket | null = null;
  private udpWorker: Worker | null = null;
  /** The UDP thread's id and niceness (Linux), once it listens. */
  udpThreadInfo: { tid: number | null; nice: number } | null = null;
  private readonly sockets = new Set<Socket>();
  /**
   * Connections of a quarantined address: never read again. Held open, not closed: a closed connection
   * invites the sender back with a fresh receive window of junk, a held one keeps it at a zero window
   * (TCP flow control) for free, until the idle timeout closes it.
   */
  private readonly held = new WeakSet<Socket>();
  private readonly limits: SourceLimits | null;
  private readonly udpQueue: { msg: Buffer; address: string; port: number; arrived: number }[] = [];
  private udpActive = 0;
  readonly figures: Dc09ServerFigures = {
    paused: 0,
    resumed: 0,
    maxQueuedOnAConnection: 0,
    dropped: { rate: 0, 'udp-queue': 0, connections: 0, quarantine: 0 },
  };

  constructor(private readonly options: Dc09ServerOptions) {
    this.limits = options.limits ? new SourceLimits(options.limits, options.now) : null;
  }

  private drop(reason: Dc09DropReason, remote: string, n = 1): void {
    this.figures.dropped[reason] += n;
    this.options.onDropped?.(reason, remote, n);
  }

  /**
   * Strikes against a source address (a refused frame, junk): once they reach the limit it is quarantined —
   * its open connections held unread, the UDP thread told — and reported once (the caller aggregates).
   */
  private strike(address: string, strikes: number): void {
    const until = this.limits?.strike(address, strikes) ?? null;
    if (until === null) return;
    for (const s of this.sockets)
      if (s.remoteAddress === address) {
        this.held.add(s);
        s.pause();
      }
    this.toUdp({ type: 'quarantine', address, until });
    this.options.onQuarantined?.(address, until);
  }

  private toUdp(message: ToUdpListener): void {
    this.udpWorker?.postMessage(message);
  }

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
    if (options.udpPort !== null && options.udpThread) udpPort = await this.startUdpThread(options.udpPort, options.udpThread);
    else if (options.udpPort !== null) {
      const socket = createSocket('udp4');
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(options.udpPort!, options.host, () => resolve());
      });
      socket.on('error', (e) => options.onError?.(e));
      socket.on('message', (msg, rinfo) => this.enqueueDatagram(msg, rinfo.address, rinfo.port));
      this.udp = socket;
      udpPort = socket.address().port;
    }
    return { tcpPort, udpPort };
  }

  /** Starts the UDP listener's thread and resolves with its port once it listens. */
  private async startUdpThread(port: number, at: { nice: number; clock: SharedArrayBuffer | null }): Promise<number> {
    const { options } = this;
    const input: UdpListenerInput = {
      host: options.host,
      port,
      limits: options.limits ?? null,
      nice: Math.min(19, getPriority() + at.nice),
      queueLimit: (options.udpQueueLimit ?? 1024) + (options.udpConcurrency ?? 32),
      clock: at.clock,
      tickMs: 50,
    };
    const worker = new Worker(UDP_ENTRY, { workerData: { role: 'vigil-dc09-udp', module: UDP_MODULE.href, input } });
    this.udpWorker = worker;
    return new Promise<number>((resolve, reject) => {
      worker.on('message', (m: FromUdpListener) => {
        switch (m.type) {
          case 'listening':
            this.udpThreadInfo = { tid: m.tid, nice: m.nice };
            resolve(m.port);
            break;
          case 'datagram':
            this.udpQueue.push({
              msg: Buffer.from(m.msg.buffer, m.msg.byteOffset, m.msg.byteLength),
              address: m.address,
              port: m.port,
              arrived: performance.now(),
            });
            this.pumpUdp();
            break;
          case 'dropped':
            for (const [reason, n] of m.counts) this.drop(reason, '', n);
            break;
          case 'error':
            if (m.fatal) reject(new Error(m.message));
            options.onError?.(new Error(`DC-09 UDP listener thread: ${m.message}`));
            break;
          case 'stopped':
            break;
        }
      });
      worker.once('error', (e) => {
        reject(e);
        options.onError?.(e);
      });
      worker.once('exit', (code) => {
        if (this.udpWorker === worker) {
          this.udpWorker = null;
          reject(new Error(`DC-09 UDP listener thread exited (${code})`));
          options.onError?.(new Error(`DC-09 UDP listener thread exited (${code})`));
        }
      });
    });
  }

  private accept(socket: Socket): void {
    const address = socket.remoteAddress ?? '?';
    const remote = `${address}:${socket.remotePort}`;
    if (this.limits?.quarantined(address)) {
      this.drop('quarantine', remote);
      socket.destroy();
      return;
    }
    if (this.limits && !this.limits.openConnection(address)) {
      this.drop('connections', remote);
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.setTimeout(this.options.idleTimeoutMs, () => socket.destroy());
    const framer = new Dc09Framer();
    const bound = this.options.maxQueuedFramesPerConnection ?? 32;
    let queued = 0;
    let paused = false;
    let owing = false;
    const resumeIfFree = (): void => {
      if (!paused && !owing && !socket.destroyed && !this.held.has(socket)) socket.resume();
    };
    // One chain per connection keeps replies in the order frames arrived.
    let chain: Promise<void> = Promise.resolve();
    const done = (): void => {
      queued--;
      if (paused && queued <= bound / 2 && !socket.destroyed) {
        paused = false;
        this.figures.resumed++;
        resumeIfFree();
      }
    };
    socket.on('data', (chunk) => {
      if (this.held.has(socket)) return; // read before its address was quarantined: dropped
      const arrived = performance.now();
      const { frames, discarded } = framer.push(chunk);
      if (discarded > 0) {
        this.options.onDiscarded?.(discarded, remote);
        if (this.limits) {
          this.limits.charge(address, discarded / JUNK_BYTES_PER_TOKEN);
          this.strike(address, discarded / JUNK_BYTES_PER_STRIKE);
          if (this.held.has(socket)) return; // quarantined
          const wait = this.limits.waitMs(address);
          if (wait > 0 && !owing) {
            // Junk is paid for in time: the connection is not read until the source's bucket refills.
            owing = true;
            this.drop('rate', remote);
            socket.pause();
            setTimeout(() => {
              owing = false;
              resumeIfFree();
            }, wait).unref();
          }
        }
      }
      for (const frame of frames) {
        if (socket.destroyed || this.held.has(socket)) break; // quarantined by a frame before it
        queued++;
        if (queued > this.figures.maxQueuedOnAConnection) this.figures.maxQueuedOnAConnection = queued;
        if (queued > bound && !paused) {
          // Stop reading: the kernel's buffers fill and TCP flow control holds the sender back.
          paused = true;
          this.figures.paused++;
          socket.pause();
        }
        // Nothing ahead of it on this connection and its source's token at hand (or no per-source
        // limit): handled now, and a reply that is ready (a poll) written without a promise turn.
        // Else in order, after the frames before it, waiting for a token.
        if (queued === 1 && (!this.limits || this.limits.allowFrame(address))) {
          const pending = this.handleNow(frame, address, remote, socket, done, arrived);
          if (pending) chain = pending;
        } else chain = chain.then(() => this.handleInOrder(frame, address, remote, socket, done, arrived));
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.limits?.closeConnection(address);
    });
  }

  /** One frame whose token is taken: its reply written now when ready, else once its promise settles; then `done`. */
  private handleNow(frame: RawFrame, address: string, remote: string, socket: Socket, done: () => void, arrived: number): Promise<void> | null {
    let reply: Buffer | null | Promise<Buffer | null>;
    try {
      reply = this.options.onFrame(frame, remote, 'tcp');
    } catch (error) {
      this.options.onError?.(error); // no reply: the panel retries, nothing was acknowledged
      done();
      return null;
    }
    if (!(reply instanceof Promise)) {
      this.reply(reply, address, socket, arrived);
      done();
      return null;
    }
    return reply.then(
      (r) => {
        this.reply(r, address, socket, arrived);
        done();
      },
      (error: unknown) => {
        this.options.onError?.(error);
        done();
      },
    );
  }

  /** One frame after those before it on its connection, waiting for a rate-limit token first. */
  private async handleInOrder(frame: RawFrame, address: string, remote: string, socket: Socket, done: () => void, arrived: number): Promise<void> {
    try {
      if (this.limits && !(await this.tokenFor(address, remote, socket))) return;
      this.reply(await this.options.onFrame(frame, remote, 'tcp'), address, socket, arrived);
    } catch (error) {
      // No reply: the panel retries, nothing was acknowledged.
      this.options.onError?.(error);
    } finally {
      done();
    }
  }

  /** Writes a frame's reply; a refusal costs its source tokens. */
  private reply(reply: Buffer | null, address: string, socket: Socket, arrived: number): void {
    if (!reply) return;
    if (this.limits && !isAck(reply)) {
      this.limits.charge(address, REFUSAL_TOKENS);
      // Written first: the refusal's reason reaches the sender even when this strike quarantines it.
      if (!socket.destroyed) socket.write(reply);
      this.strike(address, 1);
      return;
    }
    if (!socket.destroyed) {
      socket.write(reply);
      if (isAck(reply)) this.options.onAcked?.(performance.now() - arrived);
    }
  }

  /** Waits until the source address may send another frame (false if the connection closed meanwhile). */
  private async tokenFor(address: string, remote: string, socket: Socket): Promise<boolean> {
    const limits = this.limits!;
    if (limits.allowFrame(address)) return true;
    this.drop('rate', remote);
    while (!socket.destroyed) {
      await new Promise((r) => setTimeout(r, Math.max(5, limits.waitMs(address))));
      if (limits.allowFrame(address)) return true;
    }
    return false;
  }

  private enqueueDatagram(msg: Buffer, address: string, port: number): void {
    if (this.limits?.quarantined(address)) return this.drop('quarantine', `${address}:${port}`);
    if (this.udpQueue.length >= (this.options.udpQueueLimit ?? 1024)) return this.drop('udp-queue', `${address}:${port}`);
    if (this.limits && !this.limits.allowFrame(address)) return this.drop('rate', `${address}:${port}`);
    this.udpQueue.push({ msg, address, port, arrived: performance.now() });
    this.pumpUdp();
  }

  private pumpUdp(): void {
    while (this.udpActive < (this.options.udpConcurrency ?? 32) && this.udpQueue.length > 0) {
      const { msg, address, port, arrived } = this.udpQueue.shift()!;
      this.udpActive++;
      void this.datagram(msg, address, port, arrived).finally(() => {
        this.udpActive--;
        this.pumpUdp();
      });
    }
  }

  private sendUdp(reply: Buffer, address: string, port: number): void {
    if (this.udpWorker) this.toUdp({ type: 'send', reply, address, port });
    else this.udp?.send(reply, port, address);
  }

  private async datagram(msg: Buffer, address: string, port: number, arrived: number): Promise<void> {
    const remote = `${address}:${port}`;
    // Tokens this datagram's junk and refusals cost (the UDP thread's buckets are charged them when it is done).
    let charge = 0;
    try {
      const { frames, discarded } = new Dc09Framer().push(msg);
      if (discarded > 0) {
        this.options.onDiscarded?.(discarded, remote);
        charge += discarded / JUNK_BYTES_PER_TOKEN;
        this.limits?.charge(address, discarded / JUNK_BYTES_PER_TOKEN);
        this.strike(address, discarded / JUNK_BYTES_PER_STRIKE);
      }
      for (const [i, frame] of frames.entries()) {
        // The datagram paid for its first frame when it was queued.
        if (i > 0 && this.limits && !this.limits.allowFrame(address)) {
          this.drop('rate', remote);
          continue;
        }
        try {
          const reply = await this.options.onFrame(frame, remote, 'udp');
          if (reply) this.sendUdp(reply, address, port);
          if (reply && isAck(reply)) this.options.onAcked?.(performance.now() - arrived);
          else if (reply && this.limits) {
            charge += REFUSAL_TOKENS;
            this.limits.charge(address, REFUSAL_TOKENS);
            this.strike(address, 1);
          }
        } catch (error) {
          this.options.onError?.(error);
        }
      }
    } finally {
      this.toUdp({ type: 'done', address, charge });
    }
  }

  get connections(): number {
    return this.sockets.size;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const worker = this.udpWorker;
    this.udpWorker = null;
    if (worker) {
      const stopped = new Promise<void>((r) => worker.on('message', (m: FromUdpListener) => m.type === 'stopped' && r()));
      worker.postMessage({ type: 'stop' } satisfies ToUdpListener);
      await Promise.race([stopped, new Promise((r) => setTimeout(r, 2_000).unref())]);
      await worker.terminate();
    }
    await Promise.all([
      this.tcp ? new Promise<void>((r) => this.tcp!.close(() => r())) : undefined,
      this.udp ? new Promise<void>((r) => this.udp!.close(() => r())) : undefined,
    ]);
    this.tcp = null;
    this.udp = null;
  }
}
