import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { crc16 } from './crc.js';
import { Dc09Framer } from './dc09-framer.js';

export interface Dc09Reply {
  kind: 'ACK' | 'NAK' | 'DUH' | 'RSP' | 'invalid';
  encrypted: boolean;
  seq: string | null;
  raw: string;
  crcOk: boolean;
}

/** Reads a receiver's reply: its kind, sequence and whether its CRC is right. */
export function readReply(body: Buffer, crc: number): Dc09Reply {
  const text = body.toString('latin1');
  const m = /^"(\*?)(ACK|NAK|DUH|RSP)"(\d{4})/.exec(text);
  return {
    kind: (m?.[2] as Dc09Reply['kind'] | undefined) ?? 'invalid',
    encrypted: m?.[1] === '*',
    seq: m?.[3] ?? null,
    raw: text,
    crcOk: crc16(body) === crc,
  };
}

/**
 * A panel's side of a connection (the `vigil dc09-send` dialler and the load
 * generator): sends frames and resolves each with the receiver's reply, in order.
 */
export class Dc09Client {
  private readonly framer = new Dc09Framer();
  private readonly waiting: { resolve: (r: Dc09Reply) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[] = [];

  private constructor(
    private readonly socket: Socket,
    private readonly timeoutMs: number,
  ) {
    socket.on('data', (chunk) => {
      for (const f of this.framer.push(chunk).frames) {
        const w = this.waiting.shift();
        if (!w) continue;
        clearTimeout(w.timer);
        w.resolve(readReply(f.body, f.crc));
      }
    });
    const failAll = (error: Error): void => {
      for (const w of this.waiting.splice(0)) {
        clearTimeout(w.timer);
        w.reject(error);
      }
    };
    socket.on('error', failAll);
    socket.on('close', () => failAll(new Error('connection closed by the receiver')));
  }

  static connect(host: string, port: number, timeoutMs = 10_000): Promise<Dc09Client> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      socket.setNoDelay(true);
      socket.once('connect', () => resolve(new Dc09Client(socket, timeoutMs)));
      socket.once('error', reject);
    });
  }

  send(frame: Buffer): Promise<Dc09Reply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiting.findIndex((w) => w.timer === timer);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new Error(`no reply within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.waiting.push({ resolve, reject, timer });
      this.socket.write(frame);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** One frame over UDP, one reply datagram back. */
export function sendUdp(host: string, port: number, frame: Buffer, timeoutMs = 5000): Promise<Dc09Reply> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no reply within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('message', (msg) => {
      clearTimeout(timer);
      socket.close();
      const f = new Dc09Framer().push(msg).frames[0];
      resolve(f ? readReply(f.body, f.crc) : { kind: 'invalid', encrypted: false, seq: null, raw: msg.toString('latin1'), crcOk: false });
    });
    socket.send(frame, port, host);
  });
}
