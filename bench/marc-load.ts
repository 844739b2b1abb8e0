// bench:marc's load generator: panels that each keep one TCP connection, send a frame,
// wait for its reply, send the next. Frames are built from a template (CRC computed,
// timestamp text cached per second) and replies read by their fixed header, so the
// generator costs little of the two CPUs it shares with the node.
import { connect, type Socket } from 'node:net';
import { createHash } from 'node:crypto';
import { crc16 } from '../src/adapters/protocols/dc09/crc.js';
import { encryptBody } from '../src/adapters/protocols/dc09/dc09-crypto.js';

let stampSecond = -1;
let stampText = '';
/** `_HH:MM:SS,MM-DD-YYYY`, recomputed once a second. */
function stamp(now: number): string {
  const s = Math.floor(now / 1000);
  if (s !== stampSecond) {
    const d = new Date(s * 1000);
    const p = (n: number): string => String(n).padStart(2, '0');
    stampSecond = s;
    stampText = `_${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())},${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}-${d.getUTCFullYear()}`;
  }
  return stampText;
}

/** BENCH_ENCRYPTED=1: the load generator's accounts have an AES key each and every frame of theirs is encrypted ('*' frames). */
export const ENCRYPTED = process.env.BENCH_ENCRYPTED === '1';

/**
 * The AES-128 key of a load generator's account (from 0x10000: panelAccount) when BENCH_ENCRYPTED=1, one per
 * account (derived from its number), else null. The node configures the same (bench/marc-node.ts).
 */
export function panelKey(account: string): Buffer | null {
  if (!ENCRYPTED || parseInt(account, 16) < 0x10000) return null;
  return createHash('sha256').update(`bench-marc-key:${account}`).digest().subarray(0, 16);
}

/** A frame: NULL (poll) or SIA-DCS burglary alarm in `zone`; encrypted with `key` (the data block, padding and '|' before it, AES-CBC). */
export function panelFrame(kind: 'alarm' | 'poll', seq: number, account: string, zone: number, now: number, key: Buffer | null = null): Buffer {
  const s = String(seq % 10000).padStart(4, '0');
  const content = kind === 'poll' ? `]${stamp(now)}` : `#${account}|Nri1/BA${zone}]${stamp(now)}`;
  const id = kind === 'poll' ? 'NULL' : 'SIA-DCS';
  const body = key ? `"*${id}"${s}L0#${account}[${encryptBody(content, key)}` : `"${id}"${s}L0#${account}[${content}`;
  const b = Buffer.from(body, 'latin1');
  const crc = crc16(b).toString(16).toUpperCase().padStart(4, '0');
  return Buffer.concat([Buffer.from(`\n${crc}0${b.length.toString(16).toUpperCase().padStart(3, '0')}`, 'latin1'), b, CR]);
}
const CR = Buffer.from('\r', 'latin1');

export interface Reply {
  ack: boolean;
  ms: number;
}

/** One panel: one connection, one frame in flight. */
export class Panel {
  private pending: ((r: Reply) => void) | null = null;
  private sentAt = 0;
  private held = '';
  private readonly key: Buffer | null;
  seq = 0;

  private constructor(
    private readonly socket: Socket,
    readonly account: string,
  ) {
    this.key = panelKey(account);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      // Replies are `\n` CRC(4) 0LLL `"ACK"`…`\r` (`"*ACK"` to an encrypted frame): one per frame sent.
      this.held += chunk.toString('latin1');
      let cr: number;
      while ((cr = this.held.indexOf('\r')) >= 0) {
        const reply = this.held.slice(0, cr);
        this.held = this.held.slice(cr + 1);
        const done = this.pending;
        this.pending = null;
        done?.({ ack: reply.startsWith(this.key ? '"*ACK"' : '"ACK"', 9), ms: performance.now() - this.sentAt });
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => this.pending?.({ ack: false, ms: performance.now() - this.sentAt }));
  }

  static connect(port: number, account: string): Promise<Panel> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => resolve(new Panel(socket, account)));
      socket.once('error', reject);
    });
  }

  /** Sends a frame and resolves with its reply (or a failure when the connection closes). */
  send(kind: 'alarm' | 'poll', zone = 1): Promise<Reply> {
    return new Promise((resolve) => {
      this.pending = resolve;
      this.sentAt = performance.now();
      this.socket.write(panelFrame(kind, ++this.seq, this.account, zone, Date.now(), this.key));
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** The panel account of connection i (the node configures the same ones: bench/marc-node.ts). */
export const panelAccount = (i: number): string => (0x10000 + i).toString(16).toUpperCase();
