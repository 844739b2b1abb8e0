import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gsmDecode } from '../../src/alerts/messages/message-sizing.js';

/** What the loopback CBC decoded from one request. */
export interface CbcReceived {
  operation: 'write-replace' | 'stop';
  messageIdentifier: number;
  serialNumber: number;
  messageCode: number;
  updateNumber: number;
  language: string | null;
  /** The pages unpacked back to text (writes only). */
  pages: string[];
  cells: string[];
  requestId: string;
}

/** Unpacks GSM-7 bit by bit (a different way from Vigil's packer): septet i is bits 7i…7i+6, least significant first. */
function unpackBits(octets: Buffer, septets: number): number[] {
  const bits: number[] = [];
  for (const o of octets) for (let b = 0; b < 8; b++) bits.push((o >> b) & 1);
  return Array.from({ length: septets }, (_, i) => bits.slice(i * 7, i * 7 + 7).reduce((v, bit, k) => v | (bit << k), 0));
}

function decodePages(contentsB64: string, dcs: number): string[] {
  const c = Buffer.from(contentsB64, 'base64');
  const n = c[0]!;
  if (n < 1 || n > 15 || c.length !== 1 + n * 83) throw new Error(`bad CBS contents: ${n} pages in ${c.length} octets`);
  const pages: string[] = [];
  for (let p = 0; p < n; p++) {
    const page = c.subarray(1 + p * 83, 1 + p * 83 + 82);
    const len = c[1 + p * 83 + 82]!;
    if (dcs === 0x48) {
      let s = '';
      for (let i = 0; i < len; i += 2) s += String.fromCharCode(page.readUInt16BE(i));
      pages.push(s);
    } else {
      if (dcs >> 4 !== 0 && dcs >> 4 !== 2) throw new Error(`unexpected DCS ${dcs}`);
      // All 93 septets: the text, then CR padding up to the page's end.
      const all = unpackBits(page, 93);
      const used = Math.floor((len * 8) / 7);
      if (all.slice(used).some((s) => s !== 0x0d)) throw new Error('page not padded with CR');
      let text = all.slice(0, used);
      while (text.at(-1) === 0x0d) text = text.slice(0, -1);
      pages.push(gsmDecode(Uint8Array.from(text)));
    }
  }
  return pages;
}

const CMAS = new Set([...Array.from({ length: 30 }, (_, i) => 4370 + i)]);

/**
 * A Cell Broadcast Centre on loopback that really reads Vigil's requests: decodes
 * the pages, checks message identifiers and serial numbers (an Update replaces
 * with the same message code and the next update number; a Stop kills a message
 * on air) and answers per cell. `failCells` are refused; `failFirst` requests get 503.
 */
export async function startCbcPeer(options: { failCells?: string[]; failFirst?: number } = {}): Promise<{
  url: string;
  received: CbcReceived[];
  onAir: Map<string, CbcReceived>;
  problems: string[];
  control: { failFirst: number; failCells: Set<string> };
  close(): Promise<void>;
}> {
  const received: CbcReceived[] = [];
  const onAir = new Map<string, CbcReceived>(); // `${messageIdentifier}/${messageCode}` → message
  const problems: string[] = [];
  const control = { failFirst: options.failFirst ?? 0, failCells: new Set(options.failCells ?? []) };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = (status: number, body: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (control.failFirst > 0) {
        control.failFirst--;
        return answer(503, { error: 'busy' });
      }
      try {
        const r = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
        if (!CMAS.has(r.messageIdentifier)) throw new Error(`message identifier ${r.messageIdentifier} is not a CMAS/EU-Alert one`);
        const serial = r.serialNumber as number;
        const m: CbcReceived = {
          operation: r.operation,
          messageIdentifier: r.messageIdentifier,
          serialNumber: serial,
          messageCode: (serial >> 4) & 0x3ff,
          updateNumber: serial & 0xf,
          language: r.language ?? null,
          pages: [],
          cells: r.warningArea.cells,
          requestId: r.requestId,
        };
        if (serial >> 14 !== 1) throw new Error('geographical scope is not PLMN wide');
        const key = `${m.messageIdentifier}/${m.messageCode}`;
        if (r.operation === 'write-replace') {
          if (r.messageCode !== m.messageCode || r.updateNumber !== m.updateNumber)
            throw new Error('serial number disagrees with its message code / update number');
          m.pages = decodePages(r.contents, r.dataCodingScheme);
          if (m.pages.length !== r.pages) throw new Error('page count disagrees');
          const before = onAir.get(key);
          if (r.replacesSerialNumber !== null) {
            if (!before || before.serialNumber !== r.replacesSerialNumber) throw new Error('replaces a message that is not on air');
            if (m.updateNumber !== ((before.updateNumber + 1) & 0xf)) throw new Error('a replacement must carry the next update number');
          } else if (before && before.serialNumber === serial) throw new Error('same serial number again: phones would ignore it');
          onAir.set(key, m);
        } else if (r.operation === 'stop') {
          if (onAir.get(key)?.serialNumber !== serial) throw new Error(`stop of ${key} which is not on air`);
          onAir.delete(key);
        } else throw new Error(`unknown operation ${r.operation}`);
        received.push(m);
        const failing = control.failCells;
        answer(200, {
          accepted: m.cells.filter((c) => !failing.has(c)),
          failed: m.cells.filter((c) => failing.has(c)).map((cell) => ({ cell, cause: 'cell-not-operational' })),
        });
      } catch (error) {
        problems.push((error as Error).message);
        answer(400, { error: (error as Error).message });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cbc`,
    received,
    onAir,
    problems,
    control,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
