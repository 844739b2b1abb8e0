import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CBS_PAGE_OCTETS, cbsContents, cbsDataCoding, decodeCbsContents, packSeptets, unpackSeptets } from './cbs-pages.js';
import { channelTexts } from './channel-text.js';
import { gsmDecode, gsmEncode } from './message-sizing.js';

test('GSM-7 packing: the TS 23.038 example "hellohello" and 7 septets leaving a whole spare septet', () => {
  // The classic example: "hellohello" packs to E8 32 9B FD 46 97 D9 EC 37.
  assert.equal(packSeptets(gsmEncode('hellohello')).toString('hex'), 'e8329bfd4697d9ec37');
  assert.equal(gsmDecode(unpackSeptets(Buffer.from('e8329bfd4697d9ec37', 'hex'), 10)), 'hellohello');
  const seven = cbsContents('1234567', 'en-GB');
  assert.equal(seven.pages[0]!.length, 7, '7 septets take 7 octets; the 8th septet of the last octet is padding');
  assert.deepEqual(decodeCbsContents(seven.contents, seven.dataCodingScheme), ['1234567']);
});

test('data coding: GSM-7 with the language (French 0x03, English 0x01, unlisted 0x0F), UCS-2 0x48', () => {
  assert.equal(cbsDataCoding('GSM-7', 'fr-MC'), 0x03);
  assert.equal(cbsDataCoding('GSM-7', 'en-GB'), 0x01);
  assert.equal(cbsDataCoding('GSM-7', 'mt'), 0x0f);
  assert.equal(cbsDataCoding('UCS-2', 'fr-MC'), 0x48);
  const fr = cbsContents('Fenêtres fermées', 'fr-MC');
  assert.equal(fr.dataCodingScheme, 0x48);
  assert.equal(fr.contents.length, 1 + CBS_PAGE_OCTETS + 1);
  assert.equal(fr.contents.readUInt16BE(1), 0x0046, 'F, big-endian UCS-2');
  assert.equal(fr.contents.readUInt16BE(1 + 32), 0x000d, 'padded with CR');
});

test('bad contents are refused: wrong page count, wrong length, a length over a page', () => {
  const ok = cbsContents('Flood', 'en-GB');
  assert.throws(() => decodeCbsContents(Buffer.from([0]), 0x01), /1 to 15 pages/);
  assert.throws(() => decodeCbsContents(ok.contents.subarray(0, 50), 0x01), /take 84 octets/);
  const long = Buffer.from(ok.contents);
  long[1 + CBS_PAGE_OCTETS] = 90;
  assert.throws(() => decodeCbsContents(long, 0x01), /more than a page/);
  assert.throws(() => decodeCbsContents(ok.contents, 0x96), /not one Vigil reads/);
  assert.throws(() => cbsContents('a'.repeat(93 * 15 + 1), 'en'), /16 pages/);
});

test('property: pages pack and unpack to the same text, as many pages as the preview shows', () => {
  const gsm = fc.constantFrom(...'abcAZ09 .,:;!?@£$¥èéùìòÇ\nØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ"#¤%&\'()*+-/<=>¡ÄÖÑÜ§¿äöñüà€[]{}~^|\\\f'.split(/(?:)/u));
  const any = fc.constantFrom(...'abc éàê ç€[]🌊ñ\n\r中'.split(/(?:)/u));
  const text = (alphabet: fc.Arbitrary<string>) => fc.array(alphabet, { maxLength: 93 * 15 }).map((cs) => cs.join(''));
  fc.assert(
    fc.property(fc.oneof(text(gsm), text(any)), fc.constantFrom('fr-MC', 'en-GB', 'it', 'mt'), (t, language) => {
      const texts = channelTexts(
        { status: 'Actual', msgType: 'Alert' },
        { language, category: ['Met'], event: 'x', urgency: 'Immediate', severity: 'Severe', certainty: 'Observed', headline: t },
      );
      const preview = texts.cellBroadcast;
      if (!preview.fits) return;
      const c = cbsContents(texts.sms, language);
      assert.equal(c.pages.length, preview.pages.length);
      assert.equal(c.encoding, preview.encoding);
      const back = decodeCbsContents(c.contents, c.dataCodingScheme);
      assert.deepEqual(back, preview.pages);
      assert.equal(back.join(''), texts.sms.replace(/\r\n?/g, '\n'));
      for (const p of c.pages) assert.equal(p.octets.length, CBS_PAGE_OCTETS);
    }),
    { numRuns: 1500 },
  );
});
