import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import smpp, { type PDU, type Session } from 'smpp';
import { decodeCbsContents, type CbcRequest, type CbcResponse } from '../alerts/contract.js';
import { isLoopbackHost, LOOPBACK, type VigilConfig } from '../kernel/config.js';

/**
 * The demo's own mail catcher, SMSC and Cell Broadcast Centre: an SMTP sink (smtp-server), an
 * SMPP 3.4 simulator (node-smpp's server) and a CBC simulator speaking the cell-broadcast
 * channel's JSON over HTTP (src/alerts/channels/cell-broadcast/cell-broadcast.ts), all on
 * loopback on free ports, started with a demo node so that the e-mail, SMS and cell-broadcast
 * channels really deliver — and their delivery tracking really fills — out of the box. Nothing leaves the machine: every message lands in an inbox kept in memory (the
 * last INBOX_LIMIT of each), which administrators read on the Administration page
 * (GET /api/demo/inbox). The SMSC answers every submit_sm and sends an SMPP 3.4 delivery
 * receipt (Appendix B text and the receipted_message_id / message_state TLVs), so SMS reads
 * "delivered" as with a real operator.
 */
export const INBOX_LIMIT = 500;

export interface CaughtMail {
  at: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
}

export interface CaughtSms {
  at: string;
  from: string;
  to: string;
  text: string;
  /** "1/2" for the parts of a long message, null for a single one. */
  part: string | null;
  messageId: string;
}

/** One request the demo CBC took: a warning put on air (write-replace) or taken off (stop). */
export interface CaughtBroadcast {
  at: string;
  operation: 'write-replace' | 'stop';
  /** CMAS / EU-Alert channel (TS 23.041 message identifier) and serial number. */
  messageIdentifier: number;
  serialNumber: number;
  updateNumber: number;
  /** null for a stop (the CBC knows what it stops by its serial number). */
  language: string | null;
  /** The pages decoded back to text, as phones show them (empty for a stop). */
  pages: string[];
  cells: string[];
  /** The CAP message it carries: identifier and type (Alert, Update, Cancel). */
  capIdentifier: string;
  msgType: string;
  requestId: string;
}

export interface DemoInbox {
  mail: CaughtMail[];
  sms: CaughtSms[];
  broadcasts: CaughtBroadcast[];
}

export interface DemoSinks {
  smtpUrl: string | null;
  smppUrl: string | null;
  cbcUrl: string | null;
  inbox(): DemoInbox;
  close(): Promise<void>;
}

const MARKER = 'demo-sinks';

/**
 * Whether this node starts the demo sinks: asked for (VIGIL_DEMO_SINKS=true), or by default a
 * demo node — demo on, listening on loopback, its own SQLite store — whose data folder is new
 * or was started with them before (a marker file), and only for the channels that have no
 * real server configured. An installation with its own store never gets them unasked.
 */
export function wantsDemoSinks(config: VigilConfig): boolean {
  const asked = config.demoSinks;
  if (asked === 'false') return false;
  if (config.smtpUrl && config.smppUrl && config.cbcUrl) return false;
  if (asked === 'true') return true;
  if (!config.demoOnEmpty || !isLoopbackHost(config.host) || config.databaseUrl) return false;
  return !existsSync(join(config.dataDir, 'vigil.sqlite')) || existsSync(join(config.dataDir, MARKER));
}

function stamp(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}`;
}

function push<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > INBOX_LIMIT) list.splice(0, list.length - INBOX_LIMIT);
}

/** Starts the sinks the configuration lacks; marks the data folder so a restart starts them again. */
export async function startDemoSinks(config: VigilConfig, onError: (what: string, error: unknown) => void = () => {}): Promise<DemoSinks> {
  const mail: CaughtMail[] = [];
  const sms: CaughtSms[] = [];
  const broadcasts: CaughtBroadcast[] = [];
  const closers: (() => Promise<void>)[] = [];
  let smtpUrl: string | null = null;
  let smppUrl: string | null = null;
  let cbcUrl: string | null = null;
  try {
    if (!config.smtpUrl) {
      // smtp-server is loaded only here (a node without the demo never needs it), mailparser with the first message (not on the way to a healthy node).
      const { SMTPServer } = await import('smtp-server');
      let parser: Promise<typeof import('mailparser')> | null = null;
      const server = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS', 'AUTH'],
        logger: false,
        size: 1024 * 1024,
        onData(stream, session, callback) {
          (parser ??= import('mailparser'))
            .then(({ simpleParser }) => simpleParser(stream))
            .then(
              (parsed) => {
                push(mail, {
                  at: new Date().toISOString(),
                  from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                  to: session.envelope.rcptTo.map((r) => r.address),
                  subject: parsed.subject ?? '',
                  text: (parsed.text ?? '').slice(0, 4000),
                });
                callback();
              },
              (error: Error) => callback(error),
            );
        },
      });
      server.on('error', (e: unknown) => onError('smtp', e));
      await new Promise<void>((r) => server.listen(0, LOOPBACK, r));
      smtpUrl = `smtp://${LOOPBACK}:${(server.server.address() as AddressInfo).port}`;
      closers.push(() => new Promise<void>((r) => server.close(() => r())));
    }
    if (!config.smppUrl) {
      const password = randomBytes(4).toString('hex'); // SMPP passwords are at most 8 octets
      const sessions = new Set<Session>();
      let id = 0;
      const server = smpp.createServer({}, (session) => {
        sessions.add(session);
        session.on('close', () => sessions.delete(session));
        session.on('error', () => sessions.delete(session));
        for (const bind of ['bind_transceiver', 'bind_transmitter', 'bind_receiver']) {
          session.on(bind, (pdu: PDU) => {
            const ok = pdu.system_id === 'vigil' && pdu.password === password;
            session.send(pdu.response({ command_status: ok ? 0 : 0x0e /* ESME_RINVPASWD */ }));
          });
        }
        session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
        session.on('unbind', (pdu: PDU) => session.send(pdu.response()));
        session.on('deliver_sm_resp', () => {});
        session.on('submit_sm', (pdu: PDU) => {
          const sm = pdu.short_message as { udh?: Buffer[]; message: string | Buffer } | string;
          const body = typeof sm === 'string' ? { message: sm } : sm;
          const udh = body.udh?.[0];
          const text = typeof body.message === 'string' ? body.message : body.message.toString('latin1');
          const messageId = `demo${(++id).toString(16)}`;
          const submitted = new Date();
          push(sms, {
            at: submitted.toISOString(),
            from: String(pdu.source_addr ?? ''),
            to: String(pdu.destination_addr ?? ''),
            text,
            part: udh && udh.length >= 5 ? `${udh[4]}/${udh[3]}` : null,
            messageId,
          });
          session.send(pdu.response({ message_id: messageId }));
          if (Number(pdu.registered_delivery) & 1) {
            // A handset answers a moment later: the receipt Vigil tracks delivery with.
            setTimeout(() => {
              if (!sessions.has(session)) return;
              session.deliver_sm({
                source_addr: String(pdu.destination_addr ?? ''),
                destination_addr: String(pdu.source_addr ?? ''),
                esm_class: 0x04,
                short_message: `id:${messageId} sub:001 dlvrd:001 submit date:${stamp(submitted)} done date:${stamp(new Date())} stat:DELIVRD err:000 text:${text.slice(0, 20)}`,
                receipted_message_id: messageId,
                message_state: 2,
              });
            }, 200).unref();
          }
        });
      });
      server.on('error', (e: unknown) => onError('smpp', e));
      await new Promise<void>((r) => server.listen(0, LOOPBACK, r));
      smppUrl = `smpp://vigil:${password}@${LOOPBACK}:${server.address().port}`;
      closers.push(
        () =>
          new Promise<void>((r) => {
            for (const s of sessions) s.destroy();
            server.close(() => r());
          }),
      );
    }
    if (!config.cbcUrl) {
      const cbc = await startDemoCbc(
        (b) => push(broadcasts, b),
        (e) => onError('cbc', e),
      );
      cbcUrl = cbc.url;
      closers.push(cbc.close);
    }
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(
      join(config.dataDir, MARKER),
      'This data folder is a demo: `vigil serve` starts a local SMTP sink, SMSC and Cell Broadcast Centre for it (src/demo/demo-sinks.ts).\n',
    );
  } catch (error) {
    await Promise.all(closers.map((c) => c()));
    throw error;
  }
  return {
    smtpUrl,
    smppUrl,
    cbcUrl,
    inbox: () => ({ mail: [...mail].reverse(), sms: [...sms].reverse(), broadcasts: [...broadcasts].reverse() }),
    close: async () => {
      await Promise.all(closers.map((c) => c()));
    },
  };
}

const CBC_MAX_BODY = 256 * 1024;
const CELL_ID = /^[0-9A-Za-z-]{1,64}$/;

/** A request of the cell-broadcast channel checked field by field; the reason it is not one otherwise. */
export function readCbcRequest(body: unknown): { ok: true; request: CbcRequest; pages: string[] } | { ok: false; error: string } {
  const r = body as Partial<Record<string, unknown>> | null;
  if (!r || typeof r !== 'object' || Array.isArray(r)) return { ok: false, error: 'the body is not a JSON object' };
  if (r.operation !== 'write-replace' && r.operation !== 'stop') return { ok: false, error: 'operation must be "write-replace" or "stop"' };
  if (typeof r.requestId !== 'string' || r.requestId.length === 0 || r.requestId.length > 200)
    return { ok: false, error: 'requestId must be a string of 1–200 characters' };
  const id = r.messageIdentifier;
  // TS 23.041 §9.4.1.2.2: CMAS and EU-Alert channels 4370–4399.
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 4370 || id > 4399)
    return { ok: false, error: 'messageIdentifier must be a CMAS / EU-Alert channel (4370–4399)' };
  const serial = r.serialNumber;
  if (typeof serial !== 'number' || !Number.isInteger(serial) || serial < 0 || serial > 0xffff)
    return { ok: false, error: 'serialNumber must be a 16-bit integer' };
  const area = r.warningArea as { cells?: unknown } | undefined;
  const cells = area?.cells;
  if (!Array.isArray(cells) || cells.length === 0 || cells.length > 10_000 || !cells.every((c) => typeof c === 'string' && CELL_ID.test(c)))
    return { ok: false, error: 'warningArea.cells must be a non-empty list of cell ids' };
  const cap = r.cap as Partial<Record<string, unknown>> | undefined;
  if (!cap || typeof cap.identifier !== 'string' || typeof cap.msgType !== 'string')
    return { ok: false, error: 'cap must carry the identifier and msgType of the CAP message' };
  if (r.operation === 'stop') return { ok: true, request: r as unknown as CbcRequest, pages: [] };
  if (r.messageCode !== ((serial >>> 4) & 0x3ff) || r.updateNumber !== (serial & 0xf))
    return { ok: false, error: 'messageCode / updateNumber disagree with the serial number' };
  if (typeof r.language !== 'string' || typeof r.dataCodingScheme !== 'number' || typeof r.contents !== 'string')
    return { ok: false, error: 'a write-replace carries language, dataCodingScheme and contents' };
  let pages: string[];
  try {
    pages = decodeCbsContents(Buffer.from(r.contents, 'base64'), r.dataCodingScheme);
  } catch (error) {
    return { ok: false, error: `contents: ${(error as Error).message}` };
  }
  if (pages.length !== r.pages) return { ok: false, error: `pages says ${String(r.pages)}, the contents hold ${pages.length}` };
  return { ok: true, request: r as unknown as CbcRequest, pages };
}

/**
 * The demo's Cell Broadcast Centre: takes the cell-broadcast channel's JSON requests (POST, one
 * CBS message each), decodes the pages as a CBC would before scheduling them, accepts every
 * cell and keeps what it took for the demo inbox. A retry of a request it already took (same
 * requestId) gets the same answer and is not recorded twice.
 */
async function startDemoCbc(onBroadcast: (b: CaughtBroadcast) => void, onError: (e: unknown) => void): Promise<{ url: string; close(): Promise<void> }> {
  const answered = new Map<string, CbcResponse>();
  const answer = (res: ServerResponse, status: number, body: unknown): void =>
    void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST' || !(req.headers['content-type'] ?? '').startsWith('application/json'))
      return answer(res, req.method === 'POST' ? 415 : 405, { error: 'POST a JSON CBS request' });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > CBC_MAX_BODY) {
        answer(res, 413, { error: 'request too large' });
        req.destroy();
      } else chunks.push(c);
    });
    req.on('error', onError);
    req.on('end', () => {
      if (res.writableEnded) return;
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return answer(res, 400, { error: 'the body is not JSON' });
      }
      const read = readCbcRequest(body);
      if (!read.ok) return answer(res, 400, { error: read.error });
      const r = read.request;
      const before = answered.get(r.requestId);
      if (before) return answer(res, 200, before);
      const result: CbcResponse = { accepted: [...new Set(r.warningArea.cells)], failed: [] };
      answered.set(r.requestId, result);
      if (answered.size > INBOX_LIMIT * 4) answered.delete(answered.keys().next().value!);
      onBroadcast({
        at: new Date().toISOString(),
        operation: r.operation,
        messageIdentifier: r.messageIdentifier,
        serialNumber: r.serialNumber,
        updateNumber: r.serialNumber & 0xf,
        language: r.operation === 'write-replace' ? r.language : null,
        pages: read.pages,
        cells: r.warningArea.cells,
        capIdentifier: r.cap.identifier,
        msgType: r.cap.msgType,
        requestId: r.requestId,
      });
      answer(res, 200, result);
    });
  });
  server.on('error', onError);
  await new Promise<void>((r) => server.listen(0, LOOPBACK, r));
  return {
    url: `http://${LOOPBACK}:${(server.address() as AddressInfo).port}/cbc`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
