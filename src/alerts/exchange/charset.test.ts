import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { VigilError } from '../../kernel/errors.js';
import { charsetOf, decodeXml } from './charset.js';
import { readFeed } from './feed-reader.js';

// Text as agencies write it: Latin letters with accents (ISO-8859-1 covers them), XML-safe.
const latinText = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz ÁÉÍÓÚáéíóúñÑüçàèÖß0123456789-.,'.split('')), maxLength: 200 });
// Any text without XML-special characters, outside the BMP included (UTF-16 surrogate pairs).
const anyText = fc.string({
  unit: fc.oneof(
    fc.constantFrom(...[...'abc éà中文🌧']),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }).filter((c) => /^[\p{L}\p{N} ]+$/u.test(c)),
  ),
  maxLength: 100,
});
const doc = (encoding: string | null, body: string): string =>
  `${encoding === null ? '' : `<?xml version="1.0" encoding="${encoding}"?>\n`}<areaDesc>${body}</areaDesc>`;

test('ISO-8859-1 by declaration round-trips every Latin-1 text, and the result declares UTF-8', () => {
  fc.assert(
    fc.property(latinText, fc.constantFrom('ISO-8859-1', 'iso-8859-1', 'latin1'), (s, label) => {
      const out = decodeXml(Buffer.from(doc(label, s), 'latin1'));
      assert.equal(out.text, doc('UTF-8', s));
      assert.deepEqual([out.encoding, out.by], ['ISO-8859-1', 'declaration']);
    }),
  );
});

test('UTF-16 with a BOM (either order) and UTF-8 with or without one read back the same text', () => {
  fc.assert(
    fc.property(anyText, (s) => {
      const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(doc('UTF-16', s), 'utf16le')]);
      const be = Buffer.from(Buffer.from(doc('UTF-16', s), 'utf16le')).swap16();
      const beWithBom = Buffer.concat([Buffer.from([0xfe, 0xff]), be]);
      for (const bytes of [le, beWithBom]) assert.equal(decodeXml(bytes).text, doc('UTF-8', s));
      // No BOM: recognised by "<?" in two bytes.
      assert.equal(decodeXml(Buffer.from(doc('UTF-16', s), 'utf16le')).text, doc('UTF-8', s));
      assert.equal(decodeXml(be).text, doc('UTF-8', s));
      assert.equal(decodeXml(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(doc(null, s))])).text, doc(null, s));
      assert.equal(decodeXml(Buffer.from(doc(null, s))).text, doc(null, s));
    }),
  );
});

test('any bytes: decoded into text without a replacement character, or refused with a VigilError; never anything else', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 300 }),
        fc
          .tuple(fc.constantFrom('UTF-8', 'ISO-8859-1', 'UTF-16', 'KOI8-R', 'ebcdic', 'US-ASCII'), fc.uint8Array({ maxLength: 100 }))
          .map(([e, b]) => Buffer.concat([Buffer.from(doc(e, ''), 'latin1'), b])),
      ),
      fc.option(fc.constantFrom('utf-8', 'iso-8859-1', 'utf-16', 'nonsense'), { nil: null }),
      (bytes, charset) => {
        try {
          const out = decodeXml(bytes, charset);
          // What is decoded is the bytes' real text: a fatal decoder never substitutes U+FFFD for a bad byte.
          if (out.encoding === 'UTF-8') assert.ok(!out.text.includes('\uFFFD') || Buffer.from(bytes).includes(Buffer.from('\uFFFD')));
        } catch (error) {
          assert.ok(error instanceof VigilError, String(error));
        }
      },
    ),
  );
});

test('the Content-Type charset wins over the declaration, a BOM over both; a BOM that contradicts the declaration is refused', () => {
  const latin = Buffer.from(doc('UTF-8', 'Usulután'), 'latin1');
  assert.equal(decodeXml(latin, charsetOf('application/cap+xml; charset="ISO-8859-1"')).text, doc('UTF-8', 'Usulután'));
  assert.throws(() => decodeXml(latin), /not valid UTF-8 \(at byte 55/);
  assert.throws(() => decodeXml(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(doc('ISO-8859-1', 'x'))])), /byte order mark but declares/);
  assert.throws(
    () => decodeXml(Buffer.from(doc('Shift_JIS', 'x'))),
    (e: VigilError) => e.status === 415,
  );
});

test('feeds: Atom entries give their CAP link (typed, alternate, or the id), RSS items their enclosure or link, resolved against the feed', () => {
  const atom = `<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>urn:a</id><updated>2026-12-04T00:00:00Z</updated><link rel="alternate" type="text/html" href="/a.html"/><link type="application/cap+xml" href="/a.xml"/></entry>
  <entry><id>https://alerts.example/b.cap</id><updated>x</updated></entry></feed>`;
  assert.deepEqual(readFeed(atom, 'https://agency.example/feed/atom').entries, [
    { key: 'urn:a|2026-12-04T00:00:00Z', url: 'https://agency.example/a.xml' },
    { key: 'https://alerts.example/b.cap|x', url: 'https://alerts.example/b.cap' },
  ]);
  const rss = `<rss version="2.0"><channel><item><guid>g1</guid><link>https://x.example/page</link><enclosure url="cap/1.xml" type="application/cap+xml" length="1"/></item><item><link>https://x.example/2.xml</link></item></channel></rss>`;
  assert.deepEqual(
    readFeed(rss, 'https://x.example/rss').entries.map((e) => e.url),
    ['https://x.example/cap/1.xml', 'https://x.example/2.xml'],
  );
  assert.equal(readFeed('<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>', 'https://x.example/').kind, 'cap');
  assert.throws(() => readFeed('<html/>', 'https://x.example/'), /not an Atom feed, an RSS feed or a CAP alert/);
  assert.throws(() => readFeed('<!DOCTYPE x [<!ENTITY a "b">]><feed/>', 'https://x.example/'), /DOCTYPE/);
});
