import { useCallback, useEffect, useState } from 'react';
import { api, type Me, type StoredEvent } from '../api.js';
import { useT, useTime } from '../i18n.js';
import { EventMap } from './events/EventMap.js';
import { NewEventForm, RosterEditor } from './events/EventSetup.js';
import { ShareChooser, type Share } from './events/ShareChooser.js';
import { type EntityLink, type EventView, type GuidanceView, type MajorEvent, type Standing } from './events/types.js';
import { useAction } from '../use-action.js';
import { useDirectory } from '../directory.js';
import { eventLinkLabel } from './events/link-label.js';
import { errorText } from '../errors.js';

const POLL_MS = 10_000;
const KINDS = ['perimeter', 'zone', 'gate', 'first-aid', 'evacuation-route', 'resource'] as const;
const GEOMETRY: Record<string, 'Polygon' | 'LineString' | 'Point'> = {
  perimeter: 'Polygon',
  zone: 'Polygon',
  gate: 'Point',
  'first-aid': 'Point',
  'evacuation-route': 'LineString',
  resource: 'Point',
};

type Listed = MajorEvent & { status: string; me: Standing };

/** Major events: the list, then one event's map, roster, messages, uploads and guidance — as the caller's clearance allows. */
export function EventsPage({ me, recent }: { me: Me; recent: StoredEvent[] }) {
  const t = useT();
  const [events, setEvents] = useState<Listed[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [view, setView] = useState<EventView | null>(null);
  const [focus, setFocus] = useState<string | null>(null);
  const [drawing, setDrawing] = useState<[number, number][] | null>(null);
  const [creating, setCreating] = useState(false);
  const canCreate = me.roles.some((r) => r === 'commander' || r === 'admin');

  const loadList = useCallback(async () => {
    const r = await api<{ events: Listed[] }>('/api/events');
    setEvents(r.events);
    setSelected((s) => s ?? r.events[0]?.eventId ?? null);
  }, []);
  const load = useCallback(async () => {
    if (selected) setView(await api<EventView>(`/api/events/${selected}`));
  }, [selected]);
  const { error, setError, run: act } = useAction(load);
  const lastSeq = recent.find((e) => e.type.startsWith('majorevents.'))?.seq;
  useEffect(() => void loadList().catch((e: unknown) => setError(errorText(t, e))), [loadList, lastSeq, setError, t]);
  useEffect(() => void load().catch((e: unknown) => setError(errorText(t, e))), [load, lastSeq, setError, t]);
  useEffect(() => {
    // Items that became hidden (restricted after the fact) are not announced live: look again now and then.
    const timer = setInterval(() => void load().catch(() => {}), POLL_MS);
    return () => clearInterval(timer);
  }, [load]);

  return (
    <div className="events-page" data-testid="events-page">
      <aside className="panel event-list">
        <h2>{t('Major events')}</h2>
        {canCreate && (
          <button data-testid="new-event-button" onClick={() => setCreating(true)}>
            {t('New event')}
          </button>
        )}
        {events.length === 0 && (
          <div className="empty-state" data-testid="empty-state">
            <p>{t('Your organisation takes part in no major event.')}</p>
            <p className="muted small">
              {canCreate
                ? t('Create one with “New event”, or wait for the organising authority to add your organisation as a participant.')
                : t('When the organising authority adds your organisation as a participant, the event, its map and its messages appear here.')}
            </p>
          </div>
        )}
        {events.map((e) => (
          <button
            key={e.eventId}
            data-testid="event-item"
            className={e.eventId === selected ? 'active' : ''}
            onClick={() => {
              setSelected(e.eventId);
              setFocus(null);
              setDrawing(null);
            }}
          >
            <strong>{e.name}</strong> <span className={`badge ${e.status}`}>{t(`event:${e.status}`)}</span>
            <br />
            <span className="muted small">
              {e.me.eventRole ?? t('member of a participating organisation')} · {t(`level:${e.me.levelName}`)}
            </span>
          </button>
        ))}
      </aside>
      {creating && (
        <NewEventForm
          onCancel={() => setCreating(false)}
          onCreated={(eventId) => {
            setCreating(false);
            setSelected(eventId);
            void loadList();
          }}
        />
      )}
      {view && !creating && (
        <EventDetail
          key={view.event.eventId}
          me={me}
          view={view}
          act={act}
          focus={focus}
          setFocus={setFocus}
          drawing={drawing}
          setDrawing={setDrawing}
          error={error}
        />
      )}
    </div>
  );
}

function EventDetail({
  me,
  view,
  act,
  focus,
  setFocus,
  drawing,
  setDrawing,
  error,
}: {
  me: Me;
  view: EventView;
  act: (fn: () => Promise<unknown>) => Promise<boolean>;
  focus: string | null;
  setFocus: (id: string | null) => void;
  drawing: [number, number][] | null;
  setDrawing: (d: [number, number][] | null) => void;
  error: string | null;
}) {
  const t = useT();
  const time = useTime();
  const dir = useDirectory();
  const { event, me: standing } = view;
  const id = event.eventId;
  const [editingRoster, setEditingRoster] = useState(false);
  const orgName = (orgId: string): string => event.participants.find((p) => p.orgId === orgId)?.orgName ?? orgId;
  const linkLabel = (l: EntityLink): string => eventLinkLabel(l, view, dir, t);
  const openLink = (l: EntityLink): void => {
    if (l.kind === 'feature') setFocus(l.id);
    else if (l.kind === 'upload') window.open(`/api/events/uploads/${l.id}`, '_blank');
    else if (l.kind === 'incident') location.assign('/incidents');
    else document.getElementById(`msg-${l.id}`)?.scrollIntoView();
  };
  return (
    <div className="event-detail">
      <section className="panel">
        <h2 data-testid="event-name">
          {event.name} <span className={`badge ${event.status}`}>{t(`event:${event.status}`)}</span>
        </h2>
        <p className="muted small">
          {time(event.startsAt)} – {time(event.endsAt)} · {t('run by')} {orgName(event.ownerOrgId)}
        </p>
        {event.description && <p>{event.description}</p>}
        <p data-testid="my-level">
          {t('You act at')}{' '}
          <strong>
            {standing.level} · {t(`level:${standing.levelName}`)}
          </strong>
          {standing.eventRole ? ` (${standing.eventRole})` : ''}
          {standing.cappedFrom !== null && (
            <span className="warning" data-testid="level-capped">
              {' '}
              — {t('Command level needs a second factor: sign in with your authenticator code to act at it. This session is capped one level below.')}
            </span>
          )}
        </p>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {standing.canManage && (
          <p className="row">
            {event.phase === 'scheduled' && (
              <button onClick={() => void act(() => api(`/api/events/${id}/start`, { method: 'POST' }))}>{t('Start now')}</button>
            )}
            {event.phase !== 'stood-down' && (
              <button onClick={() => void act(() => api(`/api/events/${id}/stand-down`, { body: {} }))}>{t('Stand down')}</button>
            )}
            <a href={`/api/events/${id}/timeline.html`} target="_blank" rel="noreferrer">
              {t('After-action timeline')}
            </a>
          </p>
        )}
      </section>

      <section className="panel event-map-panel">
        <EventMap
          features={view.features}
          guidance={view.guidance}
          drawing={drawing ?? []}
          onClick={drawing ? (p) => setDrawing([...drawing, p]) : null}
          focus={focus}
        />
        {standing.canDraw && <DrawForm eventId={id} view={view} drawing={drawing} setDrawing={setDrawing} act={act} />}
        <table className="table small" tabIndex={0} aria-label={t('Features of the event map')}>
          <thead>
            <tr>
              <th>{t('Feature')}</th>
              <th>{t('Kind')}</th>
              <th>{t('Minimum clearance')}</th>
              <th>{t('Shared with')}</th>
            </tr>
          </thead>
          <tbody>
            {view.features.map((f) => (
              <tr key={f.featureId} data-testid="feature-row" className={f.featureId === focus ? 'selected' : ''} onClick={() => setFocus(f.featureId)}>
                <td>
                  {f.name}
                  {f.note ? <span className="muted"> — {f.note}</span> : null}
                </td>
                <td>{t(`kind:${f.kind}`)}</td>
                <td>{f.minClearance}</td>
                <td>{f.sharedWith ? f.sharedWith.map(orgName).join(', ') : t('every participant')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <GuidancePanel me={me} view={view} act={act} drawing={drawing} />
      <MessagesPanel view={view} act={act} linkLabel={linkLabel} openLink={openLink} orgName={orgName} />
      <UploadsPanel view={view} act={act} orgName={orgName} />

      <section className="panel">
        <h3>
          {t('Participants and clearances')}{' '}
          {standing.canManage && !editingRoster && (
            <button className="link" data-testid="edit-roster" onClick={() => setEditingRoster(true)}>
              {t('Edit')}
            </button>
          )}
        </h3>
        {editingRoster && <RosterEditor event={event} act={act} onDone={() => setEditingRoster(false)} />}
        <table className="table small" data-testid="participants" tabIndex={0} aria-label={t('Participants')}>
          <thead>
            <tr>
              <th>{t('Organisation')}</th>
              <th>{t('Maximum')}</th>
              <th>{t('Default')}</th>
            </tr>
          </thead>
          <tbody>
            {event.participants.map((p) => (
              <tr key={p.orgId}>
                <td>{p.orgName}</td>
                <td>{p.maxClearance}</td>
                <td>{p.defaultClearance}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {event.members.length > 0 && (
          <table className="table small" tabIndex={0} aria-label={t('Members')}>
            <thead>
              <tr>
                <th>{t('Member')}</th>
                <th>{t('Event role')}</th>
                <th>{t('Organisation')}</th>
                <th>{t('Clearance')}</th>
              </tr>
            </thead>
            <tbody>
              {event.members.map((m) => (
                <tr key={m.userId}>
                  <td>{m.displayName}</td>
                  <td>{m.eventRole}</td>
                  <td>{orgName(m.orgId)}</td>
                  <td>{m.clearance}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

function DrawForm({
  eventId,
  view,
  drawing,
  setDrawing,
  act,
}: {
  eventId: string;
  view: EventView;
  drawing: [number, number][] | null;
  setDrawing: (d: [number, number][] | null) => void;
  act: (fn: () => Promise<unknown>) => Promise<boolean>;
}) {
  const t = useT();
  const [kind, setKind] = useState<string>('zone');
  const [name, setName] = useState('');
  const [share, setShare] = useState<Share>({ minClearance: 1, sharedWith: null });
  const type = GEOMETRY[kind]!;
  const pts = drawing ?? [];
  const enough = type === 'Point' ? pts.length >= 1 : type === 'LineString' ? pts.length >= 2 : pts.length >= 3;
  const geometry = (): unknown =>
    type === 'Point'
      ? { type, coordinates: pts[pts.length - 1] }
      : type === 'LineString'
        ? { type, coordinates: pts }
        : { type, coordinates: [[...pts, pts[0]]] };
  const save = async (): Promise<void> => {
    if (await act(() => api(`/api/events/${eventId}/features`, { body: { kind, name, geometry: geometry(), ...share } }))) {
      setDrawing(null);
      setName('');
    }
  };
  return (
    <div className="draw-form row" data-testid="draw-form">
      {drawing === null ? (
        <button onClick={() => setDrawing([])} data-testid="draw-start">
          {t('Draw on the map')}
        </button>
      ) : (
        <>
          <select aria-label={t('Kind')} value={kind} onChange={(e) => setKind(e.target.value)}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`kind:${k}`)}
              </option>
            ))}
          </select>
          <input aria-label={t('Feature name')} placeholder={t('Feature name')} value={name} onChange={(e) => setName(e.target.value)} />
          <span className="muted small" data-testid="draw-points">
            {pts.length} {t('points — place them on the map')}
          </span>
          <ShareChooser name="feature" participants={view.event.participants} maxLevel={view.me.level} value={share} onChange={setShare} />
          <button disabled={!enough || !name.trim()} onClick={() => void save()} data-testid="draw-save">
            {t('Save feature')}
          </button>
          <button onClick={() => setDrawing(pts.slice(0, -1))} disabled={pts.length === 0}>
            {t('Undo point')}
          </button>
          <button onClick={() => setDrawing(null)}>{t('Cancel')}</button>
        </>
      )}
    </div>
  );
}

function GuidancePanel({
  me,
  view,
  act,
  drawing,
}: {
  me: Me;
  view: EventView;
  act: (fn: () => Promise<unknown>) => Promise<boolean>;
  drawing: [number, number][] | null;
}) {
  const t = useT();
  const time = useTime();
  const id = view.event.eventId;
  const points = view.features.filter((f) => f.geometry.type === 'Point');
  const [instruction, setInstruction] = useState('');
  const [to, setTo] = useState<string[]>([]);
  const [from, setFrom] = useState('');
  const [dest, setDest] = useState('');
  const [profile, setProfile] = useState<'foot' | 'car'>('foot');
  const pointOf = (fid: string): [number, number] => view.features.find((f) => f.featureId === fid)!.geometry.coordinates as [number, number];
  const push = async (useDrawn: boolean): Promise<void> => {
    const body = {
      instruction,
      toOrgIds: to,
      ...(useDrawn ? { line: { type: 'LineString', coordinates: drawing } } : { route: { profile, from: pointOf(from), to: pointOf(dest) } }),
    };
    if (await act(() => api(`/api/events/${id}/guidance`, { body }))) setInstruction('');
  };
  const mine = (g: GuidanceView): boolean => (me.userId !== null && g.toUserIds.includes(me.userId)) || (me.orgId !== null && g.toOrgIds.includes(me.orgId));
  return (
    <section className="panel" data-testid="guidance-panel">
      <h3>{t('Guidance')}</h3>
      {view.guidance.length === 0 && <p className="muted small">{t('No guidance.')}</p>}
      {view.guidance
        .slice()
        .reverse()
        .map((g) => {
          const acked = g.acks.some((a) => a.userId === me.userId);
          return (
            <div key={g.guidanceId} className="guidance-item" data-testid="guidance-item">
              <strong>{g.instruction}</strong>
              <div className="muted small">
                {g.sender} · {time(g.at, 'time')} · {t(`source:${g.source}`)}
                {g.distanceM !== null ? ` · ${g.distanceM} m, ${Math.round((g.durationS ?? 0) / 60)} min` : ''} · {t('to')}{' '}
                {g.toOrgIds.map((o) => view.event.participants.find((p) => p.orgId === o)?.orgName ?? o).join(', ')}
              </div>
              {mine(g) &&
                (acked ? (
                  <span className="badge ok" data-testid="guidance-acked">
                    {t('Acknowledged')}
                  </span>
                ) : (
                  <button
                    className="big"
                    data-testid="guidance-ack"
                    onClick={() => void act(() => api(`/api/events/${id}/guidance/${g.guidanceId}/ack`, { method: 'POST' }))}
                  >
                    {t('Acknowledge')}
                  </button>
                ))}
              {!mine(g) && (
                <div className="small" data-testid="guidance-acks">
                  {t('Acknowledged by')}: {g.acks.length === 0 ? '—' : g.acks.map((a) => `${a.displayName} (${time(a.at, 'time')})`).join(', ')}
                </div>
              )}
            </div>
          );
        })}
      {view.me.canPushGuidance && (
        <div className="guidance-form">
          <input aria-label={t('Instruction')} placeholder={t('Instruction')} value={instruction} onChange={(e) => setInstruction(e.target.value)} />
          <div className="row">
            <span className="muted small">{t('Send to')}:</span>
            {view.event.participants.map((p) => (
              <label key={p.orgId} className="small">
                <input
                  type="checkbox"
                  aria-label={t('guidance to {org}').replace('{org}', p.orgName)}
                  checked={to.includes(p.orgId)}
                  onChange={(e) => setTo(e.target.checked ? [...to, p.orgId] : to.filter((o) => o !== p.orgId))}
                />{' '}
                {p.orgName}
              </label>
            ))}
          </div>
          <div className="row">
            <select aria-label={t('Route from')} value={from} onChange={(e) => setFrom(e.target.value)}>
              <option value="">{t('Route from…')}</option>
              {points.map((f) => (
                <option key={f.featureId} value={f.featureId}>
                  {f.name}
                </option>
              ))}
            </select>
            <select aria-label={t('Route to')} value={dest} onChange={(e) => setDest(e.target.value)}>
              <option value="">{t('Route to…')}</option>
              {points.map((f) => (
                <option key={f.featureId} value={f.featureId}>
                  {f.name}
                </option>
              ))}
            </select>
            <select aria-label={t('Profile')} value={profile} onChange={(e) => setProfile(e.target.value as 'foot' | 'car')}>
              <option value="foot">{t('on foot')}</option>
              <option value="car">{t('by car')}</option>
            </select>
            <button data-testid="guidance-push" disabled={!instruction.trim() || to.length === 0 || !from || !dest} onClick={() => void push(false)}>
              {t('Push route and instruction')}
            </button>
            <button disabled={!instruction.trim() || to.length === 0 || (drawing?.length ?? 0) < 2} onClick={() => void push(true)}>
              {t('Push the drawn line')}
            </button>
          </div>
        </div>
      )}
    </section>
  );
}

function MessagesPanel({
  view,
  act,
  linkLabel,
  openLink,
  orgName,
}: {
  view: EventView;
  act: (fn: () => Promise<unknown>) => Promise<boolean>;
  linkLabel: (l: EntityLink) => string;
  openLink: (l: EntityLink) => void;
  orgName: (o: string) => string;
}) {
  const t = useT();
  const time = useTime();
  const [text, setText] = useState('');
  const [link, setLink] = useState('');
  const [share, setShare] = useState<Share>({ minClearance: 1, sharedWith: null });
  const post = async (): Promise<void> => {
    const [kind, lid] = link.split(':');
    if (await act(() => api(`/api/events/${view.event.eventId}/messages`, { body: { text, ...share, links: link ? [{ kind, id: lid }] : [] } }))) {
      setText('');
      setLink('');
    }
  };
  return (
    <section className="panel" data-testid="messages-panel">
      <h3>{t('Messages')}</h3>
      {view.messages.map((m) => (
        <div key={m.messageId} id={`msg-${m.messageId}`} className="message" data-testid="event-message">
          <span className="muted small">
            {time(m.at, 'time')} · {m.author} · ≥ {m.minClearance}
            {m.sharedWith ? ` · ${m.sharedWith.map(orgName).join(', ')}` : ''}
          </span>
          <div>
            {m.text}{' '}
            {m.links.map((l) => (
              <button key={`${l.kind}:${l.id}`} className="link" data-testid="message-link" title={`${l.kind}:${l.id}`} onClick={() => openLink(l)}>
                ↗ {linkLabel(l)}
              </button>
            ))}
          </div>
        </div>
      ))}
      <div className="row">
        <input aria-label={t('Message')} placeholder={t('Message')} value={text} onChange={(e) => setText(e.target.value)} />
        <select aria-label={t('Link')} value={link} onChange={(e) => setLink(e.target.value)}>
          <option value="">{t('Link to…')}</option>
          {view.features.map((f) => (
            <option key={f.featureId} value={`feature:${f.featureId}`}>
              {t(`kind:${f.kind}`)}: {f.name}
            </option>
          ))}
          {view.uploads.map((u) => (
            <option key={u.uploadId} value={`upload:${u.uploadId}`}>
              {t(`upload:${u.kind}`)}: {u.name}
            </option>
          ))}
        </select>
        <button disabled={!text.trim()} onClick={() => void post()}>
          {t('Send')}
        </button>
      </div>
      <ShareChooser name="message" participants={view.event.participants} maxLevel={view.me.level} value={share} onChange={setShare} />
    </section>
  );
}

function UploadsPanel({ view, act, orgName }: { view: EventView; act: (fn: () => Promise<unknown>) => Promise<boolean>; orgName: (o: string) => string }) {
  const t = useT();
  const id = view.event.eventId;
  const [name, setName] = useState('');
  const [text, setText] = useState('');
  const [share, setShare] = useState<Share>({ minClearance: 2, sharedWith: null });
  const canUpload = view.me.level >= 2;
  const query = (): string => `minClearance=${share.minClearance}${(share.sharedWith ?? []).map((o) => `&sharedWith=${encodeURIComponent(o)}`).join('')}`;
  const file = async (f: File | undefined): Promise<void> => {
    if (!f) return;
    if (f.name.endsWith('.json') || f.name.endsWith('.geojson')) {
      const layer = JSON.parse(await f.text()) as unknown;
      await act(() => api(`/api/events/${id}/layers`, { body: { name: f.name, layer, ...share } }));
    } else {
      await act(() => api(`/api/events/${id}/photos?name=${encodeURIComponent(f.name)}&${query()}`, { raw: f, contentType: f.type }));
    }
  };
  return (
    <section className="panel" data-testid="uploads-panel">
      <h3>{t('Notes, photos and layers')}</h3>
      {view.uploads.map((u) => (
        <div key={u.uploadId} className="upload" data-testid="event-upload">
          <strong>{u.name}</strong>{' '}
          <span className="muted small">
            {t(`upload:${u.kind}`)} · {u.author} · ≥ {u.minClearance} · {u.sharedWith ? u.sharedWith.map(orgName).join(', ') : t('every participant')}
          </span>
          {u.kind === 'note' && <p className="note-text">{u.text}</p>}
          {u.kind === 'photo' && <img src={`/api/events/uploads/${u.uploadId}`} alt={u.name} className="upload-photo" />}
          {u.kind === 'layer' && (
            <a href={`/api/events/uploads/${u.uploadId}`} target="_blank" rel="noreferrer">
              {u.features} {t('features')}
            </a>
          )}
        </div>
      ))}
      {canUpload && (
        <>
          <div className="row">
            <input aria-label={t('Note title')} placeholder={t('Note title')} value={name} onChange={(e) => setName(e.target.value)} />
            <input aria-label={t('Note text')} placeholder={t('Note text')} value={text} onChange={(e) => setText(e.target.value)} />
            <button
              disabled={!name.trim() || !text.trim()}
              data-testid="note-share"
              onClick={() =>
                void act(() => api(`/api/events/${id}/notes`, { body: { name, text, ...share } })).then((ok) => {
                  if (ok) {
                    setName('');
                    setText('');
                  }
                })
              }
            >
              {t('Share note')}
            </button>
            <label className="small">
              {t('Photo or GeoJSON layer')} <input type="file" accept="image/jpeg,image/png,.json,.geojson" onChange={(e) => void file(e.target.files?.[0])} />
            </label>
          </div>
          <ShareChooser name="upload" participants={view.event.participants} maxLevel={view.me.level} value={share} onChange={setShare} />
        </>
      )}
    </section>
  );
}
