import { useContext, useEffect, useState } from 'react';
import type { CodeTexts } from '../../src/alarms/contract.js';
import { LanguageContext } from './i18n.js';

/**
 * The alarm code texts of a language (src/alarms/codes/*.fr.json beside the English tables), or null in English,
 * whose texts the signals carry. Imported on demand: a chunk of its own, not part of the main bundle.
 */
export async function loadCodeTexts(lang: string): Promise<CodeTexts | null> {
  if (lang !== 'fr') return null;
  const [sia, cid] = await Promise.all([
    import('../../src/alarms/codes/sia-dc03.fr.json', { with: { type: 'json' } }),
    import('../../src/alarms/codes/contact-id.fr.json', { with: { type: 'json' } }),
  ]);
  return { 'sia-dcs': sia.default.codes, 'contact-id': cid.default.codes };
}

/**
 * The alarm code texts of the reader's language (SIA DC-03, Contact ID), loaded with that language only:
 * French is a chunk of its own, fetched the first time a French reader meets an alarm. Null in English
 * (the stored titles and signal descriptions are English) and while the chunk loads: the stored text shows.
 */
export function useCodeTexts(): CodeTexts | null {
  const { lang } = useContext(LanguageContext);
  const [loaded, setLoaded] = useState<{ lang: string; texts: CodeTexts | null }>({ lang: 'en', texts: null });
  useEffect(() => {
    let live = true;
    loadCodeTexts(lang).then(
      (texts) => {
        if (live) setLoaded({ lang, texts });
      },
      () => {}, // no chunk (offline): the stored English stays
    );
    return () => {
      live = false;
    };
  }, [lang]);
  return loaded.lang === lang ? loaded.texts : null;
}
