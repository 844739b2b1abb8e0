import type { ChannelTexts } from '../../messages/channel-text.js';
import type { Subscriber } from '../../subscribers/subscribers-state.js';
import { alertHeaders, type ChannelJob, type OutgoingMessage, type RecipientChannel, type SendResult } from '../channel.js';
import type { SmsAdapter } from './sms-adapter.js';

/**
 * The SMS channel: the alert's short text to each subscriber's phone through the
 * SMSC (sms-adapter.ts, SMPP). The SMSC's delivery receipts confirm delivery later
 * (receipt-tracker.ts); people may answer with a keyword (sms-answers.ts). No
 * personal link in an SMS: it cannot be followed safely from every phone.
 */
export class SmsChannel implements RecipientChannel {
  readonly channel = 'sms' as const;
  readonly reach = 'per-recipient' as const;
  readonly receipts = true;
  readonly unavailable: string | null;

  /** `smsc`: the bound SMPP adapter, or null when no SMSC is configured. */
  constructor(private readonly smsc: SmsAdapter | null) {
    this.unavailable = smsc ? null : 'no SMSC configured (VIGIL_SMPP_URL)';
  }

  addressOf(s: Subscriber): string | null {
    return s.phone;
  }

  message({ alert }: ChannelJob, to: Subscriber, address: string, texts: ChannelTexts): OutgoingMessage {
    return { recipientId: to.subscriberId, address, subject: '', text: texts.sms, headers: alertHeaders(alert) };
  }

  async send(messages: readonly OutgoingMessage[]): Promise<SendResult[]> {
    if (!this.smsc) return messages.map(() => ({ ok: false, error: this.unavailable!, retry: false }));
    return this.smsc.send(messages);
  }

  async close(): Promise<void> {
    await this.smsc?.close();
  }
}
