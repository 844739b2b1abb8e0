import nodemailer, { type Transporter } from 'nodemailer';
import type { ChannelAdapter, OutgoingMessage, SendResult } from '../../delivery/channel-adapter.js';

/**
 * The e-mail channel: SMTP through nodemailer with a connection pool. A message
 * the server accepted counts as sent; a 4xx answer or a lost connection is retried
 * by the dispatcher, a 5xx (address refused) is final.
 */
export class EmailAdapter implements ChannelAdapter {
  readonly channel = 'email' as const;
  private readonly transport: Transporter;

  constructor(url: string, private readonly from: string, options: { maxConnections?: number } = {}) {
    const u = new URL(url);
    this.transport = nodemailer.createTransport({
      pool: true, maxConnections: options.maxConnections ?? 5, maxMessages: Infinity, host: u.hostname, port: Number(u.port || (u.protocol === 'smtps:' ? 465 : 25)), secure: u.protocol === 'smtps:',
      ...(u.username ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } } : {}),
    });
  }

  async send(messages: readonly OutgoingMessage[]): Promise<SendResult[]> {
    return Promise.all(messages.map(async (m): Promise<SendResult> => {
      try {
        const info = await this.transport.sendMail({ from: this.from, to: m.address, subject: m.subject, text: m.text, headers: m.headers });
        return { ok: true, detail: info.response };
      } catch (error) {
        const e = error as { responseCode?: number; message: string };
        return { ok: false, error: e.message, retry: !(e.responseCode && e.responseCode >= 500) };
      }
    }));
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
