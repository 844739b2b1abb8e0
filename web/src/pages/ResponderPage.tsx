import { useCallback, useEffect, useState } from 'react';
import { api, type Me, type StoredEvent } from '../api.js';
import { useT } from '../i18n.js';
import { CommandMap } from './incidents/CommandMap.js';
import { MyGuidance } from './events/MyGuidance.js';
import { CommsLog } from './incidents/CommsLog.js';
import { minutes, type Assignment, type Incident, type LogEntry, type Unit } from './incidents/types.js';
import { UNIT_STATUS_LABELS } from '../labels.js';
import { errorText } from '../errors.js';
import { useCodeTexts } from '../alarm-titles.js';
import { incidentTitle } from '../incident-titles.js';

const NEXT: Record<string, string[]> = {
  dispatched: ['en-route', 'on-scene'],
  'en-route': ['on-scene'],
  'on-scene': ['returning'],
  returning: ['available'],
  available: [],
  'out-of-service': [],
};
/** Incidents owned by another organisation do not reach this user's live feed; look again this often. */
const POLL_MS = 5000;

/** The responder's view on a phone: my unit, its incident, the route, status buttons, messages. */
export function ResponderPage({ recent }: { me: Me; recent: StoredEvent[] }) {
  const t = useT();
  const codeTexts = useCodeTexts();
  const [data, setData] = useState<{ unit: Unit | null; incident: Incident | null; assignment: Assignment | null; log: LogEntry[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => setData(await api('/api/incidents/assigned')), []);
  const lastSeq = recent.find((e) => e.type.startsWith('incidents.') || e.type.startsWith('units.'))?.seq;
  useEffect(() => void load().catch((e: unknown) => setError(errorText(t, e))), [load, lastSeq, t]);
  useEffect(() => {
    const timer = setInterval(() => void load().catch(() => {}), POLL_MS);
    return () => clearInterval(timer);
  }, [load]);
  const status = async (to: string): Promise<void> => {
    setError(null);
    try {
      if (data?.incident) await api(`/api/incidents/${data.incident.incidentId}/units/${data.unit!.unitId}/status`, { body: { status: to } });
      else await api(`/api/units/${data!.unit!.unitId}/status`, { body: { status: to } });
      await load();
    } catch (e) {
      setError(errorText(t, e));
    }
  };
  const sendPosition = (): void => {
    navigator.geolocation?.getCurrentPosition(
      (p) =>
        void api(`/api/units/${data!.unit!.unitId}/positions`, {
          body: {
            fixes: [
              {
                lon: p.coords.longitude,
                lat: p.coords.latitude,
                speed: p.coords.speed ?? null,
                heading: p.coords.heading ?? null,
                at: new Date(p.timestamp).toISOString(),
              },
            ],
          },
        }).then(load, (e: unknown) => setError(errorText(t, e))),
      (e) => setError(e.message),
    );
  };
  if (!data) return <div className="panel">…</div>;
  if (!data.unit)
    return (
      <div className="panel responder">
        <MyGuidance recent={recent} />
        <div className="empty-state" data-testid="empty-state">
          <p>{t('You are not in the crew of any unit.')}</p>
          <p className="muted small">
            {t('Your dispatcher or supervisor adds you to a unit’s crew; your assignments, their route and the status buttons then appear here.')}
          </p>
        </div>
      </div>
    );
  const { unit, incident, assignment } = data;
  return (
    <div className="responder" data-testid="responder">
      <header className="responder-unit">
        <strong>{unit.callSign}</strong>{' '}
        <span className="badge" data-testid="unit-status" data-state={unit.status}>
          {t(UNIT_STATUS_LABELS[unit.status] ?? unit.status)}
        </span>
        <button className="small" onClick={sendPosition}>
          {t('Send my position')}
        </button>
      </header>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <MyGuidance recent={recent} />
      {!incident && (
        <p className="panel muted" data-testid="no-assignment">
          {t('No assignment.')} {t('When your unit is dispatched, the incident, its route and what to report appear here.')}
        </p>
      )}
      {incident && (
        <>
          <section className="responder-incident" data-testid="responder-incident">
            <h2>
              {incident.reference} · P{incident.priority}
            </h2>
            <p>
              <strong>{incidentTitle(incident, t, codeTexts)}</strong>
            </p>
            <p>
              {incident.location.siteName ?? ''} {incident.location.address ?? ''}
            </p>
            {incident.description && <p>{incident.description}</p>}
            <p className="muted small">
              {t('ETA')} {minutes(assignment?.etaSeconds ?? null)} · {assignment?.routeSource}
            </p>
          </section>
          <CommandMap
            fit
            className="responder-map"
            incidents={[incident]}
            units={[unit]}
            selected={{ ...incident, assignments: assignment ? [assignment] : [] }}
          />
        </>
      )}
      <div className="responder-actions">
        {(NEXT[unit.status] ?? []).map((s) => (
          <button key={s} className="big" onClick={() => void status(s)} data-testid={`unit-${s}`}>
            {t(`unit:${s}`)}
          </button>
        ))}
      </div>
      {incident && <CommsLog incidentId={incident.incidentId} log={data.log} canInternal canPublic={false} onPosted={() => void load()} />}
    </div>
  );
}
