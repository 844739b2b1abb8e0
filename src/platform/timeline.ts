import type { EventLog, StoredEvent } from './event-log.js';

/*
 * After-action timelines: one time axis and one printable page, shared by incidents and
 * major events. Each capability builds its own entries from the log; this is the axis.
 */

/** Incidents use the first eight; major events (src/major-events) add their own on the same axis. */
export type TimelineCategory =
  'signal' | 'alarm' | 'incident' | 'decision' | 'dispatch' | 'unit' | 'message' | 'alert' | 'event' | 'feature' | 'upload' | 'guidance';

export interface TimelineEntry {
  at: string;
  seq: number;
  category: TimelineCategory;
  type: string;
  actor: string;
  text: string;
  channel: 'internal' | 'public' | null;
}

/** Every event of a subject (optionally of some types), in log order. */
export async function readAll(log: EventLog, subject: string, typePrefixes?: string[]): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  let afterSeq = 0;
  for (;;) {
    const batch = await log.read({ subject, afterSeq, limit: 1000, ...(typePrefixes ? { typePrefixes } : {}) });
    if (batch.length === 0) return out;
    out.push(...batch);
    afterSeq = batch.at(-1)!.seq;
  }
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The page of any after-action timeline (an incident's, a major event's): heading, summary line, one row per entry. */
export function timelinePage(
  page: { title: string; heading: string; summary: string; generatedAt: string; entries: TimelineEntry[] },
  timeZone: string,
): string {
  const fmt = new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'short', timeStyle: 'medium' });
  const rows = page.entries
    .map(
      (e) =>
        `<tr class="${e.category}"><td>${escapeHtml(fmt.format(new Date(e.at)))}</td><td>${e.category}</td><td>${escapeHtml(e.text)}</td><td>${e.channel ?? ''}</td><td>${escapeHtml(e.actor)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(page.title)}</title>
<style>
body{font:12px/1.4 system-ui,sans-serif;margin:24px;color:#111}h1{font-size:18px;margin:0 0 4px}table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #ccc;padding:4px 6px;text-align:left;vertical-align:top}th{background:#f0f0f0}
tr.signal td:nth-child(2),tr.alarm td:nth-child(2){color:#b42318}tr.dispatch td:nth-child(2){color:#175cd3}tr.alert td:nth-child(2){color:#7a2e0e}
@media print{body{margin:0}tr{page-break-inside:avoid}}
</style></head><body>
<h1>${escapeHtml(page.heading)}</h1>
<p>${escapeHtml(page.summary)}</p>
<p>Generated ${escapeHtml(fmt.format(new Date(page.generatedAt)))} (${escapeHtml(timeZone)}) from the hash-chained event log; ${page.entries.length} entries.</p>
<table><thead><tr><th>time</th><th>what</th><th>entry</th><th>channel</th><th>by</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>`;
}
