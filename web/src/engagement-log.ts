import type { LogEntry } from '../../src/engagement/contract.js';

/**
 * A stakeholder's engagement log in the reader's language: the server records each line's kind and the values it
 * names (src/engagement/state.ts); the sentence is ours. A recorded interaction (a meeting, a call…) is the text
 * its author wrote; a line without params (written before they existed) keeps the server's English.
 */
export const LOG_SENTENCES: Readonly<Record<string, string>> = {
  registered: 'Registered as {kind}',
  updated: 'Updated: {fields}',
  invited: 'Invited to “{title}”',
  contributed: 'Answered “{title}” ({position})',
  answered: 'Decision on “{title}”: {effect} — {explanation}',
  grievance: 'Grievance: {subject}',
  'grievance-acknowledged': 'Grievance acknowledged: {subject}',
  'grievance-resolved': 'Grievance resolved: {response}',
};

/** The words for the slugs the lines name (the same words as the engagement page's). */
export const LOG_WORDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  kind: { organisation: 'Organisation', group: 'Group', representative: 'Representative' },
  position: { support: 'For', oppose: 'Against', mixed: 'Mixed', 'no-opinion': 'No opinion' },
  effect: {
    adopted: 'Adopted',
    'partly-adopted': 'Partly adopted',
    'considered-not-adopted': 'Considered, not adopted',
    'out-of-scope': 'Outside the question',
  },
  fields: {
    name: 'Name',
    kind: 'Kind',
    capacity: 'Capacity',
    categories: 'Categories',
    influence: 'Influence',
    interest: 'Interest',
    dimensions: 'Dimensions',
    parentId: 'Part of',
    scale: 'Scale',
    sector: 'Sector',
    stance: 'Stance',
  },
};

/** One line of the log in the reader's language. */
export function engagementLogText(t: (key: string) => string, e: Pick<LogEntry, 'kind' | 'summary' | 'params'>): string {
  const sentence = LOG_SENTENCES[e.kind];
  if (!sentence || !e.params) return e.summary;
  const p = e.params;
  const word = (table: string, v: string): string => (LOG_WORDS[table]?.[v] ? t(LOG_WORDS[table][v]!) : v);
  return t(sentence).replace(/\{(\w+)\}/g, (whole, k: string) => {
    const v = p[k];
    if (v === undefined) return whole;
    if (k === 'fields')
      return v
        .split(',')
        .filter(Boolean)
        .map((f) => word('fields', f))
        .join(', ');
    return k === 'kind' || k === 'position' || k === 'effect' ? word(k, v) : v;
  });
}
