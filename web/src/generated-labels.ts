import type { GeneratedLabel, LabelWords } from '../../src/city/contract.js';
import { partsOf, wordLabel } from '../../src/city/contract.js';
import { GENERATED_NAME_TEXTS, IN_NAME_WORDS } from './labels.js';

/** How the reader's language says the names Vigil generated: the templates and the kinds and categories inside them. */
export function labelWords(t: (key: string) => string): LabelWords {
  return {
    template: (template) => (GENERATED_NAME_TEXTS[template] ? t(template) : template),
    kind: (kind) => (IN_NAME_WORDS[kind] ? t(IN_NAME_WORDS[kind]) : kind.replace(/-/g, ' ')),
    category: (category) => (IN_NAME_WORDS[category] ? t(IN_NAME_WORDS[category]) : category.replace(/-/g, ' ')),
  };
}

/**
 * A device's or site's name in the reader's language: a name Vigil generated (« Sirène — École Saint-Charles »)
 * from its parts, while it is still the one generated; a name a person gave, as they gave it.
 */
export function localName(t: (key: string) => string, name: string, parts: GeneratedLabel | null | undefined): string {
  const p = partsOf(name, parts);
  return p ? wordLabel(p, labelWords(t)) : name;
}
