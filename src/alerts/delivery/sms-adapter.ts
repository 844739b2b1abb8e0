import { randomInt } from 'node:crypto';
import smpp, { type PDU, type Session } from 'smpp';
import { gsmEncode, gsmSeptets, smsParts } from '../channels/message-sizing.js';
import type { ChannelAdapter, OutgoingMessage, SendResult } from './channel-adapter.js';

/** SMPP 3.4 command_status values an SMSC uses when it is only busy: try again later. */
const RETRYABLE = new Set([0x14 /* ESME_RMSGQFUL */, 0x58 /* ESME_RTHROTTLED */, 0x08 /* ESME_RSYSERR */]);

/**
 * The SMS channel over SMPP 3.4 to an SMSC: one bound transceiver session, text in
 * GSM 03.38 (data_coding 0, unpacked septets) when it fits that alphabet, UCS-2
 * (data_coding 8) otherwise; long texts as concatenated SMS (UDH 00 03 ref n i,
 * esm_class 0x40) of 153/67 units a part, as the preview showed the officer.
 */
export class SmsAdapter implements ChannelAdapter {
  readonly channel = 'sms' as const;
  private session: Promise<Session> | null = null;
  private readonly url: URL;

  constructor(url: string, private readonly sender: string) {
    this.url = new URL(url);
  }

  private bind(): Promise<Session> {
    this.session ??= new Promise<Session>((resolve, reject) => {
      const session = smpp.connect({ host: this.url.hostname, port: Number(this.url.port || 2775), auto_enquire_link_period: 30_000 });
      const fail = (error: Error): void => {
        this.session = null;
        session.destroy();
        reject(error);
      };
      session.once('error', fail);
      session.on('close', () => (this.session = null));
      session.on('connect', () => {
        session.bind_transceiver({ system_id: decodeURIComponent(this.url.username), password: decodeURIComponent(this.url.password) }, (pdu) => {
          if (pdu.command_status !== 0) return fail(new Error(`SMSC refused the bind (command_status 0x${pdu.command_status.toString(16)})`));
          session.off('error', fail);
          session.on('error', () => (this.session = null));
          // Delivery receipts and mobile-originated messages: acknowledge so the SMSC does not resend.
          session.on('deliver_sm', (deliver: PDU) => session.send(deliver.response()));
          resolve(session);
        });
      });
    });
    return this.session;
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
    const parts = smsParts(m.text);
    const ref = randomInt(256);
    const alphanumeric = /[^0-9+]/.test(this.sender);
    const ids: string[] = [];
    for (const [i, part] of parts.entries()) {
      const payload = gsm ? gsmEncode(part) : Buffer.from(part, 'utf16le').swap16();
      const udh = parts.length > 1 ? Buffer.from([0x05, 0x00, 0x03, ref, parts.length, i + 1]) : null;
      const response = await new Promise<PDU>((resolve) => {
        session.submit_sm({
          source_addr_ton: alphanumeric ? 5 : 1, source_addr_npi: alphanumeric ? 0 : 1, source_addr: this.sender.replace(/^\+/, ''),
          dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: m.address.replace(/^\+/, ''),
          esm_class: udh ? 0x40 : 0, data_coding: gsm ? 0 : 8, registered_delivery: 1,
          short_message: udh ? Buffer.concat([udh, payload]) : payload,
        }, resolve);
      });
      if (response.command_status !== 0) {
        const status = `0x${response.command_status.toString(16).padStart(8, '0')}`;
        return { ok: false, error: `SMSC refused part ${i + 1}/${parts.length}: command_status ${status}`, retry: RETRYABLE.has(response.command_status) };
      }
      ids.push(String(response.message_id ?? ''));
    }
    return { ok: true, detail: ids.join(',') };
  }

  async close(): Promise<void> {
    const pending = this.session;
    this.session = null;
    const session = await pending?.catch(() => null);
    if (!session) return;
    // An SMSC that does not answer the unbind does not hold up shutting down.
    await Promise.race([new Promise<void>((r) => session.unbind(() => r())), new Promise<void>((r) => setTimeout(r, 2000).unref())]);
    session.destroy();
  }
}
