import { useCallback, useEffect, useState } from 'react';
import { api, type Me, type StoredEvent } from '../api.js';
import { formatNumber, useT, useTime, withColon } from '../i18n.js';
import { CallTakerForm } from './incidents/CallTakerForm.js';
import { CommandMap } from './incidents/CommandMap.js';
import { CasualtiesPanel } from './incidents/CasualtiesPanel.js';
import { CommsLog } from './incidents/CommsLog.js';
import { PartnerSitRepPanel } from './incidents/PartnerSitRepPanel.js';
import { NEXT_STATUS, RESOLUTIONS, minutes, type Incident, type LogEntry, type Recommendation, type Unit } from './incidents/types.js';
import { useAction } from '../use-action.js';
import {
  INCIDENT_RESOLUTION_LABELS,
  INCIDENT_SOURCE_LABELS,
  INCIDENT_STATUS_LABELS,
  INCIDENT_TYPE_LABELS,
  UNIT_KIND_LABELS,
  UNIT_STATUS_LABELS,
  wordFor,
} from '../labels.js';
import { useCodeTexts } from '../alarm-titles.js';
import { incidentTitle } from '../incident-titles.js';
import { errorText } from '../errors.js';

interface Site {
  id: string;
  name: string | null;
  position: [number, number];
  address: string | null;
}

/** Command and control: the incident board, the call-taker form, the command map and the selected incident. */
export function IncidentsPage({ me, recent }: { me: Me; recent: StoredEvent[] }) {
  const t = useT();
  const time = useTime();
  const codeTexts = useCodeTexts();
  // Titles in the reader's language (an escalated alarm's, a type and a place); the stored title otherwise.
  const titleOf = useCallback((i: Incident): string => incidentTitle(i, t, codeTexts), [t, codeTexts]);
  const [incidents, setIncidents] = useState<Incident[]>([]);
  const [units, setUnits] = useState<Unit[]>([]);
  const [types, setTypes] = useState<Record<string, { label: string; priority: number }>>({});
  const [sites, setSites] = useState<Site[]>([]);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [detail, setDetail] = useState<{ incident: Incident; log: LogEntry[]; mayAct: boolean } | null>(null);
  const [rec, setRec] = useState<Recommendation | null>(null);
  const [creating, setCreating] = useState(false);
  const [picked, setPicked] = useState<[number, number] | null>(null);
  const [override, setOverride] = useState('');
  const [resolution, setResolution] = useState(RESOLUTIONS[0]!);
  const canDispatch = me.roles.some((r) => r === 'operator' || r === 'supervisor' || r === 'commander' || r === 'admin');
  const canPublic = me.roles.some((r) => r === 'commander' || r === 'supervisor' || r === 'admin');

  const loadBoard = useCallback(async () => {
    // Units are for roles that see them (an alert officer does not): no request bound to be refused.
    const seesUnits = me.roles.some((r) => r === 'operator' || r === 'supervisor' || r === 'commander' || r === 'responder' || r === 'admin');
    const [b, u] = await Promise.all([
      api<{ incidents: Incident[] }>('/api/incidents'),
      seesUnits ? api<{ units: Unit[] }>('/api/units').catch(() => ({ units: [] })) : Promise.resolve({ units: [] as Unit[] }),
    ]);
    setIncidents(b.incidents);
    setUnits(u.units);
  }, [me.roles]);
  const loadDetail = useCallback(
    async (id: string) => {
      const d = await api<{ incident: Incident; log: LogEntry[]; mayAct: boolean }>(`/api/incidents/${id}`);
      setDetail(d);
      if (canDispatch && d.mayAct && d.incident.status !== 'closed') setRec(await api<Recommendation>(`/api/incidents/${id}/recommendation`));
      else setRec(null);
    },
    [canDispatch],
  );
  // After an action: the board, and the open incident.
  const refresh = useCallback(async () => {
    await loadBoard();
    if (selectedId) await loadDetail(selectedId);
  }, [loadBoard, loadDetail, selectedId]);
  const { error, setError, run } = useAction(refresh);
  useEffect(() => {
    void loadBoard().catch((e: unknown) => setError(errorText(t, e)));
    api<{ types: Record<string, { label: string; priority: number }> }>('/api/incidents/types').then(
      (r) => setTypes(r.types),
      () => {},
    );
    api<{ sites: Site[] }>('/api/city/sites?limit=5000').then(
      (r) => setSites(r.sites),
      () => {},
    );
  }, [loadBoard, setError, t]);
  // Incidents and units events on the live feed refresh the board, the map and the open incident.
  const lastSeq = recent.find((e) => e.type.startsWith('incidents.') || e.type.startsWith('units.'))?.seq;
  // The command map's overlays reload when their capability's events arrive.
  const overlaySeq = Object.fromEntries(['routing.', 'majorevents.', 'crowd.'].map((p) => [p, recent.find((e) => e.type.startsWith(p))?.seq ?? 0]));
  useEffect(() => {
    if (!lastSeq) return;
    void loadBoard().catch(() => {});
    if (selectedId) void loadDetail(selectedId).catch(() => {});
  }, [lastSeq, loadBoard, loadDetail, selectedId]);
  useEffect(() => {
    setOverride('');
    if (selectedId) void loadDetail(selectedId).catch((e: unknown) => setError(errorText(t, e)));
    else setDetail(null);
  }, [selectedId, loadDetail, setError, t]);

  const incident = detail?.incident ?? null;
  // Roles allow dispatching; the policy says whether this incident's owner lets this organisation act on it (shared for reading only: no).
  const mayAct = detail?.mayAct === true;
  const dispatch = (unitId: string, recommended: boolean): Promise<boolean> =>
    run(() => api(`/api/incidents/${incident!.incidentId}/dispatch`, { body: { unitId, ...(recommended ? {} : { overrideReason: override }) } }));
  const setStatus = (status: string): Promise<boolean> =>
    run(() => api(`/api/incidents/${incident!.incidentId}/status`, { body: { status, ...(status === 'closed' ? { resolution } : {}) } }));

  return (
    <div className="incidents-page">
      <aside className="board">
        <div className="row">
          <h2 style={{ margin: 0 }}>{t('Incidents')}</h2>
          {canDispatch && (
            <button
              onClick={() => {
                setCreating(true);
                setSelectedId(null);
              }}
              data-testid="new-incident"
            >
              {t('New incident (call)')}
            </button>
          )}
        </div>
        <ul className="incident-list" data-testid="incident-board">
          {incidents.length === 0 && <li className="muted">{t('No open incidents')}</li>}
          {incidents.map((i) => (
            <li
              key={i.incidentId}
              className={`incident p${i.priority} ${i.incidentId === selectedId ? 'selected' : ''}`}
              onClick={() => {
                setSelectedId(i.incidentId);
                setCreating(false);
              }}
            >
              <div>
                <strong>{i.reference}</strong> <span className="badge">P{i.priority}</span>{' '}
                <span className="status badge">{t(INCIDENT_STATUS_LABELS[i.status] ?? i.status)}</span>
              </div>
              <div data-testid="incident-title">{titleOf(i)}</div>
              <div className="muted small">
                {withColon(t, t('Owner'))}
                {i.ownerName ?? '–'} ·{' '}
                {i.assignments
                  .filter((a) => !a.releasedAt)
                  .map((a) => a.callSign)
                  .join(', ') || t('no unit')}
              </div>
            </li>
          ))}
        </ul>
        <h3>{t('Units')}</h3>
        {units.length === 0 && <p className="muted small">{t('No unit is visible to your organisation.')}</p>}
        <ul className="list small" data-testid="unit-list">
          {units.map((u) => (
            <li key={u.unitId}>
              <span className="badge">{t(UNIT_STATUS_LABELS[u.status] ?? u.status)}</span> {u.callSign}{' '}
              <span className="muted">
                {t(UNIT_KIND_LABELS[u.kind] ?? u.kind)}
                {u.demo ? ` · ${t('demo unit')}` : ''}
              </span>
            </li>
          ))}
        </ul>
      </aside>
      <section className={`incident-detail${!incident && !creating ? ' map-only' : ''}`}>
        <CommandMap
          incidents={incidents}
          units={units}
          selected={incident}
          onPick={creating ? setPicked : undefined}
          overlays
          refreshSeq={overlaySeq}
          roles={me.roles}
          recommended={incident && rec ? rec.ranked.slice(0, 3).map((r) => r.unit) : []}
        />
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {creating && (
          <CallTakerForm
            types={types}
            sites={sites}
            picked={picked}
            onCancel={() => setCreating(false)}
            onCreated={(i) => {
              setCreating(false);
              setPicked(null);
              void loadBoard();
              setSelectedId(i.incidentId);
            }}
          />
        )}
        {incident && !creating && (
          <div className="panel" data-testid="incident-detail">
            <h2>
              {incident.reference} — {titleOf(incident)}
            </h2>
            <p className="muted small">
              {INCIDENT_TYPE_LABELS[incident.type] ? t(INCIDENT_TYPE_LABELS[incident.type]!) : (types[incident.type]?.label ?? incident.type)} · P
              {incident.priority} ·{' '}
              <span data-testid="incident-status" data-status={incident.status} title={incident.status}>
                {wordFor(t, INCIDENT_STATUS_LABELS, incident.status)}
              </span>
              {incident.resolution ? ` (${wordFor(t, INCIDENT_RESOLUTION_LABELS, incident.resolution)})` : ''} · {t('source')}{' '}
              {wordFor(t, INCIDENT_SOURCE_LABELS, incident.source)} · {t('opened')} {time(incident.createdAt)} · {withColon(t, t('Owner'))}
              {incident.ownerName ?? '–'}
              {incident.location.address ? ` · ${incident.location.address}` : ''}
              {incident.caller?.phone ? ` · ${t('caller')} ${incident.caller.name ?? ''} ${incident.caller.phone}` : ''}
            </p>
            {incident.description && <p>{incident.description}</p>}
            {canDispatch && mayAct && incident.status !== 'closed' && (
              <div className="row">
                <button onClick={() => void run(() => api(`/api/incidents/${incident.incidentId}/take`, { method: 'POST' }))}>{t('Take')}</button>
                {NEXT_STATUS[incident.status]!.map((s) => (
                  <button key={s} onClick={() => void setStatus(s)} data-testid={`status-${s}`}>
                    {t(`status:${s}`)}
                  </button>
                ))}
                <select aria-label={t('Incident resolution')} value={resolution} onChange={(e) => setResolution(e.target.value)}>
                  {RESOLUTIONS.map((r) => (
                    <option key={r} value={r}>
                      {wordFor(t, INCIDENT_RESOLUTION_LABELS, r)}
                    </option>
                  ))}
                </select>
                <button onClick={() => void setStatus('closed')} data-testid="status-closed">
                  {t('Close incident')}
                </button>
              </div>
            )}
            {incident.assignments.length > 0 && (
              <table className="table" data-testid="assignments">
                <thead>
                  <tr>
                    <th>{t('Unit')}</th>
                    <th>{t('Dispatched')}</th>
                    <th>{t('ETA')}</th>
                    <th>{t('Status')}</th>
                    <th>{t('Decision')}</th>
                  </tr>
                </thead>
                <tbody>
                  {incident.assignments.map((a) => (
                    <tr key={`${a.unitId}-${a.at}`}>
                      <td>{a.callSign}</td>
                      <td>{time(a.at, 'time')}</td>
                      <td>{minutes(a.etaSeconds)}</td>
                      <td>{a.releasedAt ? t('released') : (units.find((u) => u.unitId === a.unitId)?.status ?? '')}</td>
                      <td className="small">{a.overrideReason ? `${t('override')}: ${a.overrideReason}` : t('as recommended')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {rec && (
              <div data-testid="recommendation">
                <h3>{t('Recommended units')}</h3>
                <p className="muted small">
                  {withColon(t, t('Travel times'))}
                  {rec.travelTimes}
                </p>
                <table className="table">
                  <thead>
                    <tr>
                      <th>#</th>
                      <th>{t('Unit')}</th>
                      <th>{t('ETA')}</th>
                      <th>{t('Distance')}</th>
                      <th />
                    </tr>
                  </thead>
                  <tbody>
                    {rec.ranked.slice(0, 6).map((r, k) => (
                      <tr key={r.unit.unitId} data-unit={r.unit.callSign}>
                        <td>{k + 1}</td>
                        <td>
                          {r.unit.callSign}{' '}
                          <span className="muted small">
                            {t(UNIT_KIND_LABELS[r.unit.kind] ?? r.unit.kind)} · {t(UNIT_STATUS_LABELS[r.unit.status] ?? r.unit.status)}
                          </span>
                        </td>
                        <td>{minutes(r.etaSeconds)}</td>
                        <td>{formatNumber(r.distanceM / 1000, { fixed: 1 })} km</td>
                        <td>
                          <button onClick={() => void dispatch(r.unit.unitId, k === 0)} disabled={k > 0 && !override.trim()}>
                            {k === 0 ? t('Dispatch (recommended)') : t('Dispatch instead')}
                          </button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                {rec.ranked.length > 1 && (
                  <input
                    aria-label={t('Override reason')}
                    placeholder={t('Reason for choosing another unit')}
                    value={override}
                    onChange={(e) => setOverride(e.target.value)}
                    style={{ width: '100%' }}
                  />
                )}
                {rec.ranked.length === 0 && <p className="muted">{t('No available unit with the required capabilities')}</p>}
              </div>
            )}
            <CasualtiesPanel incident={incident} canEdit={canDispatch && mayAct && incident.status !== 'closed'} run={run} />
            <PartnerSitRepPanel incidentId={incident.incidentId} refreshKey={lastSeq} />
            <h3>{t('Communications')}</h3>
            <CommsLog
              incidentId={incident.incidentId}
              log={detail!.log}
              canInternal={mayAct && me.roles.some((r) => r !== 'alert-officer')}
              canPublic={mayAct && canPublic}
              onPosted={() => void loadDetail(incident.incidentId)}
            />
            {canDispatch && (
              <p className="row small">
                {withColon(t, t('After-action timeline'))}
                <a href={`/api/incidents/${incident.incidentId}/timeline.html`} target="_blank" rel="noreferrer" data-testid="timeline-html">
                  HTML
                </a>
                <a href={`/api/incidents/${incident.incidentId}/timeline.json`} target="_blank" rel="noreferrer">
                  JSON
                </a>
                <a href={`/api/incidents/${incident.incidentId}/timeline.pdf`}>PDF</a>
              </p>
            )}
          </div>
        )}
      </section>
    </div>
  );
}
