/**
 * What a name Vigil generated is made of (a demo device's « Siren — École Saint-Charles », an unnamed site's
 * "school in Monte-Carlo"), so a reader of another language reads it in theirs. A device or site keeps its name in
 * English as written (`label`, the site's display name): searches, exports, CAP areas and the audit trail use it; a
 * screen words the parts instead (the web UI's labels, through `wordLabel`). A name a person gave has no parts.
 *
 * `template` is the English sentence with {placeholders}, also the translation key. A param is said as it is (a
 * site's own name, an account number), or is a device kind or a site category in words, or another generated name
 * (a noise sensor is named after the siren it measures for, a device after an unnamed site).
 */
export interface GeneratedLabel {
  template: string;
  params: Readonly<Record<string, LabelParam>>;
}

/** `kind`: a device kind (model.ts DeviceKind); `category`: a site category (SiteCategory). */
export type LabelParam = string | number | { kind: string } | { category: string } | { label: GeneratedLabel };

/** How a language says a generated name's words; the English is the template itself and the slug in words. */
export interface LabelWords {
  template(template: string): string;
  kind(kind: string): string;
  category(category: string): string;
}

/** The words of the English names as Vigil stores them: the template, and a slug with spaces for hyphens. */
export const ENGLISH_LABEL_WORDS: LabelWords = {
  template: (template) => template,
  kind: (kind) => kind.replace(/-/g, ' '),
  category: (category) => category.replace(/-/g, ' '),
};

/** A generated name in the language of `words` (English by default: the name as stored). Pure. */
export function wordLabel(label: GeneratedLabel, words: LabelWords = ENGLISH_LABEL_WORDS): string {
  return words.template(label.template).replace(/\{(\w+)\}/g, (whole, name: string) => {
    const p = label.params[name];
    if (p === undefined) return whole;
    if (typeof p === 'string' || typeof p === 'number') return String(p);
    if ('kind' in p) return words.kind(p.kind);
    if ('category' in p) return words.category(p.category);
    return wordLabel(p.label, words);
  });
}

/**
 * What people call a site, and what it is made of when Vigil made it up: its name, else its address (said as
 * they are, no parts), else its category in its area ("school in Monte-Carlo") or alone.
 */
export function sitePlace(
  site: { name: string | null; address: string | null; category: string },
  areaName: string | null,
): { name: string; parts: GeneratedLabel | null } {
  if (site.name) return { name: site.name, parts: null };
  if (site.address) return { name: site.address, parts: null };
  const parts: GeneratedLabel = areaName
    ? { template: '{category} in {area}', params: { category: { category: site.category }, area: areaName } }
    : { template: '{category}', params: { category: { category: site.category } } };
  return { name: wordLabel(parts), parts };
}

/** A place as a label param: its name as it is, or the generated name's parts. */
export const placeParam = (place: { name: string; parts: GeneratedLabel | null }): LabelParam => (place.parts ? { label: place.parts } : place.name);

/** The parts of `label` if they still make it (not renamed since Vigil generated it), else null. */
export function partsOf(label: string, parts: GeneratedLabel | null | undefined): GeneratedLabel | null {
  return parts && wordLabel(parts) === label ? parts : null;
}
