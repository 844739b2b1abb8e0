import { useMemo, useState } from 'react';
import type { StoredEvent } from '../api.js';
import { useNames } from '../directory.js';
import { useCodeTexts } from '../alarm-titles.js';
import { feedLines, fill } from '../feed-sentences.js';
import { incidentTitle } from '../incident-titles.js';
import { useT, useTime } from '../i18n.js';

/** The live feed in sentences, names not ids; bursts about one thing collapse into one line. */
export function LiveFeed({ events, connected, onClose }: { events: StoredEvent[]; connected: boolean; onClose?: () => void }) {
  const t = useT();
  const time = useTime();
  const name = useNames();
  // What each alarm, alert or incident is called, learnt from the events seen (a cache, not state to render from).
  const [labels] = useState(() => new Map<string, string>());
  const codeTexts = useCodeTexts();
  const lines = useMemo(
    () =>
      feedLines(
        events,
        labels,
        name,
        // Incidents by their title in the reader's language (an escalated alarm's, a type and a place).
        { thing: t('(earlier)'), account: t('account'), quote: t('quote:{what}'), incident: (i) => incidentTitle(i, t, codeTexts) },
        codeTexts,
      ),
    [events, labels, name, t, codeTexts],
  );
  return (
    <aside className="feed" aria-label={t('Live events')}>
      <h2>
        {t('Live events')} <small className={connected ? 'ok' : 'bad'}>{connected ? '●' : '○'}</small>
        {onClose && (
          <button className="small feed-close" onClick={onClose} aria-label={t('Hide live events')} title={t('Hide live events')}>
            ⟩
          </button>
        )}
      </h2>
      {lines.length === 0 && <p className="muted">{t('Events appear here as they happen.')}</p>}
      <ul data-testid="live-feed">
        {lines.map((l) => (
          <li key={l.key} className={`feed-${l.tone}`} title={l.ids} data-type={l.type}>
            <time dateTime={l.at}>{time(l.at, 'time')}</time> {fill(t(l.template), l.vars)}
            {l.count > 1 && <span className="muted small"> ({fill(t('{n} updates'), { n: String(l.count) })})</span>}
          </li>
        ))}
      </ul>
    </aside>
  );
}
