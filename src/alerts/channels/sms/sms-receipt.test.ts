import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { readReceipt, receiptText } from './sms-receipt.js';
import { keywordAnswer, phoneKey } from './sms-keywords.js';

const STATS = ['DELIVRD', 'EXPIRED', 'DELETED', 'UNDELIV', 'ACCEPTD', 'UNKNOWN', 'REJECTD', 'ENROUTE'] as const;
const FINAL: Record<string, 'delivered' | 'failed' | null> = {
  DELIVRD: 'delivered',
  EXPIRED: 'failed',
  DELETED: 'failed',
  UNDELIV: 'failed',
  REJECTD: 'failed',
  ACCEPTD: null,
  UNKNOWN: null,
  ENROUTE: null,
};
const messageId = fc.stringMatching(/^[0-9A-Za-z-]{1,65}$/);

test('receipt text (SMPP 3.4 Appendix B): id, stat and err read back whatever the id and the quoted text', () => {
  fc.assert(
    fc.property(messageId, fc.constantFrom(...STATS), fc.stringMatching(/^\d{3}$/), fc.string({ maxLength: 40 }), (id, stat, err, text) => {
      const r = readReceipt({ short_message: { message: receiptText({ messageId: id, stat, err, text }) } });
      assert.deepEqual(r, { messageId: id, stat, outcome: FINAL[stat], err });
    }),
  );
});

test('receipt: the receipted_message_id and message_state TLVs win over the text', () => {
  fc.assert(
    fc.property(messageId, messageId, fc.constantFrom(...STATS), fc.integer({ min: 1, max: 8 }), (textId, tlvId, stat, state) => {
      const r = readReceipt({ short_message: { message: receiptText({ messageId: textId, stat }) }, receipted_message_id: `${tlvId}\0`, message_state: state });
      assert.equal(r!.messageId, tlvId);
      assert.equal(r!.outcome, state === 2 ? 'delivered' : [3, 4, 5, 8].includes(state) ? 'failed' : null);
    }),
  );
  // A receipt as some SMSCs write it: lower-case keys, fields in another order, no text.
  assert.deepEqual(readReceipt({ short_message: 'stat:UNDELIV err:034 id:0A1B2C3D done date:2612011830' }), {
    messageId: '0A1B2C3D',
    stat: 'UNDELIV',
    outcome: 'failed',
    err: '034',
  });
  assert.deepEqual(
    readReceipt({ short_message: Buffer.from('id:77 sub:001 dlvrd:001 submit date:2612011830 done date:2612011831 stat:DELIVRD err:000 text:Crue') }),
    { messageId: '77', stat: 'DELIVRD', outcome: 'delivered', err: '000' },
  );
});

test('receipt: any bytes at all give a receipt with a bounded id or none, never an exception', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ maxLength: 300 }),
        fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
      ),
      fc.option(fc.string({ maxLength: 100 })),
      fc.option(fc.integer({ min: -5, max: 300 })),
      (sm, tlv, state) => {
        const r = readReceipt({
          short_message: typeof sm === 'string' ? { message: sm } : sm,
          receipted_message_id: tlv ?? undefined,
          message_state: state ?? undefined,
        });
        if (r) {
          assert.ok(r.messageId.length > 0 && r.messageId.length <= 65);
          assert.ok(r.stat.length <= 7);
          assert.ok([null, 'delivered', 'failed'].includes(r.outcome));
        }
      },
    ),
  );
  assert.equal(readReceipt({ short_message: { message: 'stat:DELIVRD err:000' } }), null, 'no id: nothing to match');
  assert.equal(readReceipt({}), null);
});

test('SMS keywords: SAFE / OK / SAUF and HELP / AIDE / SOS in any case, with accents and punctuation; other texts are no answer', () => {
  const accent: Record<string, string> = { A: 'ÀÂÄA', E: 'ÉÈÊE', O: 'ÔÖO', U: 'ÙÛÜU', I: 'ÎÏI' };
  const letters = (word: string) =>
    fc
      .tuple(...[...word].map((c) => fc.tuple(fc.constantFrom(...(accent[c] ?? c)), fc.boolean()).map(([x, lower]) => (lower ? x.toLowerCase() : x))))
      .map((xs) => xs.join(''));
  const variant = (word: string) =>
    fc
      .tuple(letters(word), fc.constantFrom('', ' ', '  ', '\n'), fc.constantFrom('', '!', '.', ' merci', ', all good', '\r\n'))
      .map(([w, before, after]) => `${before}${w}${after}`);
  for (const [word, answer] of [
    ['SAFE', 'safe'],
    ['OK', 'safe'],
    ['SAUF', 'safe'],
    ['HELP', 'need-help'],
    ['AIDE', 'need-help'],
    ['SOS', 'need-help'],
  ] as const) {
    fc.assert(fc.property(variant(word), (text) => assert.equal(keywordAnswer(text), answer, JSON.stringify(text))));
  }
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (text) => {
      const answer = keywordAnswer(text);
      assert.ok(answer === null || answer === 'safe' || answer === 'need-help');
    }),
  );
  for (const text of ['', '   ', 'SAFETY', 'helpful', 'okay', 'STOP', 'Who is this?', '😀', 'SO S']) assert.equal(keywordAnswer(text), null, text);
  assert.equal(phoneKey('+377 6000 0001'), '37760000001');
  assert.equal(phoneKey('0037760000001'), '37760000001');
});
