import { useCallback, useEffect, useState } from 'react';
import { api, type StoredEvent } from '../../api.js';
import { useT, useTime } from '../../i18n.js';
import type { GuidanceView } from './types.js';

/** Guidance pushed to me in the major events I take part in, newest first, each to acknowledge (the responder's screen). */
export function MyGuidance({ recent }: { recent: StoredEvent[] }) {
  const t = useT();
  const time = useTime();
  const [items, setItems] = useState<GuidanceView[]>([]);
  const load = useCallback(async () => setItems((await api<{ guidance: GuidanceView[] }>('/api/events/guidance/mine')).guidance), []);
  const lastSeq = recent.find((e) => e.type.startsWith('majorevents.guidance'))?.seq;
  useEffect(() => void load().catch(() => {}), [load, lastSeq]);
  if (items.length === 0) return null;
  return (
    <section className="panel my-guidance" data-testid="my-guidance">
      <h3>{t('Event guidance')}</h3>
      {items.map((g) => (
        <div key={g.guidanceId} className="guidance-item">
          <strong>{g.instruction}</strong>
          <div className="muted small">
            {g.eventName} · {g.sender} · {time(g.at, 'time')}
            {g.distanceM !== null ? ` · ${g.distanceM} m` : ''}
          </div>
          {g.acknowledged ? (
            <span className="badge ok">{t('Acknowledged')}</span>
          ) : (
            <button className="big" onClick={() => void api(`/api/events/${g.eventId}/guidance/${g.guidanceId}/ack`, { method: 'POST' }).then(load)}>
              {t('Acknowledge')}
            </button>
          )}
        </div>
      ))}
    </section>
  );
}
