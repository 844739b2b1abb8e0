import type { StoredEvent } from '../api.js';
import { useT, useTime } from '../i18n.js';

export function LiveFeed({ events, connected }: { events: StoredEvent[]; connected: boolean }) {
  const t = useT();
  const time = useTime();
  return (
    <aside className="feed" aria-label={t('Live events')}>
      <h2>
        {t('Live events')} <small className={connected ? 'ok' : 'bad'}>{connected ? '●' : '○'}</small>
      </h2>
      {events.length === 0 && <p className="muted">{t('Events appear here as they happen.')}</p>}
      <ul data-testid="live-feed">
        {events.map((e) => (
          <li key={e.id}>
            <time dateTime={e.at}>{time(e.at, 'time')}</time> <code>{e.type}</code>
            <div className="muted small">
              {e.subject} · {e.actor}
            </div>
          </li>
        ))}
      </ul>
    </aside>
  );
}
