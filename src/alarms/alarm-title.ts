import type { Signal } from './model.js';

/**
 * An alarm's title in the reader's language. The rules write the stored title in English once,
 * `${description} — zone N — ${site}` (rules.ts), and events keep it as written (replay reads it back
 * unchanged). A reader in another language gets the same title rebuilt from what it is made of: the
 * signal's protocol and code (whose text the language's code table gives), its zone and the place.
 * Pure, no I/O: the web UI bundles it through contract.ts.
 */

/** What an alarm title is made of when a panel's coded signal (SIA DC-03, Contact ID) wrote it. */
export interface TitleParts {
  protocol: 'sia-dcs' | 'contact-id';
  code: string;
  zone: string | null;
  /** The site's name (or address) as the title named it, or null when the title names none. */
  where: string | null;
  /** The account number, when the title names the account because the signal had no site. */
  account: string | null;
}

/** Code texts of one language: protocol → code → text. */
export type CodeTexts = Record<TitleParts['protocol'], Readonly<Record<string, string>>>;

type TitleSignal = Pick<Signal, 'protocol' | 'code' | 'description' | 'zone' | 'account'>;

/**
 * The parts of `title` if `signal` wrote it (same description and zone, as rules.ts writes them), else null:
 * signals of other protocols (sensors, cameras, crowd), and titles written otherwise ("(not restored)").
 */
export function titlePartsOf(signal: TitleSignal, title: string): TitleParts | null {
  if (signal.protocol !== 'sia-dcs' && signal.protocol !== 'contact-id') return null;
  const head = `${signal.description}${signal.zone ? ` — zone ${signal.zone}` : ''}`;
  let where: string | null;
  if (title === head) where = null;
  else if (title.startsWith(`${head} — `)) where = title.slice(head.length + 3);
  else return null;
  const account = signal.account && where === `account ${signal.account}` ? signal.account : null;
  return { protocol: signal.protocol, code: signal.code, zone: signal.zone, where: account ? null : where, account };
}

/** The parts of an alarm's title: from the latest of its signals that wrote it (a more urgent signal retitles the alarm). */
export function alarmTitleParts(title: string, signals: readonly (TitleSignal | undefined)[]): TitleParts | null {
  for (let i = signals.length - 1; i >= 0; i--) {
    const s = signals[i];
    const parts = s ? titlePartsOf(s, title) : null;
    if (parts) return parts;
  }
  return null;
}

/** A coded signal's text in the language of `texts`, or null when the table has no text for its code. */
export function codeText(signal: Pick<Signal, 'protocol' | 'code'>, texts: CodeTexts | null): string | null {
  if (!texts || (signal.protocol !== 'sia-dcs' && signal.protocol !== 'contact-id')) return null;
  return texts[signal.protocol][signal.code] ?? null;
}

/**
 * The title in the language of `texts` (French: « Intrusion — zone 3 — École Jules Ferry »), or null when
 * it cannot be rebuilt (no parts, no table, a code the table does not know): the reader then sees the stored title.
 */
export function localTitle(parts: TitleParts | null | undefined, texts: CodeTexts | null, accountWord = 'compte'): string | null {
  if (!parts) return null;
  const text = codeText(parts, texts);
  if (!text) return null;
  const where = parts.account ? `${accountWord} ${parts.account}` : parts.where;
  return `${text}${parts.zone ? ` — zone ${parts.zone}` : ''}${where ? ` — ${where}` : ''}`;
}
