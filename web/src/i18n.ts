import { createContext, useCallback, useContext } from 'react';
import en from './locales/en.json' with { type: 'json' };
import fr from './locales/fr.json' with { type: 'json' };

/**
 * User-facing text lives in one translation file per language (src/locales/*.json),
 * keyed by the English text; a missing key falls back to English. Times are stored
 * in UTC and shown in the city's time zone.
 */
const dictionaries: Record<string, Record<string, string>> = { en, fr };
export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'fr', name: 'Français' },
];

export const LanguageContext = createContext<{ lang: string; setLang: (l: string) => void; timeZone: string }>({
  lang: 'en',
  setLang: () => {},
  timeZone: 'UTC',
});

/** A text in a language outside React (a map's own controls): the same lookup as useT's. */
export function textIn(lang: string, key: string): string {
  return dictionaries[lang]?.[key] ?? key;
}

/**
 * The translator for the current language. The same function while the language stays: components list
 * `t` among a callback's or an effect's dependencies, and a new one each render refetched on every render
 * (the webhooks screen reloaded its lists without end, so the admin page never went network-idle).
 */
export function useT(): (key: string) => string {
  const { lang } = useContext(LanguageContext);
  return useCallback((key: string) => dictionaries[lang]?.[key] ?? key, [lang]);
}

/** Formats an ISO time in the city's time zone and the user's language. */
export function useTime(): (iso: string, style?: 'time' | 'datetime') => string {
  const { lang, timeZone } = useContext(LanguageContext);
  // Stable while the language and zone stay, like useT.
  return useCallback(
    (iso: string, style: 'time' | 'datetime' = 'datetime') =>
      new Date(iso).toLocaleString(lang === 'fr' ? 'fr-FR' : 'en-GB', {
        timeZone,
        ...(style === 'time' ? { hour: '2-digit', minute: '2-digit', second: '2-digit' } : { dateStyle: 'short', timeStyle: 'medium' }),
      }),
    [lang, timeZone],
  );
}

/**
 * A number as the page's language writes it (<html lang>, which the language picker sets before rendering):
 * "4,120" and "0.29" in English, « 4 120 » and « 0,29 » in French. `fixed` digits after the decimal sign,
 * else up to `max` (3).
 */
export function formatNumber(n: number, digits: { fixed?: number; max?: number } = {}): string {
  const lang = typeof document === 'undefined' ? 'en' : document.documentElement.lang;
  return n.toLocaleString(
    lang === 'fr' ? 'fr-FR' : 'en-GB',
    digits.fixed === undefined ? { maximumFractionDigits: digits.max ?? 3 } : { minimumFractionDigits: digits.fixed, maximumFractionDigits: digits.fixed },
  );
}

/** A label and its colon as the language writes them: "Owner: ", « Responsable : » (no break before the French colon). */
export function withColon(t: (key: string) => string, label: string): string {
  return t('{label}: {value}').replace('{label}', label).replace('{value}', '').replace(' :', '\u00a0:');
}

/** Whether a count takes the singular noun in this language: 1 in English; 0 and 1 in French. */
export function takesSingular(lang: string, n: number): boolean {
  return n === 1 || (lang === 'fr' && n === 0);
}

/** A count and its noun in the singular or plural as the language agrees them: "0 open alarms", « 0 alarme ouverte ». */
export function useCount(): (n: number, one: string, many: string) => string {
  const { lang } = useContext(LanguageContext);
  const t = useT();
  return useCallback((n: number, one: string, many: string) => `${formatNumber(n)} ${t(takesSingular(lang, n) ? one : many)}`, [lang, t]);
}
