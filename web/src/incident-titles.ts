import { localTitle, type CodeTexts } from '../../src/alarms/contract.js';
import type { IncidentTitleParts } from '../../src/incidents/contract.js';
import { INCIDENT_TYPE_LABELS } from './labels.js';

/** What an incident's title is read from: the stored (English) title and, when Vigil wrote it, its parts. */
export interface TitledIncident {
  title: string;
  titleParts?: IncidentTitleParts | null;
}

/**
 * An incident's title in the reader's language. A title Vigil wrote is rebuilt from its parts: an escalated
 * alarm's as the alarm console words it (« Intrusion — zone 3 — École Jules Ferry », with `codeTexts`, the
 * reader's alarm code texts), the type and the place of a call the call-taker left untitled (« Incendie — Mairie »).
 * A title a person or a partner agency wrote, an older record without parts, or parts that cannot be worded
 * (no code text yet, an unknown type): the stored title.
 */
export function incidentTitle(i: TitledIncident, t: (key: string) => string, codeTexts: CodeTexts | null): string {
  const p = i.titleParts;
  if (p?.from === 'alarm') return localTitle(p.alarm, codeTexts, t('account')) ?? i.title;
  if (p?.from === 'type') {
    const key = INCIDENT_TYPE_LABELS[p.type];
    return key ? `${t(key)} — ${p.where}` : i.title;
  }
  return i.title;
}
