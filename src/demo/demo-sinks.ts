import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import smpp, { type PDU, type Session } from 'smpp';
import { isLoopbackHost, LOOPBACK, type VigilConfig } from '../kernel/config.js';

/**
 * The demo's own mail catcher and SMSC: an SMTP sink (smtp-server) and an SMPP 3.4 simulator
 * (node-smpp's server), both on loopback on free ports, started with a demo node so that the
 * e-mail and SMS channels really deliver — and their delivery tracking really fills — out of
 * the box. Nothing leaves the machine: every message lands in an inbox kept in memory (the
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

export interface DemoInbox {
  mail: CaughtMail[];
  sms: CaughtSms[];
}

export interface DemoSinks {
  smtpUrl: string | null;
  smppUrl: string | null;
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
  if (config.smtpUrl && config.smppUrl) return false;
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
  const closers: (() => Promise<void>)[] = [];
  let smtpUrl: string | null = null;
  let smppUrl: string | null = null;
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
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(
      join(config.dataDir, MARKER),
      'This data folder is a demo: `vigil serve` starts a local SMTP sink and SMSC for it (src/demo/demo-sinks.ts).\n',
    );
  } catch (error) {
    await Promise.all(closers.map((c) => c()));
    throw error;
  }
  return {
    smtpUrl,
    smppUrl,
    inbox: () => ({ mail: [...mail].reverse(), sms: [...sms].reverse() }),
    close: async () => {
      await Promise.all(closers.map((c) => c()));
    },
  };
}
