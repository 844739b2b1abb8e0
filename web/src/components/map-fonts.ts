/**
 * Label fonts: Noto Sans and Noto Sans Arabic (SIL OFL 1.1, web/public/fonts/OFL-*.txt) as WOFF2
 * subsets served by Vigil itself from /fonts/, vendored from the @fontsource/noto-sans and
 * @fontsource/noto-sans-arabic 5.3.0 packages (web/public/fonts/SOURCE.md: versions, checksums).
 * MapLibre's `font-faces` loads a subset only when a label needs one of its letters and draws the
 * glyphs in the browser (TinySDF; MapLibre shapes Arabic and orders right-to-left text itself), so
 * Latin, Latin Extended, Greek, Cyrillic and Arabic place names and alert labels are drawn in Noto
 * with no glyph or font server; other scripts fall back to the browser's sans-serif.
 *
 * The unicode ranges are the packages' own (unicode.json), so a letter maps to the file that holds it.
 */
export const FONT_SUBSETS = {
  latin: ['U+0000-00FF', 'U+0131', 'U+0152-0153', 'U+02BB-02BC', 'U+02C6', 'U+02DA', 'U+02DC', 'U+2000-206F', 'U+20AC', 'U+2122', 'U+2212'],
  'latin-ext': [
    'U+0100-02BA',
    'U+02BD-02C5',
    'U+02C7-02CC',
    'U+02CE-02D7',
    'U+02DD-02FF',
    'U+1E00-1E9F',
    'U+1EF2-1EFF',
    'U+20A0-20AB',
    'U+2C60-2C7F',
    'U+A720-A7FF',
  ],
  greek: ['U+0370-0377', 'U+037A-037F', 'U+0384-038A', 'U+038C', 'U+038E-03A1', 'U+03A3-03FF'],
  'greek-ext': ['U+1F00-1FFF'],
  cyrillic: ['U+0400-045F', 'U+0490-0491', 'U+04B0-04B1', 'U+2116'],
  'cyrillic-ext': ['U+0460-052F', 'U+1C80-1C8A', 'U+20B4', 'U+2DE0-2DFF', 'U+A640-A69F', 'U+FE2E-FE2F'],
  arabic: ['U+0600-06FF', 'U+0750-077F', 'U+0870-088E', 'U+0890-0891', 'U+0897-08E1', 'U+08E3-08FF', 'U+FB50-FDFF', 'U+FE70-FE74', 'U+FE76-FEFC'],
} as const;

export type FontSubset = keyof typeof FONT_SUBSETS;

export const LABEL_FONT = 'Noto Sans Regular';
export const LABEL_FONT_BOLD = 'Noto Sans Bold';

/** The WOFF2 file (without extension, under /fonts/) of one subset and weight. */
export function fontFile(subset: FontSubset, weight: 400 | 700): string {
  return subset === 'arabic' ? `noto-sans-arabic-arabic-${weight}-normal` : `noto-sans-${subset}-${weight}-normal`;
}

const SUBSETS = Object.keys(FONT_SUBSETS) as FontSubset[];

/** Every font file the labels may load (tests check each is served). */
export const FONT_FILES = SUBSETS.flatMap((s) => [fontFile(s, 400), fontFile(s, 700)]);

/** The style's `font-faces`: per label font, one face per subset with its unicode range. */
export function fontFaces(origin: string): Record<string, { url: string; 'unicode-range': string[] }[]> {
  const faces = (weight: 400 | 700) => SUBSETS.map((s) => ({ url: `${origin}/fonts/${fontFile(s, weight)}.woff2`, 'unicode-range': [...FONT_SUBSETS[s]] }));
  return { [LABEL_FONT]: faces(400), [LABEL_FONT_BOLD]: faces(700) };
}

/** The subset whose range holds a code point, or null (drawn with the browser's own font). */
export function subsetOf(codePoint: number): FontSubset | null {
  for (const s of SUBSETS)
    for (const r of FONT_SUBSETS[s]) {
      const [lo, hi = lo] = r
        .slice(2)
        .split('-')
        .map((h) => parseInt(h, 16)) as [number, number?];
      if (codePoint >= lo && codePoint <= hi) return s;
    }
  return null;
}
