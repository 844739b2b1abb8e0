import { randomInt } from 'node:crypto';
import { isIP } from 'node:net';
import smpp, { type PDU, type Session } from 'smpp';
import { gsmEncode, gsmSeptets, smsParts } from '../../messages/message-sizing.js';
import type { OutgoingMessage, SendResult } from '../channel.js';
import { readReceipt, type SmsReceipt } from './sms-receipt.js';

/** SMPP 3.4 command_status values an SMSC uses when it is only busy: try again later. */
const RETRYABLE = new Set([0x14 /* ESME_RMSGQFUL */, 0x58 /* ESME_RTHROTTLED */, 0x08 /* ESME_RSYSERR */]);
/** esm_class bits 2–5: the message type (SMPP 3.4 §5.2.12); 0x04 is an SMSC delivery receipt, 0 a mobile-originated message. */
const MESSAGE_TYPE = 0x3c;
const DELIVERY_RECEIPT = 0x04;
const REBIND_MS = [1_000, 2_000, 5_000, 10_000, 30_000];

/** What the SMSC sends us. Each handler calls `done` once what it got is durable; only then is deliver_sm answered. */
export interface SmsInbound {
  receipt(receipt: SmsReceipt, done: () => void): void;
  mobileOriginated(message: { from: string; text: string }, done: () => void): void;
}

/** The parts of one message the SMSC accepted so far: a retry sends only the others, with the same reference. */
interface PartsSent {
  ref: number;
  ids: (string | null)[];
}

/**
 * The SMS channel's transport, SMPP 3.4 to an SMSC: one bound transceiver session, text in
 * GSM 03.38 (data_coding 0, unpacked septets) when it fits that alphabet, UCS-2
 * (data_coding 8) otherwise; long texts as concatenated SMS (UDH 00 03 ref n i,
 * esm_class 0x40) of 153/67 units a part, as the preview showed the officer.
 * Every part asks for a delivery receipt (registered_delivery 1). Once `listen`
 * is called the bind is kept (and restored) so receipts and replies keep coming.
 */
export class SmsAdapter {
  private session: Promise<Session> | null = null;
  private readonly url: URL;
  private readonly parts = new WeakMap<OutgoingMessage, PartsSent>();
  private inbound: SmsInbound | null = null;
  private closed = false;
  private rebinds = 0;
  private rebindTimer: NodeJS.Timeout | null = null;

  /** smpps:// (or node-smpp's ssmpp://): SMPP over TLS, the SMSC's certificate checked against `ca` or the system's CAs. */
  readonly tls: boolean;
  readonly host: string;

  constructor(
    url: string,
    private readonly sender: string,
    private readonly options: { ca?: string | Buffer } = {},
  ) {
    this.url = new URL(url);
    this.tls = this.url.protocol === 'smpps:' || this.url.protocol === 'ssmpp:';
    this.host = this.url.hostname.replace(/^\[(.*)\]$/, '$1');
  }

  private connect(): Session {
    const port = Number(this.url.port || (this.tls ? 3550 : 2775));
    if (!this.tls) return smpp.connect({ host: this.host, port, auto_enquire_link_period: 30_000 });
    return smpp.connect({
      host: this.host,
      port,
      auto_enquire_link_period: 30_000,
      tls: true,
      minVersion: 'TLSv1.2',
      rejectUnauthorized: true,
      ...(isIP(this.host) ? {} : { servername: this.host }),
      ...(this.options.ca ? { ca: this.options.ca } : {}),
    });
  }

  /** Binds now and keeps the bind, handing receipts and mobile-originated messages to `inbound`. */
  listen(inbound: SmsInbound): void {
    this.inbound = inbound;
    this.keepBound();
  }

  private keepBound(): void {
    if (this.closed || !this.inbound || this.rebindTimer) return;
    this.bind().then(
      () => (this.rebinds = 0),
      () => {
        const wait = REBIND_MS[Math.min(this.rebinds++, REBIND_MS.length - 1)]!;
        this.rebindTimer = setTimeout(() => {
          this.rebindTimer = null;
          this.keepBound();
        }, wait);
        this.rebindTimer.unref();
      },
    );
  }

  private bind(): Promise<Session> {
    if (this.session) return this.session;
    // Only this session's own end forgets it: a late 'close' of an old one must not drop a newer bind.
    const forget = (): void => {
      if (this.session === bound) this.session = null;
    };
    const bound = new Promise<Session>((resolve, reject) => {
      const session = this.connect();
      const fail = (error: Error): void => {
        forget();
        session.destroy();
        reject(error);
      };
      session.once('error', fail);
      session.on('close', () => {
        forget();
        // Closed before the bind was answered (e.g. plain SMPP to a TLS port): the send fails instead of waiting for ever.
        reject(new Error('the SMSC closed the connection before answering the bind'));
        this.keepBound();
      });
      // Over TLS the bind waits for the handshake (the SMSC's certificate checked): the password goes encrypted or not at all.
      session.on(this.tls ? 'secureConnect' : 'connect', () => {
        session.bind_transceiver({ system_id: decodeURIComponent(this.url.username), password: decodeURIComponent(this.url.password) }, (pdu) => {
          if (pdu.command_status !== 0) return fail(new Error(`SMSC refused the bind (command_status 0x${pdu.command_status.toString(16)})`));
          session.off('error', fail);
          session.on('error', forget);
          session.on('deliver_sm', (deliver: PDU) => this.delivered(session, deliver));
          resolve(session);
        });
      });
    });
    this.session = bound;
    return bound;
  }

  /** A receipt or a reply: answered once the handler has it durable, or at once when nobody listens or it cannot be read. */
  private delivered(session: Session, pdu: PDU): void {
    let answered = false;
    const done = (): void => {
      if (answered) return;
      answered = true;
      if (!session.socket.destroyed) session.send(pdu.response());
    };
    try {
      const type = Number(pdu.esm_class ?? 0) & MESSAGE_TYPE;
      if (this.inbound && type === DELIVERY_RECEIPT) {
        const receipt = readReceipt(pdu);
        if (receipt) return this.inbound.receipt(receipt, done);
      } else if (this.inbound && type === 0) {
        const sm = pdu.short_message as { message?: unknown } | undefined;
        const text = typeof sm?.message === 'string' ? sm.message : Buffer.isBuffer(sm?.message) ? (sm.message as Buffer).toString('latin1') : '';
        return this.inbound.mobileOriginated({ from: String(pdu.source_addr ?? ''), text }, done);
      }
    } catch {
      // A PDU we cannot read is still answered, so the SMSC does not resend it for ever.
    }
    done();
  }

  async send(messages: readonly OutgoingMessage[]): Promise<SendResult[]> {
    let session: Session;
    try {
      session = await this.bind();
    } catch (error) {
      return messages.map(() => ({ ok: false, error: `SMSC unreachable: ${(error as Error).message}`, retry: true }));
    }
    return Promise.all(messages.map((m) => this.sendOne(session, m)));
  }

  private async sendOne(session: Session, m: OutgoingMessage): Promise<SendResult> {
    const gsm = gsmSeptets(m.text) !== null;
    const texts = smsParts(m.text);
    let sent = this.parts.get(m);
    if (!sent) this.parts.set(m, (sent = { ref: randomInt(256), ids: texts.map(() => null) }));
    const alphanumeric = /[^0-9+]/.test(this.sender);
    let failure: { error: string; retry: boolean } | null = null;
    for (const [i, part] of texts.entries()) {
      if (sent.ids[i] !== null) continue; // accepted on an earlier attempt
      const payload = gsm ? gsmEncode(part) : Buffer.from(part, 'utf16le').swap16();
      const udh = texts.length > 1 ? Buffer.from([0x05, 0x00, 0x03, sent.ref, texts.length, i + 1]) : null;
      const response = await new Promise<PDU>((resolve) => {
        session.submit_sm(
          {
            source_addr_ton: alphanumeric ? 5 : 1,
            source_addr_npi: alphanumeric ? 0 : 1,
            source_addr: this.sender.replace(/^\+/, ''),
            dest_addr_ton: 1,
            dest_addr_npi: 1,
            destination_addr: m.address.replace(/^\+/, ''),
            esm_class: udh ? 0x40 : 0,
            data_coding: gsm ? 0 : 8,
            registered_delivery: 1,
            short_message: udh ? Buffer.concat([udh, payload]) : payload,
          },
          resolve,
        );
      });
      if (response.command_status !== 0) {
        const status = `0x${response.command_status.toString(16).padStart(8, '0')}`;
        const retry = RETRYABLE.has(response.command_status);
        failure ??= { error: `SMSC refused part ${i + 1}/${texts.length}: command_status ${status}`, retry };
        failure.retry &&= retry;
        continue;
      }
      sent.ids[i] = String(response.message_id ?? '');
    }
    if (failure) return { ok: false, ...failure };
    this.parts.delete(m);
    const ids = sent.ids as string[];
    return { ok: true, detail: ids.join(','), messageIds: ids };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.rebindTimer) clearTimeout(this.rebindTimer);
    const pending = this.session;
    this.session = null;
    const session = await pending?.catch(() => null);
    if (!session) return;
    // An SMSC that does not answer the unbind does not hold up shutting down.
    await Promise.race([new Promise<void>((r) => session.unbind(() => r())), new Promise<void>((r) => setTimeout(r, 2000).unref())]);
    session.destroy();
  }
}
