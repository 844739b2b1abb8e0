import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, type Me, type StoredEvent } from '../api.js';
import { formatNumber, useT, useTime, withColon } from '../i18n.js';
import { INTERACTION_KIND_LABELS, RELATION_KIND_LABELS, wordFor } from '../labels.js';
import {
  CATEGORIES,
  EFFECTS,
  INTERACTION_KINDS,
  POSITIONS,
  RELATION_KINDS,
  type Category,
  type Consultation,
  type Contribution,
  type Effect,
  type Grievance,
  type LogEntry,
  type Position,
  type Quadrant,
  type Relation,
  type Stakeholder,
} from '../../../src/engagement/contract.js';
import type { NoticeStateView } from '../../../src/platform/contract.js';
import { NoticeStates } from './NoticeStates.js';
import { errorText } from '../errors.js';
import { engagementLogText } from '../engagement-log.js';

type StakeholderRow = Stakeholder & { quadrant: Quadrant; mayManage: boolean };
type ConsultationRow = Consultation & { status: string; organisation: string; contributionCount: number; mayManage: boolean };
type GrievanceRow = Omit<Grievance, 'followHash'> & {
  organisation: string;
  stakeholderName: string | null;
  contact: { name: string | null; email: string | null } | null;
  mayAct: boolean;
  hoursToAcknowledge: number | null;
  hoursToResolve: number | null;
  acknowledgeLate: boolean;
  resolveLate: boolean;
};
type ContributionRow = Omit<Contribution, 'followHash'> & {
  stakeholderName: string | null;
  contact: { name: string | null; email: string | null } | null;
  outcome: { effect: Effect; explanation: string } | null;
  notices: NoticeStateView[];
};
interface Overview {
  stakeholders: StakeholderRow[];
  relations: Relation[];
  consultations: ConsultationRow[];
  grievances: GrievanceRow[];
  figures: {
    stakeholders: number;
    openConsultations: number;
    openGrievances: number;
    medianHoursToAcknowledge: number | null;
    medianHoursToResolve: number | null;
    grievancesLate: number;
  };
}

const CATEGORY_TEXT: Record<Category, string> = {
  active: 'Active',
  beneficiary: 'Beneficiary',
  affected: 'Affected',
  'technology-enabler': 'Enabler of technology',
  'city-enabler': 'Enabler of the city',
};
const QUADRANT_TEXT: Record<Quadrant, string> = {
  'manage-closely': 'Manage closely',
  'keep-satisfied': 'Keep satisfied',
  'keep-informed': 'Keep informed',
  monitor: 'Monitor',
};
const EFFECT_TEXT: Record<Effect, string> = {
  adopted: 'Adopted',
  'partly-adopted': 'Partly adopted',
  'considered-not-adopted': 'Considered, not adopted',
  'out-of-scope': 'Outside the question',
};
const POSITION_TEXT: Record<Position, string> = { support: 'For', oppose: 'Against', mixed: 'Mixed', 'no-opinion': 'No opinion' };
const STATUS_TEXT: Record<string, string> = {
  draft: 'Draft',
  published: 'Published, not open yet',
  open: 'Open',
  closed: 'Closed',
  decided: 'Decided',
  received: 'Received',
  acknowledged: 'Acknowledged',
  resolved: 'Resolved',
};

const localInput = (ms: number): string => {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
};

/** Stakeholders (Table I.1 of ITU-T Y Suppl. 34), the influence / interest matrix and interaction map, consultations and grievances. */
export function EngagementPage({ recent }: { me: Me; recent: StoredEvent[] }) {
  const t = useT();
  const [tab, setTab] = useState<'registry' | 'consultations' | 'grievances'>('registry');
  const [data, setData] = useState<Overview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setData(await api<Overview>('/api/engagement'));
    } catch (e) {
      setError(errorText(t, e));
    }
  }, [t]);
  useEffect(() => void load(), [load]);
  // The live list is newest first: the newest engagement event reloads the page's data.
  const lastSeq = recent.find((e) => e.type.startsWith('engagement.'))?.seq;
  useEffect(() => {
    if (lastSeq !== undefined) void load();
  }, [lastSeq, load]);
  const run = async (f: () => Promise<unknown>): Promise<boolean> => {
    setError(null);
    try {
      await f();
      await load();
      return true;
    } catch (e) {
      setError(errorText(t, e));
      return false;
    }
  };

  return (
    <div className="engagement-page" data-testid="engagement-page">
      <h1>{t('Engagement')}</h1>
      {data && (
        <p className="figures" data-testid="engagement-figures">
          {withColon(t, t('Stakeholders'))}
          <strong>{data.figures.stakeholders}</strong> · {withColon(t, t('Open consultations'))}
          <strong>{data.figures.openConsultations}</strong> · {withColon(t, t('Open grievances'))}
          <strong>{data.figures.openGrievances}</strong> ({withColon(t, t('late'))}
          {data.figures.grievancesLate}) · {withColon(t, t('Median time to acknowledge'))}
          <strong>
            {data.figures.medianHoursToAcknowledge === null ? '—' : `${formatNumber(data.figures.medianHoursToAcknowledge, { fixed: 1 })} h`}
          </strong> · {withColon(t, t('Median time to resolve'))}
          <strong>{data.figures.medianHoursToResolve === null ? '—' : `${formatNumber(data.figures.medianHoursToResolve, { fixed: 1 })} h`}</strong>
        </p>
      )}
      <div className="tabs" role="tablist">
        {(
          [
            ['registry', 'Stakeholders'],
            ['consultations', 'Consultations'],
            ['grievances', 'Grievances'],
          ] as const
        ).map(([k, label]) => (
          <button key={k} role="tab" aria-selected={tab === k} className={tab === k ? 'active' : ''} onClick={() => setTab(k)}>
            {t(label)}
          </button>
        ))}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {data && tab === 'registry' && <Registry data={data} run={run} />}
      {data && tab === 'consultations' && <Consultations data={data} run={run} />}
      {data && tab === 'grievances' && <Grievances data={data} run={run} />}
    </div>
  );
}

type Run = (f: () => Promise<unknown>) => Promise<boolean>;

function Registry({ data, run }: { data: Overview; run: Run }) {
  const t = useT();
  const time = useTime();
  const [selected, setSelected] = useState<string | null>(null);
  const [log, setLog] = useState<LogEntry[]>([]);
  const [kind, setKind] = useState<(typeof INTERACTION_KINDS)[number]>('meeting');
  const [summary, setSummary] = useState('');
  const byId = useMemo(() => new Map(data.stakeholders.map((s) => [s.stakeholderId, s])), [data.stakeholders]);
  const chosen = selected ? byId.get(selected) : undefined;
  useEffect(() => {
    if (!selected) return;
    api<{ log: LogEntry[] }>(`/api/engagement/stakeholders/${selected}/log`).then(
      (r) => setLog(r.log),
      () => setLog([]),
    );
  }, [selected, data]);
  return (
    <div className="engagement-registry">
      <div className="engagement-charts">
        <figure>
          <figcaption>{t('Influence / interest matrix')}</figcaption>
          <Matrix stakeholders={data.stakeholders} selected={selected} onSelect={setSelected} />
          <ol className="matrix-legend">
            {data.stakeholders.map((s) => (
              <li key={s.stakeholderId}>
                <button className={`link ${selected === s.stakeholderId ? 'selected' : ''}`} onClick={() => setSelected(s.stakeholderId)}>
                  {s.name}
                </button>
              </li>
            ))}
          </ol>
        </figure>
        <figure>
          <figcaption>{t('Interaction map')}</figcaption>
          <InteractionMap stakeholders={data.stakeholders} relations={data.relations} selected={selected} onSelect={setSelected} />
        </figure>
      </div>
      <table className="engagement-table" data-testid="stakeholder-table">
        <thead>
          <tr>
            <th>{t('Stakeholder')}</th>
            <th>{t('Scale and sector')}</th>
            <th>{t('Categories')}</th>
            <th>{t('Influence')}</th>
            <th>{t('Interest')}</th>
            <th>{t('Strategy')}</th>
          </tr>
        </thead>
        <tbody>
          {data.stakeholders.map((s) => (
            <tr key={s.stakeholderId} className={selected === s.stakeholderId ? 'selected' : ''} data-testid="stakeholder-row">
              <td>
                <button className="link" onClick={() => setSelected(s.stakeholderId)}>
                  {s.name}
                </button>
                <div className="muted small">
                  {s.kind === 'representative' ? (s.capacity ?? t('Representative')) : t(s.kind === 'group' ? 'Group' : 'Organisation')}
                </div>
              </td>
              <td>
                {t(`scale:${s.scale}`)} · {t(`sector:${s.sector}`)}
              </td>
              <td>
                {s.categories.map((c) => t(CATEGORY_TEXT[c])).join(', ')}
                {s.stance ? ` (${t(s.stance === 'supporter' ? 'supporter' : s.stance === 'opponent' ? 'opponent' : 'neutral')})` : ''}
              </td>
              <td>{s.influence}</td>
              <td>{s.interest}</td>
              <td>{t(QUADRANT_TEXT[s.quadrant])}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {chosen && (
        <section className="engagement-detail" data-testid="stakeholder-detail">
          <h2>{chosen.name}</h2>
          <dl className="dimensions">
            {(
              [
                ['aims', 'Aims'],
                ['challenges', 'Challenges'],
                ['potential', 'Potential'],
                ['constraints', 'Constraints'],
                ['role', 'Role'],
                ['contributions', 'Contributions'],
              ] as const
            ).map(([k, label]) => (
              <div key={k}>
                <dt>{t(label)}</dt>
                <dd>{chosen.dimensions[k] || '—'}</dd>
              </div>
            ))}
          </dl>
          <h3>{t('Engagement log')}</h3>
          <ol className="engagement-log" data-testid="engagement-log">
            {log.map((e, i) => (
              <li key={i}>
                <span className="muted small">{time(e.at)}</span> · {engagementLogText(t, e)}
              </li>
            ))}
          </ol>
          {chosen.mayManage && (
            <form
              className="row"
              onSubmit={(ev) => {
                ev.preventDefault();
                void run(() => api(`/api/engagement/stakeholders/${chosen.stakeholderId}/log`, { body: { kind, summary } })).then((ok) => ok && setSummary(''));
              }}
            >
              <label>
                {t('Interaction')}
                <select value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
                  {INTERACTION_KINDS.map((k) => (
                    <option key={k} value={k}>
                      {wordFor(t, INTERACTION_KIND_LABELS, k)}
                    </option>
                  ))}
                </select>
              </label>
              <label className="grow">
                {t('What was discussed')}
                <input value={summary} onChange={(e) => setSummary(e.target.value)} required maxLength={2000} />
              </label>
              <button type="submit">{t('Add to the log')}</button>
            </form>
          )}
        </section>
      )}
      <NewStakeholder data={data} run={run} />
    </div>
  );
}

function NewStakeholder({ data, run }: { data: Overview; run: Run }) {
  const t = useT();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'organisation' | 'group' | 'representative'>('group');
  const [parentId, setParentId] = useState('');
  const [categories, setCategories] = useState<Category[]>([]);
  const [stance, setStance] = useState<'' | 'supporter' | 'opponent' | 'neutral'>('');
  const [influence, setInfluence] = useState(3);
  const [interest, setInterest] = useState(3);
  const [relation, setRelation] = useState<{ toId: string; kind: (typeof RELATION_KINDS)[number] }>({ toId: '', kind: 'partners-with' });
  return (
    <details className="engagement-new">
      <summary>{t('Register a stakeholder')}</summary>
      <form
        onSubmit={(ev) => {
          ev.preventDefault();
          void run(async () => {
            const r = await api<{ stakeholder: Stakeholder }>('/api/engagement/stakeholders', {
              body: {
                name,
                kind,
                parentId: kind === 'representative' ? parentId || null : null,
                capacity: null,
                scale: 'city',
                sector: 'civil-society',
                categories,
                stance: stance || null,
                influence,
                interest,
                dimensions: { aims: '', challenges: '', potential: '', constraints: '', role: '', contributions: '' },
              },
            });
            if (relation.toId)
              await api('/api/engagement/relations', { body: { fromId: r.stakeholder.stakeholderId, toId: relation.toId, kind: relation.kind } });
          }).then((ok) => ok && setName(''));
        }}
      >
        <label>
          {t('Name')} <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
        </label>
        <label>
          {t('Kind')}
          <select value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
            <option value="organisation">{t('Organisation')}</option>
            <option value="group">{t('Group')}</option>
            <option value="representative">{t('Representative')}</option>
          </select>
        </label>
        {kind === 'representative' && (
          <label>
            {t('Represents')}
            <select value={parentId} onChange={(e) => setParentId(e.target.value)} required>
              <option value="" />
              {data.stakeholders
                .filter((s) => s.kind !== 'representative' && s.mayManage)
                .map((s) => (
                  <option key={s.stakeholderId} value={s.stakeholderId}>
                    {s.name}
                  </option>
                ))}
            </select>
          </label>
        )}
        <fieldset>
          <legend>{t('Categories')}</legend>
          {CATEGORIES.map((c) => (
            <label key={c} className="check">
              <input
                type="checkbox"
                checked={categories.includes(c)}
                onChange={(e) => setCategories(e.target.checked ? [...categories, c] : categories.filter((x) => x !== c))}
              />{' '}
              {t(CATEGORY_TEXT[c])}
            </label>
          ))}
        </fieldset>
        {categories.includes('affected') && (
          <label>
            {t('Stance')}
            <select value={stance} onChange={(e) => setStance(e.target.value as typeof stance)}>
              <option value="" />
              <option value="supporter">{t('supporter')}</option>
              <option value="opponent">{t('opponent')}</option>
              <option value="neutral">{t('neutral')}</option>
            </select>
          </label>
        )}
        <label>
          {t('Influence')} <input type="number" min={1} max={5} value={influence} onChange={(e) => setInfluence(Number(e.target.value))} />
        </label>
        <label>
          {t('Interest')} <input type="number" min={1} max={5} value={interest} onChange={(e) => setInterest(Number(e.target.value))} />
        </label>
        <label>
          {t('Related to')}
          <select value={relation.toId} onChange={(e) => setRelation({ ...relation, toId: e.target.value })}>
            <option value="" />
            {data.stakeholders.map((s) => (
              <option key={s.stakeholderId} value={s.stakeholderId}>
                {s.name}
              </option>
            ))}
          </select>
          <select aria-label={t('Relation')} value={relation.kind} onChange={(e) => setRelation({ ...relation, kind: e.target.value as typeof relation.kind })}>
            {RELATION_KINDS.map((k) => (
              <option key={k} value={k}>
                {wordFor(t, RELATION_KIND_LABELS, k)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">{t('Register')}</button>
      </form>
    </details>
  );
}

const QUAD_FILL: Record<Quadrant, string> = { 'manage-closely': '#fee4e2', 'keep-satisfied': '#fef0c7', 'keep-informed': '#d1e9ff', monitor: '#f2f4f7' };

/** Influence (up) against interest (right), 1–5, in the four quadrants. */
function Matrix({ stakeholders, selected, onSelect }: { stakeholders: StakeholderRow[]; selected: string | null; onSelect: (id: string) => void }) {
  const t = useT();
  const W = 460;
  const H = 380;
  const pad = 40;
  const x = (v: number) => pad + ((v - 0.5) / 5) * (W - pad - 8);
  const y = (v: number) => H - pad - ((v - 0.5) / 5) * (H - pad - 8);
  // Stakeholders on the same cell are fanned out a little; high is 4–5 (the quadrant's line at 3.5).
  const seen = new Map<string, number>();
  return (
    <svg viewBox={`0 0 ${W} ${H}`} className="engagement-svg" role="img" aria-label={t('Influence / interest matrix')} data-testid="matrix">
      {(
        [
          ['keep-satisfied', 0.5, 3.5, 3.5, 5.5],
          ['manage-closely', 3.5, 3.5, 5.5, 5.5],
          ['monitor', 0.5, 0.5, 3.5, 3.5],
          ['keep-informed', 3.5, 0.5, 5.5, 3.5],
        ] as const
      ).map(([q, x0, y0, x1, y1]) => (
        <g key={q}>
          <rect x={x(x0)} y={y(y1)} width={x(x1) - x(x0)} height={y(y0) - y(y1)} fill={QUAD_FILL[q]} />
          <text x={x(x0) + 6} y={y(y1) + 14} className="quad-label">
            {t(QUADRANT_TEXT[q])}
          </text>
        </g>
      ))}
      {[1, 2, 3, 4, 5].map((v) => (
        <g key={v} className="tick">
          <text x={x(v)} y={H - pad + 14} textAnchor="middle">
            {v}
          </text>
          <text x={pad - 8} y={y(v) + 4} textAnchor="end">
            {v}
          </text>
        </g>
      ))}
      <text x={W / 2} y={H - 4} textAnchor="middle" className="axis-label">
        {t('Interest')} →
      </text>
      <text x={12} y={H / 2} transform={`rotate(-90 12 ${H / 2})`} textAnchor="middle" className="axis-label">
        {t('Influence')} →
      </text>
      {stakeholders.map((s, i) => {
        const k = `${s.interest}:${s.influence}`;
        const n = seen.get(k) ?? 0;
        seen.set(k, n + 1);
        // Numbered dots, fanned out on a cell; the legend under the matrix names them.
        const cx = x(s.interest) - 16 + (n % 3) * 16;
        const cy = y(s.influence) - 8 + Math.floor(n / 3) * 16;
        return (
          <g key={s.stakeholderId} onClick={() => onSelect(s.stakeholderId)} className="dot">
            <circle cx={cx} cy={cy} r={selected === s.stakeholderId ? 9 : 7} className={`stance-${s.stance ?? 'none'}`}>
              <title>{s.name}</title>
            </circle>
            <text x={cx} y={cy + 3} textAnchor="middle" className="dot-number">
              {i + 1}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/** The stakeholders on a circle, relations as labelled arrows. */
function InteractionMap({
  stakeholders,
  relations,
  selected,
  onSelect,
}: {
  stakeholders: StakeholderRow[];
  relations: Relation[];
  selected: string | null;
  onSelect: (id: string) => void;
}) {
  const t = useT();
  const W = 680;
  const H = 380;
  const r = H / 2 - 40;
  const pos = new Map(
    stakeholders.map((s, i) => [
      s.stakeholderId,
      [
        W / 2 + r * Math.cos((2 * Math.PI * i) / stakeholders.length - Math.PI / 2),
        H / 2 + r * Math.sin((2 * Math.PI * i) / stakeholders.length - Math.PI / 2),
      ] as const,
    ]),
  );
  return (
    <svg viewBox={`0 0 ${W} ${H}`} className="engagement-svg" role="img" aria-label={t('Interaction map')} data-testid="interaction-map">
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="18" refY="5" markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" fill="#667085" />
        </marker>
      </defs>
      {relations.map((rel) => {
        const a = pos.get(rel.fromId);
        const b = pos.get(rel.toId);
        if (!a || !b) return null;
        const lit = selected === rel.fromId || selected === rel.toId;
        return (
          <g key={rel.relationId} className={`relation ${rel.kind} ${lit ? 'lit' : ''}`} data-testid="relation">
            <line x1={a[0]} y1={a[1]} x2={b[0]} y2={b[1]} markerEnd="url(#arrow)" />
            <text x={(a[0] + b[0]) / 2} y={(a[1] + b[1]) / 2 - 3} textAnchor="middle" className="relation-label">
              {wordFor(t, RELATION_KIND_LABELS, rel.kind)}
            </text>
          </g>
        );
      })}
      {stakeholders.map((s) => {
        const p = pos.get(s.stakeholderId)!;
        const right = p[0] >= W / 2;
        return (
          <g key={s.stakeholderId} onClick={() => onSelect(s.stakeholderId)} className="dot">
            <circle cx={p[0]} cy={p[1]} r={selected === s.stakeholderId ? 8 : 6} className={`kind-${s.kind}`} />
            <text x={p[0] + (right ? 10 : -10)} y={p[1] + 4} textAnchor={right ? 'start' : 'end'} className="node-label">
              {s.name.length > 30 ? `${s.name.slice(0, 29)}…` : s.name}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

function Consultations({ data, run }: { data: Overview; run: Run }) {
  const t = useT();
  const time = useTime();
  const [selected, setSelected] = useState<string | null>(null);
  const [detail, setDetail] = useState<{ consultation: ConsultationRow; contributions: ContributionRow[] } | null>(null);
  const [link, setLink] = useState<string | null>(null);
  const refresh = useCallback(async (id: string) => {
    setDetail(await api<{ consultation: ConsultationRow; contributions: ContributionRow[] }>(`/api/engagement/consultations/${id}`));
  }, []);
  useEffect(() => {
    if (selected) void refresh(selected).catch(() => setDetail(null));
  }, [selected, data, refresh]);
  const step = (path: string, body?: unknown) => run(() => api(`/api/engagement/consultations/${selected}/${path}`, { method: 'POST', body }));
  return (
    <div className="engagement-consultations">
      <table className="engagement-table" data-testid="consultation-table">
        <thead>
          <tr>
            <th>{t('Consultation')}</th>
            <th>{t('Status')}</th>
            <th>{t('Opens')}</th>
            <th>{t('Closes')}</th>
            <th>{t('Answers')}</th>
          </tr>
        </thead>
        <tbody>
          {data.consultations.map((c) => (
            <tr key={c.consultationId} className={selected === c.consultationId ? 'selected' : ''} data-testid="consultation-row">
              <td>
                <button className="link" onClick={() => setSelected(c.consultationId)}>
                  {c.title}
                </button>
              </td>
              <td data-testid="consultation-status">{t(STATUS_TEXT[c.status] ?? c.status)}</td>
              <td>{time(c.opensAt)}</td>
              <td>{time(c.closesAt)}</td>
              <td>{c.contributionCount}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {detail && (
        <section className="engagement-detail" data-testid="consultation-detail">
          <h2>
            {detail.consultation.title} · {t(STATUS_TEXT[detail.consultation.status] ?? detail.consultation.status)}
          </h2>
          <p>
            <strong>{detail.consultation.question}</strong>
          </p>
          <p className="small pre">{detail.consultation.information}</p>
          <p className="muted small">
            {t('Invited')}: {detail.consultation.invitedIds.map((id) => data.stakeholders.find((s) => s.stakeholderId === id)?.name ?? id).join(', ') || '—'}
            {detail.consultation.openToPublic ? ` · ${t('open to the public')}` : ''}
          </p>
          {detail.consultation.mayManage && (
            <div className="row">
              {detail.consultation.status === 'draft' && <button onClick={() => void step('publish')}>{t('Publish')}</button>}
              {['open', 'published'].includes(detail.consultation.status) && <button onClick={() => void step('close')}>{t('Close now')}</button>}
            </div>
          )}
          {detail.consultation.status === 'open' && detail.consultation.mayManage && (
            <StakeholderAnswer
              invited={data.stakeholders.filter((s) => detail.consultation.invitedIds.includes(s.stakeholderId))}
              onSend={(body) =>
                run(async () => {
                  const r = await api<{ followToken: string }>(`/api/engagement/consultations/${detail.consultation.consultationId}/contributions`, { body });
                  setLink(`${location.origin}/citizen?answer=${encodeURIComponent(r.followToken)}#consultations`);
                })
              }
            />
          )}
          {link && (
            <p className="ok-box small" data-testid="participant-link">
              {t('Personal link for the stakeholder (it shows them the decision and how their answer counted)')}: <code>{link}</code>
            </p>
          )}
          <h3>
            {t('Answers')} ({detail.contributions.length})
          </h3>
          {detail.consultation.decision && (
            <p className="done-box" data-testid="decision-summary">
              {t('Decision')}: {detail.consultation.decision.summary}
            </p>
          )}
          {detail.consultation.status === 'closed' && detail.consultation.mayManage ? (
            <DecisionForm contributions={detail.contributions} onDecide={(body) => step('decision', body)} />
          ) : (
            <ul className="contributions">
              {detail.contributions.map((c) => (
                <li key={c.contributionId} data-testid="contribution">
                  <strong>{c.stakeholderName ?? c.contact?.name ?? t('A member of the public')}</strong> · {t(POSITION_TEXT[c.position])} ·{' '}
                  <span className="muted small">{time(c.receivedAt)}</span>
                  <p>{c.text}</p>
                  {c.outcome && (
                    <p className="small">
                      → <strong>{t(EFFECT_TEXT[c.outcome.effect])}</strong>: {c.outcome.explanation}
                    </p>
                  )}
                  <NoticeStates notices={c.notices} testId="contribution-notices" />
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      <NewConsultation data={data} run={run} onCreated={setSelected} />
    </div>
  );
}

function StakeholderAnswer({
  invited,
  onSend,
}: {
  invited: StakeholderRow[];
  onSend: (body: { stakeholderId: string; text: string; position: Position }) => Promise<boolean>;
}) {
  const t = useT();
  const [stakeholderId, setStakeholderId] = useState('');
  const [text, setText] = useState('');
  const [position, setPosition] = useState<Position>('support');
  return (
    <form
      className="engagement-form"
      data-testid="stakeholder-answer"
      onSubmit={(ev) => {
        ev.preventDefault();
        void onSend({ stakeholderId, text, position }).then((ok) => ok && setText(''));
      }}
    >
      <h3>{t("Record a stakeholder's answer")}</h3>
      <label>
        {t('Stakeholder')}
        <select value={stakeholderId} onChange={(e) => setStakeholderId(e.target.value)} required>
          <option value="" />
          {invited.map((s) => (
            <option key={s.stakeholderId} value={s.stakeholderId}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('Position')}
        <select value={position} onChange={(e) => setPosition(e.target.value as Position)}>
          {POSITIONS.map((p) => (
            <option key={p} value={p}>
              {t(POSITION_TEXT[p])}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('Their answer')}
        <textarea value={text} onChange={(e) => setText(e.target.value)} required minLength={2} maxLength={4000} rows={3} />
      </label>
      <button type="submit">{t('Record the answer')}</button>
    </form>
  );
}

function DecisionForm({ contributions, onDecide }: { contributions: ContributionRow[]; onDecide: (body: unknown) => Promise<boolean> }) {
  const t = useT();
  const [summary, setSummary] = useState('');
  const [outcomes, setOutcomes] = useState<Record<string, { effect: Effect; explanation: string }>>({});
  const of = (id: string) => outcomes[id] ?? { effect: 'considered-not-adopted' as Effect, explanation: '' };
  return (
    <form
      className="engagement-form"
      data-testid="decision-form"
      onSubmit={(ev) => {
        ev.preventDefault();
        void onDecide({ summary, outcomes: contributions.map((c) => ({ contributionId: c.contributionId, ...of(c.contributionId) })) });
      }}
    >
      <p className="small">{t('Every answer is heard: say for each how it affected the decision. Each participant reads it.')}</p>
      <ul className="contributions">
        {contributions.map((c, i) => (
          <li key={c.contributionId} data-testid="decision-item">
            <strong>{c.stakeholderName ?? c.contact?.name ?? t('A member of the public')}</strong> · {t(POSITION_TEXT[c.position])}
            <p>{c.text}</p>
            <label>
              {t('Effect on the decision')}
              <select
                data-testid={`effect-${i}`}
                value={of(c.contributionId).effect}
                onChange={(e) => setOutcomes({ ...outcomes, [c.contributionId]: { ...of(c.contributionId), effect: e.target.value as Effect } })}
              >
                {EFFECTS.map((e) => (
                  <option key={e} value={e}>
                    {t(EFFECT_TEXT[e])}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('How it counted')}
              <input
                data-testid={`explanation-${i}`}
                value={of(c.contributionId).explanation}
                onChange={(e) => setOutcomes({ ...outcomes, [c.contributionId]: { ...of(c.contributionId), explanation: e.target.value } })}
                required
                maxLength={2000}
              />
            </label>
          </li>
        ))}
      </ul>
      <label>
        {t('Decision')}
        <textarea value={summary} onChange={(e) => setSummary(e.target.value)} required maxLength={4000} rows={2} />
      </label>
      <button type="submit">{t('Record the decision')}</button>
    </form>
  );
}

function NewConsultation({ data, run, onCreated }: { data: Overview; run: Run; onCreated: (id: string) => void }) {
  const t = useT();
  const [title, setTitle] = useState('');
  const [question, setQuestion] = useState('');
  const [information, setInformation] = useState('');
  const [invited, setInvited] = useState<string[]>([]);
  const [openToPublic, setOpenToPublic] = useState(true);
  const [opensAt, setOpensAt] = useState(() => localInput(Date.now()));
  const [closesAt, setClosesAt] = useState(() => localInput(Date.now() + 14 * 86_400_000));
  return (
    <details className="engagement-new">
      <summary>{t('New consultation')}</summary>
      <form
        className="engagement-form"
        onSubmit={(ev) => {
          ev.preventDefault();
          void run(async () => {
            const r = await api<{ consultation: Consultation }>('/api/engagement/consultations', {
              body: {
                title,
                question,
                information,
                invitedIds: invited,
                openToPublic,
                opensAt: new Date(opensAt).toISOString(),
                closesAt: new Date(closesAt).toISOString(),
              },
            });
            onCreated(r.consultation.consultationId);
          });
        }}
      >
        <label>
          {t('Title')} <input value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={200} />
        </label>
        <label>
          {t('Question')} <input value={question} onChange={(e) => setQuestion(e.target.value)} required maxLength={1000} />
        </label>
        <label>
          {t('Information published before it opens')}
          <textarea value={information} onChange={(e) => setInformation(e.target.value)} required rows={4} maxLength={20000} />
        </label>
        <fieldset>
          <legend>{t('Invited stakeholders')}</legend>
          {data.stakeholders.map((s) => (
            <label key={s.stakeholderId} className="check">
              <input
                type="checkbox"
                checked={invited.includes(s.stakeholderId)}
                onChange={(e) => setInvited(e.target.checked ? [...invited, s.stakeholderId] : invited.filter((x) => x !== s.stakeholderId))}
              />{' '}
              {s.name}
            </label>
          ))}
        </fieldset>
        <label className="check">
          <input type="checkbox" checked={openToPublic} onChange={(e) => setOpenToPublic(e.target.checked)} /> {t('The public may answer in the citizen app')}
        </label>
        <div className="row">
          <label>
            {t('Opens')} <input type="datetime-local" value={opensAt} onChange={(e) => setOpensAt(e.target.value)} required />
          </label>
          <label>
            {t('Closes')} <input type="datetime-local" value={closesAt} onChange={(e) => setClosesAt(e.target.value)} required />
          </label>
        </div>
        <button type="submit">{t('Save as draft')}</button>
      </form>
    </details>
  );
}

function Grievances({ data, run }: { data: Overview; run: Run }) {
  const t = useT();
  const time = useTime();
  const [selected, setSelected] = useState<GrievanceRow | null>(null);
  const [text, setText] = useState('');
  const open = async (id: string) => {
    const r = await api<{ grievance: GrievanceRow }>(`/api/engagement/grievances/${id}`);
    setSelected(r.grievance);
    setText(r.grievance.response ?? '');
  };
  const step = (path: string, body: unknown) =>
    run(async () => {
      await api(`/api/engagement/grievances/${selected!.grievanceId}/${path}`, { method: 'POST', body });
      await open(selected!.grievanceId);
    });
  return (
    <div className="engagement-grievances">
      <p className="small muted">{t('Promise: acknowledged within 2 days, resolved within 30 days.')}</p>
      <table className="engagement-table" data-testid="grievance-table">
        <thead>
          <tr>
            <th>{t('Received')}</th>
            <th>{t('Subject')}</th>
            <th>{t('From')}</th>
            <th>{t('Status')}</th>
            <th>{t('Time to acknowledge')}</th>
            <th>{t('Time to resolve')}</th>
          </tr>
        </thead>
        <tbody>
          {data.grievances.map((g) => (
            <tr key={g.grievanceId} className={g.acknowledgeLate || g.resolveLate ? 'late' : ''} data-testid="grievance-row">
              <td>{time(g.receivedAt)}</td>
              <td>
                <button className="link" onClick={() => void open(g.grievanceId)}>
                  {g.subject}
                </button>
              </td>
              <td>{g.stakeholderName ?? t('A member of the public')}</td>
              <td>{t(STATUS_TEXT[g.status] ?? g.status)}</td>
              <td>{g.hoursToAcknowledge === null ? (g.acknowledgeLate ? t('late') : '—') : `${g.hoursToAcknowledge} h`}</td>
              <td>{g.hoursToResolve === null ? (g.resolveLate ? t('late') : '—') : `${g.hoursToResolve} h`}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {selected && (
        <section className="engagement-detail" data-testid="grievance-detail">
          <h2>
            {selected.subject} · {t(STATUS_TEXT[selected.status] ?? selected.status)}
          </h2>
          <p>{selected.text}</p>
          {selected.contact && (
            <p className="small">
              {t('Contact')}: {[selected.contact.name, selected.contact.email].filter(Boolean).join(' · ')}
            </p>
          )}
          {selected.mayAct && selected.status !== 'resolved' && (
            <div className="engagement-form">
              <label>
                {t('Answer to the complainant')}
                <textarea value={text} onChange={(e) => setText(e.target.value)} rows={3} maxLength={4000} />
              </label>
              <div className="row">
                {selected.status === 'received' && <button onClick={() => void step('acknowledge', { note: text || null })}>{t('Acknowledge')}</button>}
                <button disabled={!text.trim()} onClick={() => void step('resolve', { response: text })}>
                  {t('Resolve')}
                </button>
              </div>
            </div>
          )}
          {selected.status === 'resolved' && <p className="done-box">{selected.response}</p>}
        </section>
      )}
    </div>
  );
}
