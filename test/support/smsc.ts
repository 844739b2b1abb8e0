import smpp, { type PDU, type Session } from 'smpp';
import { receiptText } from '../../src/alerts/channels/sms/sms-receipt.js';

export interface Received {
  to: string;
  dataCoding: number;
  esmClass: number;
  udh: Buffer | null;
  text: string;
  messageId: string;
  registeredDelivery: number;
}

export interface SmscOptions {
  /**
   * The Appendix B stat of the receipt for each accepted part (`part` counts from 1; 1 of 1
   * for a single message), or null for no receipt. Default: every part DELIVRD.
   */
  receipt?: (to: string, part: number, parts: number) => string | null;
  /** Receipts with the text only, without the receipted_message_id and message_state TLVs. */
  textOnlyReceipts?: boolean;
  /** Listen with TLS (SMPP over TLS): the URL is then smpps://. */
  tls?: { cert: Buffer; key: Buffer };
}

const MESSAGE_STATE: Record<string, number> = { ENROUTE: 1, DELIVRD: 2, EXPIRED: 3, DELETED: 4, UNDELIV: 5, ACCEPTD: 6, UNKNOWN: 7, REJECTD: 8 };

/**
 * An SMSC on loopback (node-smpp's server): checks the bind, decodes every submit_sm,
 * can throttle (per destination and attempt), sends SMPP 3.4 delivery receipts for
 * what it accepted and, with `mo`, mobile-originated messages to the bound ESMEs.
 */
export async function smsc(throttle: (to: string, attempt: number, part: number) => boolean = () => false, options: SmscOptions = {}) {
  const received: Received[] = [];
  const attempts = new Map<string, number>();
  const bound = new Set<Session>();
  const receiptsAnswered: string[] = [];
  let id = 0;
  const server = smpp.createServer(options.tls ? { ...options.tls, minVersion: 'TLSv1.2' } : {}, (session) => {
    session.on('bind_transceiver', (pdu: PDU) => {
      const ok = pdu.system_id === 'vigil' && pdu.password === 's3cret';
      session.send(pdu.response({ command_status: ok ? 0 : 0x0e /* ESME_RINVPASWD */ }));
      if (ok) bound.add(session);
    });
    session.on('close', () => bound.delete(session));
    session.on('error', () => bound.delete(session));
    session.on('submit_sm', (pdu: PDU) => {
      const to = String(pdu.destination_addr);
      const n = (attempts.get(to) ?? 0) + 1;
      attempts.set(to, n);
      const sm = pdu.short_message as { udh?: Buffer[]; message: string };
      const udh = sm.udh?.[0] ?? null;
      const part = udh ? udh[4]! : 1;
      const parts = udh ? udh[3]! : 1;
      if (throttle(to, n, part)) return session.send(pdu.response({ command_status: 0x58 }));
      const messageId = `m${(++id).toString(16)}`;
      received.push({
        to,
        dataCoding: Number(pdu.data_coding),
        esmClass: Number(pdu.esm_class),
        udh,
        text: sm.message,
        messageId,
        registeredDelivery: Number(pdu.registered_delivery),
      });
      session.send(pdu.response({ message_id: messageId }));
      const stat = Number(pdu.registered_delivery) & 1 ? (options.receipt ?? (() => 'DELIVRD'))(to, part, parts) : null;
      if (stat) {
        setImmediate(() =>
          session.deliver_sm(
            {
              source_addr: to,
              destination_addr: String(pdu.source_addr),
              esm_class: 0x04,
              short_message: receiptText({ messageId, stat, err: stat === 'DELIVRD' ? '000' : '001', text: sm.message }),
              ...(options.textOnlyReceipts ? {} : { receipted_message_id: messageId, message_state: MESSAGE_STATE[stat] ?? 7 }),
            },
            (resp) => {
              if (resp.command_status === 0) receiptsAnswered.push(messageId);
            },
          ),
        );
      }
    });
    session.on('unbind', (pdu: PDU) => session.send(pdu.response()));
    session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `${options.tls ? 'smpps' : 'smpp'}://vigil:s3cret@127.0.0.1:${server.address().port}`,
    received,
    attempts,
    receiptsAnswered,
    bound: () => bound.size,
    /** A text from a phone to the alert sender, as the network delivers it (esm_class 0); resolves with the ESME's deliver_sm_resp status. */
    mo(from: string, text: string, to = 'MC-ALERT'): Promise<number> {
      const session = [...bound][0];
      if (!session) return Promise.reject(new Error('no ESME is bound'));
      const ucs2 = /[^\x20-\x7e\n\r]/.test(text);
      return new Promise((resolve) =>
        session.deliver_sm(
          {
            source_addr_ton: 1,
            source_addr_npi: 1,
            source_addr: from.replace(/^\+/, ''),
            destination_addr: to,
            esm_class: 0,
            data_coding: ucs2 ? 8 : 0,
            short_message: { message: text },
          },
          (resp) => resolve(resp.command_status),
        ),
      );
    },
    /** Ends every bound session, as an SMSC restarting would. */
    async dropSessions(): Promise<void> {
      const sessions = [...bound];
      bound.clear();
      await Promise.all(sessions.map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of bound) s.destroy();
        server.close(() => r());
      }),
  };
}
