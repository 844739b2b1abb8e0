import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { cellBroadcastPages, gsmSeptets, smsParts, smsSizing } from './message-sizing.js';

test('SMS: GSM-7 160/153, escape characters count twice, anything else is UCS-2 70/67', () => {
  assert.deepEqual(smsSizing('Flood in Fontvieille, go upstairs.'), { encoding: 'GSM-7', units: 34, segments: 1, perSegment: 160 });
  assert.equal(smsSizing('a'.repeat(160)).segments, 1);
  assert.deepEqual(smsSizing('a'.repeat(161)), { encoding: 'GSM-7', units: 161, segments: 2, perSegment: 153 });
  assert.equal(gsmSeptets('€[]'), 6);
  assert.equal(smsSizing('€'.repeat(80)).segments, 1);
  assert.equal(smsSizing('€'.repeat(81)).segments, 2);
  assert.equal(smsSizing('Crue à Fontvieille : montez aux étages').encoding, 'GSM-7', 'à and é are in the GSM alphabet');
  assert.deepEqual(smsSizing('Fenêtres fermées'), { encoding: 'UCS-2', units: 16, segments: 1, perSegment: 70 }, 'ê is not');
  assert.equal(smsSizing('ê'.repeat(71)).segments, 2);
  assert.equal(smsSizing('🌊'.repeat(35)).units, 70, 'an emoji is two UTF-16 units');
});

test('property: SMS parts and cell-broadcast pages rebuild the text and each fits its unit', () => {
  const alphabet = fc.constantFrom(...'abcAZ09 .,€[]éàêç🌊\n'.split(/(?:)/u));
  fc.assert(
    fc.property(
      fc.array(alphabet, { maxLength: 800 }).map((cs) => cs.join('')),
      (text) => {
        const parts = smsParts(text);
        assert.equal(parts.join(''), text);
        const sizing = smsSizing(text);
        assert.equal(parts.length, sizing.segments);
        for (const p of parts) assert.ok((sizing.encoding === 'GSM-7' ? gsmSeptets(p)! : p.length) <= sizing.perSegment);
        const cb = cellBroadcastPages(text);
        assert.equal(cb.pages.join(''), text);
        for (const p of cb.pages) assert.ok((cb.encoding === 'GSM-7' ? gsmSeptets(p)! : p.length) <= (cb.encoding === 'GSM-7' ? 93 : 41));
        assert.equal(cb.fits, cb.pages.length <= 15);
      },
    ),
    { numRuns: 2000 },
  );
});
