/**
 * What a citizen reads when their report was joined to another one of the same problem:
 * that report in words — its service, its street and the day it came in — never its id,
 * and where to follow it. Pure: the Open311 status notes and the notices to reporters use it.
 */

export type NoteLang = 'en' | 'fr';

/** The report a merged one joined, as the public may see it. */
export interface JoinedReportWords {
  /** The service's name in the reader's language. */
  service: string;
  /** Its street or address as the reporter gave it; null when only a position was given. */
  address: string | null;
  /** When it came in (ISO). */
  requestedAt: string;
}

/** "2 December" / "2 décembre", in the city's time zone. */
export function dayInWords(iso: string, lang: NoteLang, timeZone: string): string {
  return new Intl.DateTimeFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', { timeZone, day: 'numeric', month: 'long' }).format(new Date(iso));
}

/** The joined report in one phrase: `"Flooding", Rue Grimaldi, received 2 December` (`"Flooding", nearby, …` without an address). */
export function joinedPhrase(j: JoinedReportWords, lang: NoteLang, timeZone: string): string {
  const day = dayInWords(j.requestedAt, lang, timeZone);
  if (lang === 'fr') return `« ${j.service} », ${j.address ?? 'à proximité'}, reçu le ${day}`;
  return `"${j.service}", ${j.address ?? 'nearby'}, received ${day}`;
}

/**
 * The public status note of a merged report (Open311 `status_notes`): which report it joined, in words,
 * the link where anyone may follow that report, and the organisation's own note when it wrote one.
 */
export function mergedStatusNote(j: JoinedReportWords, link: string, note: string | null, lang: NoteLang, timeZone: string): string {
  const what = joinedPhrase(j, lang, timeZone);
  const sentence =
    lang === 'fr'
      ? `Le même problème avait déjà été signalé : ${what}. Ce signalement suit désormais celui-là ; suivez-le ici : ${link}`
      : `The same problem was already reported: ${what}. This report now follows that one; follow it here: ${link}`;
  return note ? `${sentence}\n${note}` : sentence;
}

/**
 * The public status note of a report with an open work order (Open311 `status_notes`; its status stays `open`):
 * "A work order has been issued", the day the work is due, and the organisation's earlier note if any. Null otherwise.
 */
export function workOrderNote(r: { status: string; publicNote: string | null; workOrder?: { dueDate: string } | null }, lang: NoteLang): string | null {
  if (r.status !== 'work-order' || !r.workOrder) return null;
  const day = dayInWords(`${r.workOrder.dueDate}T12:00:00Z`, lang, 'UTC');
  const sentence =
    lang === 'fr' ? `Un ordre de travail a été émis ; travaux prévus d’ici le ${day}.` : `A work order has been issued; the work is due by ${day}.`;
  return r.publicNote ? `${sentence}\n${r.publicNote}` : sentence;
}
