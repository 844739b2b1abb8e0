/**
 * SMPP 3.4 delivery receipts (Appendix B): the SMSC's deliver_sm with esm_class
 * message type 0x04, the text "id:IIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm
 * done date:YYMMDDhhmm stat:DDDDDDD err:E text:…" and, from many SMSCs, the
 * receipted_message_id and message_state TLVs (SMPP 3.4 §5.3.2.12, §5.3.2.35),
 * which win over the text when both are there.
 */
export interface SmsReceipt {
  messageId: string;
  /** The final state, or null while the message is still on its way (ENROUTE, ACCEPTD, UNKNOWN). */
  outcome: 'delivered' | 'failed' | null;
  stat: string;
  err: string | null;
}

/** Appendix B's stat values and what they mean for the recipient. */
const STATS: Record<string, SmsReceipt['outcome']> = {
  DELIVRD: 'delivered',
  EXPIRED: 'failed',
  DELETED: 'failed',
  UNDELIV: 'failed',
  REJECTD: 'failed',
  ACCEPTD: null,
  UNKNOWN: null,
  ENROUTE: null,
};
/** message_state TLV values (SMPP 3.4 §5.2.28) as the same stat words. */
const STATE_STAT: Record<number, string> = { 1: 'ENROUTE', 2: 'DELIVRD', 3: 'EXPIRED', 4: 'DELETED', 5: 'UNDELIV', 6: 'ACCEPTD', 7: 'UNKNOWN', 8: 'REJECTD' };

const FIELD = /(id|sub|dlvrd|submit date|done date|stat|err|text):/gi;
const MAX_ID = 65; // message_id is a C-Octet String of at most 65 octets

/** The receipt's fields from its text; unknown or repeated keys are ignored, never thrown on. */
export function parseReceiptText(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  const marks = [...text.slice(0, 1000).matchAll(FIELD)];
  for (const [k, m] of marks.entries()) {
    const key = m[1]!.toLowerCase();
    const start = m.index! + m[0].length;
    const end = k + 1 < marks.length ? marks[k + 1]!.index! : text.length;
    // "text:" runs to the end; every other value is one word.
    const value = key === 'text' ? text.slice(start, Math.min(end, 1000)) : (text.slice(start, end).trim().split(/\s+/)[0] ?? '');
    if (!(key in fields)) fields[key] = value;
  }
  return fields;
}

/** A receipt from a deliver_sm's fields, or null when it names no message. */
export function readReceipt(pdu: { readonly [field: string]: unknown }): SmsReceipt | null {
  const sm = pdu.short_message as { message?: unknown } | string | Buffer | undefined;
  const raw =
    typeof sm === 'string'
      ? sm
      : Buffer.isBuffer(sm)
        ? sm.toString('latin1')
        : sm && typeof sm.message === 'string'
          ? sm.message
          : Buffer.isBuffer(sm?.message)
            ? (sm.message as Buffer).toString('latin1')
            : '';
  const fields = parseReceiptText(raw);
  const tlvId = typeof pdu.receipted_message_id === 'string' ? pdu.receipted_message_id.replace(/\0+$/, '') : '';
  const messageId = (tlvId || fields.id || '').slice(0, MAX_ID);
  if (!messageId) return null;
  const stateStat = typeof pdu.message_state === 'number' ? STATE_STAT[pdu.message_state] : undefined;
  const stat = (stateStat ?? fields.stat ?? 'UNKNOWN').toUpperCase().slice(0, 7);
  return { messageId, stat, outcome: STATS[stat] ?? null, err: fields.err ? fields.err.slice(0, 10) : null };
}

/** The Appendix B text for a receipt (what SMSCs send; the loopback SMSC of the tests writes it with this). */
export function receiptText(r: { messageId: string; stat: string; err?: string; submitted?: Date; done?: Date; text?: string }): string {
  const at = (d: Date): string => d.toISOString().replace(/\D/g, '').slice(2, 12);
  const now = new Date();
  return `id:${r.messageId} sub:001 dlvrd:${r.stat === 'DELIVRD' ? '001' : '000'} submit date:${at(r.submitted ?? now)} done date:${at(r.done ?? now)} stat:${r.stat} err:${r.err ?? '000'} text:${(r.text ?? '').slice(0, 20)}`;
}
