import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FONT_FILES, FONT_SUBSETS, fontFaces, subsetOf, type FontSubset } from '../../web/src/components/map-fonts.js';

const FONTS = 'web/public/fonts';

test('label fonts: every face the map style declares is a vendored file with its checksum and licence', () => {
  const sums = new Map([...readFileSync(join(FONTS, 'SOURCE.md'), 'utf8').matchAll(/^([0-9a-f]{64}) {2}(\S+\.woff2)$/gm)].map((m) => [m[2]!, m[1]!] as const));
  const declared = Object.values(fontFaces('')).flatMap((faces) => faces.map((f) => f.url.replace(/^\/fonts\//, '')));
  assert.deepEqual([...declared].sort(), FONT_FILES.map((f) => `${f}.woff2`).sort());
  for (const file of declared) {
    const path = join(FONTS, file);
    assert.ok(existsSync(path), `${file} is served from web/public/fonts`);
    assert.equal(createHash('sha256').update(readFileSync(path)).digest('hex'), sums.get(file), `${file} is the vendored file (SOURCE.md)`);
  }
  for (const licence of ['OFL-noto-sans.txt', 'OFL-noto-sans-arabic.txt'])
    assert.match(readFileSync(join(FONTS, licence), 'utf8'), /SIL Open Font License, Version 1\.1/);
});

test('label fonts: Latin Extended, Greek, Cyrillic and Arabic letters each fall in the subset of their script', () => {
  const cases: [string, FontSubset[]][] = [
    ['Monaco', ['latin']],
    ['Sant Julià de Lòria', ['latin']],
    ['Ştefan Ţărână Łódź', ['latin', 'latin-ext']],
    ['Πλημμύρα στο Μονακό', ['greek']],
    ['Ἀθῆναι', ['greek', 'greek-ext']],
    ['Наводнение в Монако', ['cyrillic']],
    ['Ґанок Ѣ Ҕ', ['cyrillic', 'cyrillic-ext']],
    ['فيضان في موناكو', ['arabic']],
  ];
  for (const [text, subsets] of cases) {
    const letters = [...text].filter((c) => c !== ' ');
    assert.deepEqual([...new Set(letters.map((c) => subsetOf(c.codePointAt(0)!)))].sort(), subsets, text);
  }
  assert.equal(subsetOf(0x4e2d), null, 'CJK falls back to the browser font');
  // No code point is declared by two scripts (fontsource's base and -ext ranges of one script share a few letters, both files hold them).
  const script = (subset: string) => subset.replace(/-ext$/, '');
  const seen = new Map<number, string>();
  for (const [subset, ranges] of Object.entries(FONT_SUBSETS))
    for (const r of ranges) {
      const [lo, hi = lo] = r
        .slice(2)
        .split('-')
        .map((h) => parseInt(h, 16));
      for (let c = lo!; c <= hi!; c++) {
        const before = seen.get(c);
        if (before === undefined || script(before) !== script(subset)) assert.equal(before, undefined, `U+${c.toString(16)} in ${subset} and ${before}`);
        seen.set(c, subset);
      }
    }
});
