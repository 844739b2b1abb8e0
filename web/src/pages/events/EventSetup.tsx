import { useEffect, useState } from 'react';
import { api } from '../../api.js';
import { useT } from '../../i18n.js';
import type { MajorEvent } from './types.js';
import { errorText } from '../../errors.js';

interface Org {
  id: string;
  name: string;
}
interface Row {
  orgId: string;
  maxClearance: number;
  defaultClearance: number;
}
interface MemberRow {
  username: string;
  eventRole: string;
  clearance: number;
}

const LEVELS = [1, 2, 3, 4] as const;
const LEVEL_NAMES: Record<number, string> = { 1: 'public-info', 2: 'staff', 3: 'officer', 4: 'command' };

function useOrgs(): Org[] {
  const [orgs, setOrgs] = useState<Org[]>([]);
  useEffect(
    () =>
      void api<{ orgs: Org[] }>('/api/identity/orgs').then(
        (r) => setOrgs(r.orgs),
        () => {},
      ),
    [],
  );
  return orgs;
}

function LevelSelect({ label, value, onChange }: { label: string; value: number; onChange: (v: number) => void }) {
  const t = useT();
  return (
    <select aria-label={label} value={value} onChange={(e) => onChange(Number(e.target.value))}>
      {LEVELS.map((l) => (
        <option key={l} value={l}>
          {l} · {t(`level:${LEVEL_NAMES[l]}`)}
        </option>
      ))}
    </select>
  );
}

/** The organisations taking part and the named members, as the commander sets them; the same rows serve creating and editing. */
function RosterRows({
  orgs,
  rows,
  setRows,
  members,
  setMembers,
}: {
  orgs: Org[];
  rows: Row[];
  setRows: (r: Row[]) => void;
  members: MemberRow[];
  setMembers: (m: MemberRow[]) => void;
}) {
  const t = useT();
  const [adding, setAdding] = useState('');
  const [member, setMember] = useState<MemberRow>({ username: '', eventRole: '', clearance: 2 });
  const nameOf = (id: string): string => orgs.find((o) => o.id === id)?.name ?? id;
  return (
    <>
      <table className="table small" data-testid="roster-orgs">
        <thead>
          <tr>
            <th>{t('Organisation')}</th>
            <th>{t('Maximum')}</th>
            <th>{t('Default')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={r.orgId}>
              <td>{nameOf(r.orgId)}</td>
              <td>
                <LevelSelect
                  label={t('Maximum clearance of {org}').replace('{org}', nameOf(r.orgId))}
                  value={r.maxClearance}
                  onChange={(v) => setRows(rows.map((x, j) => (j === i ? { ...x, maxClearance: v, defaultClearance: Math.min(x.defaultClearance, v) } : x)))}
                />
              </td>
              <td>
                <LevelSelect
                  label={t('Default clearance of {org}').replace('{org}', nameOf(r.orgId))}
                  value={r.defaultClearance}
                  onChange={(v) => setRows(rows.map((x, j) => (j === i ? { ...x, defaultClearance: Math.min(v, x.maxClearance) } : x)))}
                />
              </td>
              <td>
                <button className="link" onClick={() => setRows(rows.filter((_, j) => j !== i))}>
                  {t('Remove')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="row">
        <select aria-label={t('Organisation to add')} value={adding} onChange={(e) => setAdding(e.target.value)}>
          <option value="">{t('Add an organisation…')}</option>
          {orgs
            .filter((o) => !rows.some((r) => r.orgId === o.id))
            .map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
        </select>
        <button
          disabled={!adding}
          onClick={() => {
            setRows([...rows, { orgId: adding, maxClearance: 2, defaultClearance: 1 }]);
            setAdding('');
          }}
        >
          {t('Add organisation')}
        </button>
      </p>
      <table className="table small" data-testid="roster-members">
        <thead>
          <tr>
            <th>{t('Member')}</th>
            <th>{t('Event role')}</th>
            <th>{t('Clearance')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {members.map((m, i) => (
            <tr key={m.username}>
              <td>{m.username}</td>
              <td>{m.eventRole}</td>
              <td>
                {m.clearance} · {t(`level:${LEVEL_NAMES[m.clearance]}`)}
              </td>
              <td>
                <button className="link" onClick={() => setMembers(members.filter((_, j) => j !== i))}>
                  {t('Remove')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="row">
        <input
          aria-label={t('Member username')}
          placeholder={t('username')}
          value={member.username}
          onChange={(e) => setMember({ ...member, username: e.target.value.trim() })}
        />
        <input
          aria-label={t('Member event role')}
          placeholder={t('role in the event')}
          value={member.eventRole}
          onChange={(e) => setMember({ ...member, eventRole: e.target.value })}
        />
        <LevelSelect label={t('Member clearance')} value={member.clearance} onChange={(v) => setMember({ ...member, clearance: v })} />
        <button
          disabled={!member.username || !member.eventRole.trim()}
          onClick={() => {
            setMembers([...members.filter((m) => m.username !== member.username), member]);
            setMember({ username: '', eventRole: '', clearance: 2 });
          }}
        >
          {t('Add member')}
        </button>
      </p>
    </>
  );
}

const localInput = (d: Date): string => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

/** A commander creates an event owned by their organisation: name, window, who takes part at which level. */
export function NewEventForm({ onCreated, onCancel }: { onCreated: (eventId: string) => void; onCancel: () => void }) {
  const t = useT();
  const orgs = useOrgs();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [startsAt, setStartsAt] = useState(() => localInput(new Date()));
  const [endsAt, setEndsAt] = useState(() => localInput(new Date(Date.now() + 6 * 3_600_000)));
  const [rows, setRows] = useState<Row[]>([]);
  const [members, setMembers] = useState<MemberRow[]>([]);
  const [error, setError] = useState<string | null>(null);
  const create = async (): Promise<void> => {
    setError(null);
    try {
      const r = await api<{ event: MajorEvent }>('/api/events', {
        body: { name, description, startsAt: new Date(startsAt).toISOString(), endsAt: new Date(endsAt).toISOString(), participants: rows, members },
      });
      onCreated(r.event.eventId);
    } catch (e) {
      setError(errorText(t, e));
    }
  };
  return (
    <section className="panel" data-testid="new-event">
      <h2>{t('New major event')}</h2>
      <p className="row">
        <input aria-label={t('Event name')} placeholder={t('Name')} value={name} onChange={(e) => setName(e.target.value)} style={{ minWidth: 260 }} />
        <label>
          {t('From')} <input type="datetime-local" aria-label={t('Event starts')} value={startsAt} onChange={(e) => setStartsAt(e.target.value)} />
        </label>
        <label>
          {t('Until')} <input type="datetime-local" aria-label={t('Event ends')} value={endsAt} onChange={(e) => setEndsAt(e.target.value)} />
        </label>
      </p>
      <textarea
        aria-label={t('Event description')}
        placeholder={t('Description')}
        value={description}
        onChange={(e) => setDescription(e.target.value)}
        style={{ width: '100%' }}
      />
      <h3>{t('Participants and clearances')}</h3>
      <p className="muted small">
        {t(
          'Your organisation runs the event; you take part at command level. Add the organisations that take part, the highest level any of their people may act at, and the level of those not named.',
        )}
      </p>
      <RosterRows orgs={orgs} rows={rows} setRows={setRows} members={members} setMembers={setMembers} />
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <p className="row">
        <button disabled={!name.trim() || !startsAt || !endsAt} onClick={() => void create()} data-testid="create-event">
          {t('Create event')}
        </button>
        <button className="link" onClick={onCancel}>
          {t('Cancel')}
        </button>
      </p>
    </section>
  );
}

/** The commander changes who takes part: organisations, their maximum and default levels, named members. */
export function RosterEditor({ event, act, onDone }: { event: MajorEvent; act: (fn: () => Promise<unknown>) => Promise<boolean>; onDone: () => void }) {
  const t = useT();
  const orgs = useOrgs();
  const [rows, setRows] = useState<Row[]>(() =>
    event.participants.map((p) => ({ orgId: p.orgId, maxClearance: p.maxClearance, defaultClearance: p.defaultClearance })),
  );
  const [members, setMembers] = useState<MemberRow[]>(() =>
    event.members.map((m) => ({ username: m.username, eventRole: m.eventRole, clearance: m.clearance })),
  );
  return (
    <div data-testid="roster-editor">
      <RosterRows orgs={orgs} rows={rows} setRows={setRows} members={members} setMembers={setMembers} />
      <p className="row">
        <button
          data-testid="save-roster"
          onClick={() =>
            void act(() => api(`/api/events/${event.eventId}/participants`, { method: 'PUT', body: { participants: rows, members } })).then((ok) => {
              if (ok) onDone();
            })
          }
        >
          {t('Save participants')}
        </button>
        <button className="link" onClick={onDone}>
          {t('Cancel')}
        </button>
      </p>
    </div>
  );
}
