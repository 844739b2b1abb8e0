import { useState } from 'react';
import { api } from '../../api.js';
import { useT } from '../../i18n.js';
import type { Incident } from './types.js';
import { errorText } from '../../errors.js';
import { INCIDENT_TYPE_LABELS } from '../../labels.js';

interface Site {
  id: string;
  name: string | null;
  position: [number, number];
  address: string | null;
}

/** The call-taker form: what, where (a named site, or a click on the map), who called. */
export function CallTakerForm({
  types,
  sites,
  picked,
  onCreated,
  onCancel,
}: {
  types: Record<string, { label: string; priority: number }>;
  sites: Site[];
  picked: [number, number] | null;
  onCreated: (i: Incident) => void;
  onCancel: () => void;
}) {
  const t = useT();
  const [type, setType] = useState('fire');
  const [priority, setPriority] = useState<number | ''>('');
  const [place, setPlace] = useState('');
  const [description, setDescription] = useState('');
  const [callerName, setCallerName] = useState('');
  const [callerPhone, setCallerPhone] = useState('');
  const [error, setError] = useState<string | null>(null);
  const named = sites.filter((s) => s.name);
  const site = named.find((s) => s.name === place);
  const position = site?.position ?? picked;
  const submit = async (e: React.FormEvent): Promise<void> => {
    e.preventDefault();
    setError(null);
    if (!position) return setError(t('Choose a site or a point on the map'));
    try {
      const r = await api<{ incident: Incident }>('/api/incidents', {
        body: {
          type,
          position,
          source: 'call',
          ...(priority ? { priority } : {}),
          ...(site ? { siteId: site.id } : place ? { address: place } : {}),
          description,
          caller: { name: callerName || null, phone: callerPhone || null },
        },
      });
      onCreated(r.incident);
    } catch (err) {
      setError(errorText(t, err));
    }
  };
  return (
    <form className="call-form" onSubmit={(e) => void submit(e)} data-testid="call-form">
      <h3>{t('New incident (call)')}</h3>
      <label>
        {t('Type')}
        <select aria-label={t('Incident type')} value={type} onChange={(e) => setType(e.target.value)}>
          {Object.entries(types).map(([id, ty]) => (
            <option key={id} value={id}>
              {INCIDENT_TYPE_LABELS[id] ? t(INCIDENT_TYPE_LABELS[id]) : ty.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('Priority')}
        <select aria-label={t('Priority')} value={priority} onChange={(e) => setPriority(e.target.value ? Number(e.target.value) : '')}>
          <option value="">
            {t('default for the type')} ({types[type]?.priority})
          </option>
          {[1, 2, 3, 4, 5].map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('Site or address')}
        <input aria-label={t('Site or address')} list="incident-sites" value={place} onChange={(e) => setPlace(e.target.value)} />
        <datalist id="incident-sites">
          {named.map((s) => (
            <option key={s.id} value={s.name!} />
          ))}
        </datalist>
      </label>
      <p className="muted small" data-testid="call-position">
        {position
          ? `${position[1].toFixed(5)}, ${position[0].toFixed(5)}${site ? '' : ` (${t('point on the map')})`}`
          : t('Choose a site or a point on the map')}
      </p>
      <label>
        {t('What is happening')}
        <textarea aria-label={t('Description')} value={description} onChange={(e) => setDescription(e.target.value)} rows={2} />
      </label>
      <div className="row">
        <input aria-label={t('Caller name')} placeholder={t('Caller name')} value={callerName} onChange={(e) => setCallerName(e.target.value)} />
        <input aria-label={t('Caller phone')} placeholder={t('Caller phone')} value={callerPhone} onChange={(e) => setCallerPhone(e.target.value)} />
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="row">
        <button type="submit">{t('Open incident')}</button>
        <button type="button" onClick={onCancel}>
          {t('Cancel')}
        </button>
      </div>
    </form>
  );
}
