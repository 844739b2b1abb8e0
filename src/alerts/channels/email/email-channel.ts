import nodemailer, { type Transporter } from 'nodemailer';
import type { ChannelTexts } from '../../messages/channel-text.js';
import type { Subscriber } from '../../subscribers/subscribers-state.js';
import { alertHeaders, type ChannelJob, type OutgoingMessage, type PersonalParts, type RecipientChannel, type SendResult } from '../channel.js';

/**
 * The e-mail channel: SMTP through nodemailer with a connection pool. A message
 * the server accepted counts as sent; a 4xx answer or a lost connection is retried
 * by the dispatcher, a 5xx (address refused) is final. Without an SMTP server
 * (`url` null) the channel is unavailable.
 */
export class EmailChannel implements RecipientChannel {
  readonly channel = 'email' as const;
  readonly reach = 'per-recipient' as const;
  readonly receipts = false;
  readonly unavailable: string | null;
  private readonly transport: Transporter | null;

  constructor(
    url: string | null,
    private readonly from: string,
    options: { maxConnections?: number } = {},
  ) {
    this.unavailable = url ? null : 'no SMTP server configured (VIGIL_SMTP_URL)';
    if (!url) {
      this.transport = null;
      return;
    }
    const u = new URL(url);
    this.transport = nodemailer.createTransport({
      pool: true,
      maxConnections: options.maxConnections ?? 5,
      maxMessages: Infinity,
      host: u.hostname,
      port: Number(u.port || (u.protocol === 'smtps:' ? 465 : 25)),
      secure: u.protocol === 'smtps:',
      ...(u.username ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } } : {}),
    });
  }

  addressOf(s: Subscriber): string | null {
    return s.email;
  }

  /** The alert's e-mail text, the way to safety from the person's place when it asks to evacuate, and their "are you safe?" link. */
  message({ alert }: ChannelJob, to: Subscriber, address: string, texts: ChannelTexts, personal: PersonalParts): OutgoingMessage {
    const g = personal.guidance(to);
    return {
      recipientId: to.subscriberId,
      address,
      subject: texts.email.subject,
      text: `${texts.email.body}${g ? `\n\n${g}` : ''}\n\nAre you safe? Tell us: ${personal.safeLink(to)}`,
      headers: alertHeaders(alert),
    };
  }

  async send(messages: readonly OutgoingMessage[]): Promise<SendResult[]> {
    const transport = this.transport;
    if (!transport) return messages.map(() => ({ ok: false, error: this.unavailable!, retry: false }));
    return Promise.all(
      messages.map(async (m): Promise<SendResult> => {
        try {
          // A copy: the headers object is shared by all of an alert's messages, and nodemailer may add defaults to it.
          const info = await transport.sendMail({ from: this.from, to: m.address, subject: m.subject, text: m.text, headers: { ...m.headers } });
          return { ok: true, detail: info.response };
        } catch (error) {
          const e = error as { responseCode?: number; message: string };
          return { ok: false, error: e.message, retry: !(e.responseCode && e.responseCode >= 500) };
        }
      }),
    );
  }

  async close(): Promise<void> {
    this.transport?.close();
  }
}
