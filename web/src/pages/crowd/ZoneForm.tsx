import { useEffect, useState } from 'react';
import { api } from '../../api.js';
import { AreaDrawMap, type Ring } from '../../components/AreaDrawMap.js';
import { useT } from '../../i18n.js';
import { errorText } from '../../errors.js';

/**
 * A commander or supervisor defines a crowd zone: its outline drawn on the map (or a
 * neighbourhood's), the densities that warn and alarm, the counters that feed it, and
 * the major event it belongs to (whose participants then see it).
 */
export function ZoneForm({ onSaved, onCancel }: { onSaved: () => void; onCancel: () => void }) {
  const t = useT();
  const [name, setName] = useState('');
  const [ring, setRing] = useState<Ring>([]);
  const [warning, setWarning] = useState(2);
  const [critical, setCritical] = useState(4);
  const [counters, setCounters] = useState('');
  const [eventId, setEventId] = useState('');
  const [events, setEvents] = useState<{ eventId: string; name: string; status: string }[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(
    () =>
      void api<{ events: { eventId: string; name: string; status: string }[] }>('/api/events').then(
        (r) => setEvents(r.events.filter((e) => e.status !== 'ended')),
        () => {},
      ),
    [],
  );
  const save = async (): Promise<void> => {
    setError(null);
    try {
      const closed = [...ring, ring[0]!];
      await api('/api/crowd/zones', {
        body: {
          name,
          polygon: { type: 'Polygon', coordinates: [closed] },
          warningDensity: warning,
          criticalDensity: critical,
          occupancyCounters: counters.split(/[\s,]+/).filter(Boolean),
          eventId: eventId || null,
        },
      });
      onSaved();
    } catch (e) {
      setError(errorText(t, e));
    }
  };
  return (
    <div className="panel" data-testid="zone-form">
      <h3>{t('New crowd zone')}</h3>
      <input aria-label={t('Zone name')} placeholder={t('Name')} value={name} onChange={(e) => setName(e.target.value)} style={{ width: '100%' }} />
      <AreaDrawMap
        areaLabel="Crowd zone"
        ring={ring}
        onChange={(r, areaName) => {
          setRing(r);
          if (areaName && !name) setName(areaName);
        }}
      />
      <p className="row small">
        <label>
          {t('warning')}{' '}
          <input
            type="number"
            aria-label={t('Warning density')}
            min={0.1}
            max={10}
            step={0.1}
            value={warning}
            onChange={(e) => setWarning(Number(e.target.value))}
            style={{ width: '4.5em' }}
          />{' '}
          /m²
        </label>
        <label>
          {t('critical')}{' '}
          <input
            type="number"
            aria-label={t('Critical density')}
            min={0.1}
            max={10}
            step={0.1}
            value={critical}
            onChange={(e) => setCritical(Number(e.target.value))}
            style={{ width: '4.5em' }}
          />{' '}
          /m²
        </label>
      </p>
      <input
        aria-label={t('Occupancy counters')}
        placeholder={t('counter ids (cameras, sensors), comma separated')}
        value={counters}
        onChange={(e) => setCounters(e.target.value)}
        style={{ width: '100%' }}
      />
      <p className="row small">
        <label>
          {t('Major event')}{' '}
          <select aria-label={t('Zone event')} value={eventId} onChange={(e) => setEventId(e.target.value)}>
            <option value="">{t('none')}</option>
            {events.map((e) => (
              <option key={e.eventId} value={e.eventId}>
                {e.name}
              </option>
            ))}
          </select>
        </label>
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <p className="row">
        <button data-testid="save-zone" disabled={!name.trim() || ring.length < 3} onClick={() => void save()}>
          {t('Save zone')}
        </button>
        <button className="link" onClick={onCancel}>
          {t('Cancel')}
        </button>
      </p>
    </div>
  );
}
