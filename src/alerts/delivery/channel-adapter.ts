import type { Channel } from '../model.js';

/** One message for one recipient on one channel, already in the recipient's language. */
export interface OutgoingMessage {
  recipientId: string;
  address: string;
  subject: string;
  text: string;
  headers: Record<string, string>;
}

/** `messageIds`: the peer's ids of what it accepted (an SMSC's per part), which its delivery receipts name later. */
export type SendResult = { ok: true; detail?: string; messageIds?: string[] } | { ok: false; error: string; retry: boolean };

/** An edge adapter that hands messages to a real peer (SMTP server, SMSC, push service, broker). */
export interface ChannelAdapter {
  readonly channel: Channel;
  send(messages: readonly OutgoingMessage[]): Promise<SendResult[]>;
  close(): Promise<void>;
}
