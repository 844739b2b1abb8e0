import { useCallback, useEffect, useState } from 'react';
import { api, apiUpload, type Me, type StoredEvent } from '../api.js';
import { useNames } from '../directory.js';
import { formatNumber, useCount, useT, useTime, withColon } from '../i18n.js';
import { OBSERVABLE_TYPE_LABELS, PAP_MEANINGS, TLP_MEANINGS } from '../labels.js';
import {
  ALERT_SEVERITIES,
  CASE_RESOLUTIONS,
  MAX_ARTEFACT_BYTES,
  OBSERVABLE_TYPES,
  PAP_LEVELS,
  TLP_LEVELS,
  observableProblem,
  type Advisory,
  type CaseFinding,
  type CsirtSummary,
  type ObservableType,
  type SecurityAlert,
  type SecurityCase,
  type Sighting,
} from '../../../src/csirt/contract.js';
import type { TriageState, VexJustification } from '../../../src/device-security/contract.js';
import { TriageFields, triageReady, type TriageDraft } from '../components/TriageFields.js';
import { errorText } from '../errors.js';
import { advisoryText, alertTitle, observableNote, timelineText, withNames } from '../csirt-timeline.js';

/** `people`: display names of the usernames the case names (assignee, task owners, who did what). */
type CaseRow = Omit<SecurityCase, 'timeline'> & { orgName: string | null; people?: Record<string, string> };
type CaseView = SecurityCase & {
  orgName: string | null;
  people?: Record<string, string>;
  alerts: SecurityAlert[];
  sightings: Record<string, Sighting>;
  advisories: Advisory[];
  findings: CaseFinding[];
};

const bytes = (n: number): string => (n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`);
type Tab = 'alerts' | 'cases' | 'advisories';

const minutes = (m: number | null): string => (m === null ? '—' : m < 120 ? `${Math.round(m)} min` : `${formatNumber(m / 60, { fixed: 1 })} h`);

/** The city CSIRT desk: alert queue, cases (tasks, observables, timeline, advisories, exports); owners see and confirm what concerns them. */
export function CsirtPage({ me, recent }: { me: Me; recent: StoredEvent[] }) {
  const t = useT();
  const time = useTime();
  const name = useNames();
  const handler = me.roles.includes('csirt');
  const [tab, setTab] = useState<Tab>(handler ? 'alerts' : 'advisories');
  const [summary, setSummary] = useState<(CsirtSummary & { eventsDropped: number; maxArtefactBytes: number; artefactRetentionDays: number }) | null>(null);
  const [alerts, setAlerts] = useState<SecurityAlert[]>([]);
  const [cases, setCases] = useState<CaseRow[]>([]);
  const [advisories, setAdvisories] = useState<(Advisory & { orgName: string | null })[]>([]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [open, setOpen] = useState<CaseView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [title, setTitle] = useState('');
  const last = recent.find((e) => e.type.startsWith('csirt.'))?.seq ?? 0;

  const load = useCallback(async () => {
    try {
      const [s, a, c, v] = await Promise.all([
        api<{ summary: CsirtSummary & { eventsDropped: number; maxArtefactBytes: number; artefactRetentionDays: number } }>('/api/csirt/summary'),
        api<{ alerts: SecurityAlert[] }>('/api/csirt/alerts'),
        api<{ cases: CaseRow[] }>('/api/csirt/cases'),
        api<{ advisories: (Advisory & { orgName: string | null })[] }>('/api/csirt/advisories'),
      ]);
      setSummary(s.summary);
      setAlerts(a.alerts);
      setCases(c.cases);
      setAdvisories(v.advisories);
      setError(null);
    } catch (e) {
      setError(errorText(t, e));
    }
  }, [t]);
  useEffect(() => void load(), [load, last]);
  // A link from a finding (Device security) opens its case: /csirt?case=<id>.
  useEffect(() => {
    const caseId = new URLSearchParams(window.location.search).get('case');
    if (!caseId) return;
    setTab('cases');
    api<{ case: CaseView }>(`/api/csirt/cases/${encodeURIComponent(caseId)}`).then(
      (r) => setOpen(r.case),
      (e: unknown) => setError(errorText(t, e)),
    );
  }, [t]);

  const run = async (f: () => Promise<unknown>): Promise<void> => {
    try {
      await f();
      setError(null);
      await load();
    } catch (e) {
      setError(errorText(t, e));
    }
  };
  const show = (caseId: string) => run(async () => setOpen((await api<{ case: CaseView }>(`/api/csirt/cases/${caseId}`)).case));
  const onCase = (r: { case: CaseView }) => setOpen(r.case);

  const openCase = () =>
    run(async () => {
      const chosen = alerts.filter((a) => selected.has(a.alertId));
      const r = await api<{ case: CaseView }>('/api/csirt/cases', {
        body: { title: title || chosen[0]?.title || t('Security case'), alertIds: chosen.map((a) => a.alertId) },
      });
      setSelected(new Set());
      setTitle('');
      setOpen(r.case);
      setTab('cases');
    });

  const groups = new Map<string, SecurityAlert[]>();
  for (const a of alerts.filter((x) => x.status !== 'dismissed')) groups.set(a.group, [...(groups.get(a.group) ?? []), a]);

  return (
    <div className="panel csirt-page">
      <div className="row">
        <h2>{t('CSIRT desk')}</h2>
        <span className="spacer" />
        {summary && (
          <span className="csirt-figures" data-testid="csirt-summary">
            <span>
              {withColon(t, t('Open alerts'))}
              <b>{summary.openAlerts}</b>
            </span>
            <span>
              {withColon(t, t('Open cases'))}
              <b>{summary.openCases}</b>
            </span>
            <span>
              {withColon(t, t('Time to triage'))}
              <b>{minutes(summary.medianTriageMinutes)}</b>
            </span>
            <span>
              {withColon(t, t('Time to close'))}
              <b>{minutes(summary.medianCloseMinutes)}</b>
            </span>
            <span>
              {withColon(t, t('Security events'))}
              <b>{summary.events}</b>
            </span>
          </span>
        )}
      </div>
      <div className="tabs" role="tablist">
        {(['alerts', 'cases', 'advisories'] as const).map((k) => (
          <button
            key={k}
            role="tab"
            className={tab === k ? 'active' : ''}
            onClick={() => {
              setTab(k);
              void load();
            }}
            data-testid={`csirt-tab-${k}`}
          >
            {t(k === 'alerts' ? 'Alert queue' : k === 'cases' ? 'Cases' : 'Advisories')}
          </button>
        ))}
      </div>
      {error && <p className="error">{error}</p>}

      {tab === 'alerts' && (
        <>
          {handler && (
            <div className="row filters">
              <input placeholder={t('Case title')} aria-label={t('Case title')} value={title} onChange={(e) => setTitle(e.target.value)} />
              <button disabled={selected.size === 0} onClick={() => void openCase()} data-testid="open-case">
                {t('Open a case from the selected alerts')} ({selected.size})
              </button>
            </div>
          )}
          {groups.size === 0 && <p className="muted">{t('No security alert.')}</p>}
          <table className="table stack-table" data-testid="alert-queue">
            <thead>
              <tr>
                <th />
                <th>{t('Severity')}</th>
                <th>{t('Alert')}</th>
                <th>{t('Events')}</th>
                <th>{t('Last seen')}</th>
                <th>{t('Status')}</th>
                <th />
              </tr>
            </thead>
            {[...groups].map(([group, list]) => (
              <tbody key={group} className="csirt-group">
                {list.map((a) => (
                  <tr key={a.alertId} data-testid="alert-row">
                    <td>
                      {handler && a.status !== 'in-case' && (
                        <input
                          type="checkbox"
                          aria-label={withNames(alertTitle(t, a), name)}
                          checked={selected.has(a.alertId)}
                          onChange={(e) => {
                            const next = new Set(selected);
                            if (e.target.checked) next.add(a.alertId);
                            else next.delete(a.alertId);
                            setSelected(next);
                          }}
                        />
                      )}
                    </td>
                    <td data-label={t('Severity')}>
                      <span className={`badge sev-${a.severity}`}>{t(a.severity)}</span>
                    </td>
                    <td className="stack-head">
                      {withNames(alertTitle(t, a), name)}
                      <div className="muted">
                        {a.observables.map((o) => `${observableWord(t, o.type)} ${o.type === 'device' ? name(o.value) : o.value}`).join(' · ')}
                      </div>
                    </td>
                    <td data-label={t('Events')}>{a.count}</td>
                    <td data-label={t('Last seen')}>{time(a.lastSeenAt)}</td>
                    <td data-label={t('Status')}>{a.status === 'in-case' ? (cases.find((c) => c.caseId === a.caseId)?.ref ?? t('in a case')) : t(a.status)}</td>
                    <td>
                      {handler && (a.status === 'new' || a.status === 'acknowledged') && (
                        <>
                          {a.status === 'new' && (
                            <button onClick={() => void run(() => api(`/api/csirt/alerts/${a.alertId}/status`, { body: { status: 'acknowledged' } }))}>
                              {t('Acknowledge')}
                            </button>
                          )}
                          <button onClick={() => void run(() => api(`/api/csirt/alerts/${a.alertId}/status`, { body: { status: 'dismissed' } }))}>
                            {t('Dismiss')}
                          </button>
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            ))}
          </table>
        </>
      )}

      {tab === 'cases' && (
        <div className="csirt-cases">
          <table className="table stack-table" data-testid="case-list">
            <thead>
              <tr>
                <th>{t('Case')}</th>
                <th>{t('Title')}</th>
                <th>{t('Organisation')}</th>
                <th>{t('Severity')}</th>
                <th>TLP</th>
                <th>{t('Status')}</th>
                <th>{t('Assignee')}</th>
              </tr>
            </thead>
            <tbody>
              {cases.map((c) => (
                <tr key={c.caseId} className={open?.caseId === c.caseId ? 'selected' : ''} onClick={() => void show(c.caseId)} style={{ cursor: 'pointer' }}>
                  <td className="nowrap" data-label={t('Case')}>
                    {c.ref}
                  </td>
                  <td className="stack-head">{c.title}</td>
                  <td data-label={t('Organisation')}>{c.orgName ?? t('the city')}</td>
                  <td data-label={t('Severity')}>
                    <span className={`badge sev-${c.severity}`}>{t(c.severity)}</span>
                  </td>
                  <td data-label="TLP">
                    <TlpCode tlp={c.tlp} />
                  </td>
                  <td data-label={t('Status')}>{t(c.status)}</td>
                  <td data-label={t('Assignee')}>{c.assignee ? (c.people?.[c.assignee] ?? c.assignee) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {open && (
            <CaseDetail
              key={open.caseId}
              c={open}
              handler={handler}
              me={me}
              run={run}
              onCase={onCase}
              maxBytes={summary?.maxArtefactBytes ?? MAX_ARTEFACT_BYTES}
              retentionDays={summary?.artefactRetentionDays ?? null}
            />
          )}
        </div>
      )}

      {tab === 'advisories' && (
        <table className="table" data-testid="advisories">
          <thead>
            <tr>
              <th>{t('Sent')}</th>
              <th>{t('Organisation')}</th>
              <th>{t('Advisory')}</th>
              <th>TLP</th>
              <th>{t('Confirmed')}</th>
            </tr>
          </thead>
          <tbody>
            {advisories.map((a) => (
              <tr key={a.advisoryId}>
                <td>{time(a.sentAt)}</td>
                <td>{a.orgName}</td>
                <td>
                  <b>{a.title}</b>
                  <div className="pre-line">{advisoryText(t, a)}</div>
                </td>
                <td>
                  <TlpCode tlp={a.tlp} />
                </td>
                <td>
                  {a.confirmedAt ? (
                    `${time(a.confirmedAt)} · ${name(a.confirmedBy)}`
                  ) : a.orgId === me.orgId && !handler ? (
                    <button
                      onClick={() => void run(() => api(`/api/csirt/advisories/${a.advisoryId}/confirm`, { method: 'POST' }))}
                      data-testid="confirm-advisory"
                    >
                      {t('Confirm receipt')}
                    </button>
                  ) : (
                    t('awaiting')
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function CaseDetail({
  c,
  handler,
  me,
  run,
  onCase,
  maxBytes,
  retentionDays,
}: {
  c: CaseView;
  handler: boolean;
  me: Me;
  run: (f: () => Promise<unknown>) => Promise<void>;
  onCase: (r: { case: CaseView }) => void;
  /** The largest artefact the node takes (VIGIL_CSIRT_MAX_ARTEFACT_BYTES). */
  maxBytes: number;
  /** Days a closed case keeps its artefacts (VIGIL_CSIRT_ARTEFACT_RETENTION_DAYS; 0: until erased by hand). */
  retentionDays: number | null;
}) {
  const t = useT();
  const time = useTime();
  const [task, setTask] = useState('');
  const [owner, setOwner] = useState('');
  const [due, setDue] = useState('');
  const [oType, setOType] = useState<ObservableType>('ipv4');
  const [oValue, setOValue] = useState('');
  const [ioc, setIoc] = useState(true);
  const [resolution, setResolution] = useState<(typeof CASE_RESOLUTIONS)[number]>('true-positive');
  const [note, setNote] = useState('');
  const [advTitle, setAdvTitle] = useState('');
  const [advBody, setAdvBody] = useState('');
  const name = useNames();
  const count = useCount();
  const [artNote, setArtNote] = useState('');
  const [artIoc, setArtIoc] = useState(false);
  const [artError, setArtError] = useState<string | null>(null);
  /** The artefact whose erasure waits for a second click, and why. */
  const [erasing, setErasing] = useState<{ artefactId: string; note: string } | null>(null);
  const url = `/api/csirt/cases/${c.caseId}`;
  const act = (path: string, body?: unknown, method = 'POST') => run(async () => onCase(await api<{ case: CaseView }>(`${url}${path}`, { method, body })));
  const deviceName = (id: string) => c.findings.find((f) => f.assetId === id)?.label ?? name(id);
  /** A person the case names (by username, or a `user:` ref) by display name. */
  const person = (ref: string) => c.people?.[ref] ?? name(ref);
  const [sending, setSending] = useState<{ name: string; sent: number; total: number; abort: AbortController } | null>(null);
  const upload = (file: File) => {
    if (file.size > maxBytes) {
      setArtError(`${file.name}: ${bytes(file.size)} > ${bytes(maxBytes)}`);
      return;
    }
    setArtError(null);
    const q = new URLSearchParams({ name: file.name, ...(artNote ? { note: artNote } : {}), ...(artIoc ? { ioc: 'true' } : {}) });
    const abort = new AbortController();
    setSending({ name: file.name, sent: 0, total: file.size, abort });
    void run(async () => {
      try {
        const r = await apiUpload<{ case: CaseView }>(
          `${url}/artefacts?${q.toString()}`,
          file,
          (sent, total) => setSending((s) => (s && s.abort === abort ? { ...s, sent, total } : s)),
          abort.signal,
        );
        onCase(r);
        setArtNote('');
      } finally {
        setSending(null);
      }
    });
  };
  const problem = oValue ? observableProblem(oType, oValue) : null;
  const closed = c.status === 'closed';
  return (
    <div className="csirt-case" data-testid="case-detail">
      <div className="row">
        <h3>
          {c.ref} · {c.title}
        </h3>
        <span className="spacer" />
        <TlpCode tlp={c.tlp} />
        <span title={t(PAP_MEANINGS[c.pap] ?? c.pap)} data-testid="pap-code">
          PAP:{c.pap.toUpperCase()}
        </span>
        {handler && (
          <>
            <a href={`${url}/stix`} download={`${c.ref}.stix.json`} data-testid="export-stix">
              {t('Export STIX 2.1')}
            </a>
            <a href={`${url}/misp`} download={`${c.ref}.misp.json`}>
              {t('Export MISP')}
            </a>
          </>
        )}
      </div>
      <p className="muted">
        {c.orgName ?? t('the city')} · {t('opened')} {time(c.openedAt)} · {person(c.openedBy)} · {t(c.status)}
        {c.resolution ? ` · ${t(c.resolution)}` : ''}
      </p>
      {c.description && <p>{c.description}</p>}
      {handler && !closed && (
        <div className="row filters">
          <label>
            {t('Severity')}{' '}
            <select value={c.severity} onChange={(e) => void act('', { severity: e.target.value }, 'PATCH')}>
              {ALERT_SEVERITIES.map((s) => (
                <option key={s} value={s}>
                  {t(s)}
                </option>
              ))}
            </select>
          </label>
          <label>
            TLP{' '}
            <select value={c.tlp} onChange={(e) => void act('', { tlp: e.target.value }, 'PATCH')}>
              {TLP_LEVELS.map((s) => (
                <option key={s} value={s} title={t(TLP_MEANINGS[s])}>
                  TLP:{s.toUpperCase()}
                </option>
              ))}
            </select>
          </label>
          <label>
            PAP{' '}
            <select value={c.pap} onChange={(e) => void act('', { pap: e.target.value }, 'PATCH')}>
              {PAP_LEVELS.map((s) => (
                <option key={s} value={s} title={t(PAP_MEANINGS[s])}>
                  PAP:{s.toUpperCase()}
                </option>
              ))}
            </select>
          </label>
          <span>
            {withColon(t, t('Assignee'))}
            {c.assignee ? person(c.assignee) : '—'}
          </span>
          {c.assignee !== me.username && me.username && (
            <button onClick={() => void act('', { assignee: me.username, status: 'in-progress' }, 'PATCH')} data-testid="take-case">
              {t('Take the case')}
            </button>
          )}
        </div>
      )}

      {c.findings.length > 0 && (
        <>
          <h4>{t('Vulnerabilities on devices')}</h4>
          <table className="table" data-testid="case-findings">
            <thead>
              <tr>
                <th>{t('Device')}</th>
                <th>CVE</th>
                <th>{t('Priority')}</th>
                <th>{t('Organisation')}</th>
                <th>{t('Triage')}</th>
              </tr>
            </thead>
            <tbody>
              {c.findings.map((f) => (
                <tr key={f.findingId}>
                  <td>
                    {f.label}
                    {f.component && <div className="muted">{f.component}</div>}
                  </td>
                  <td>
                    <b>{f.cveId}</b> {f.kev && <span className="badge sev-critical">{t('known exploited')}</span>}
                    <div className="muted">{f.title}</div>
                  </td>
                  <td>
                    {f.priority}
                    {f.cvss !== null ? ` · CVSS ${f.cvss}` : ''}
                  </td>
                  <td>{f.orgName}</td>
                  <td data-testid="case-finding-triage">
                    <a href={`/device-security?finding=${encodeURIComponent(f.findingId)}`}>{t(`triage:${f.state}`)}</a>
                    {f.justification && ` (${t(`vex:${f.justification}`)})`}
                    {f.stateDetail && (
                      <div className="muted">
                        {f.stateBy ? `${f.stateBy}, ${time(f.stateAt)}: ` : ''}
                        {f.stateDetail}
                      </div>
                    )}
                    {handler && <FindingTriage f={f} onSave={(body) => act(`/findings/${encodeURIComponent(f.findingId)}/triage`, body)} />}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}

      <h4>{t('Tasks')}</h4>
      <ul className="csirt-tasks" data-testid="tasks">
        {c.tasks.map((x) => (
          <li key={x.taskId}>
            <label>
              <input
                type="checkbox"
                checked={x.done}
                disabled={!handler || closed}
                onChange={(e) => void act(`/tasks/${x.taskId}`, { done: e.target.checked })}
              />{' '}
              {x.title}
            </label>
            <span className="muted">
              {x.owner ? ` · ${person(x.owner)}` : ''}
              {x.dueAt ? ` · ${t('due')} ${time(x.dueAt)}` : ''}
            </span>
          </li>
        ))}
      </ul>
      {handler && !closed && (
        <form
          className="row filters"
          onSubmit={(e) => {
            e.preventDefault();
            void act('/tasks', { title: task, owner: owner || null, dueAt: due ? new Date(due).toISOString() : null }).then(() => setTask(''));
          }}
        >
          <input required placeholder={t('Task')} aria-label={t('Task')} value={task} onChange={(e) => setTask(e.target.value)} />
          <input placeholder={t('Owner (username)')} aria-label={t('Owner (username)')} value={owner} onChange={(e) => setOwner(e.target.value)} />
          <input type="datetime-local" aria-label={t('Due')} value={due} onChange={(e) => setDue(e.target.value)} />
          <button type="submit">{t('Add task')}</button>
        </form>
      )}

      <h4>{t('Observables')}</h4>
      <table className="table" data-testid="observables">
        <tbody>
          {c.observables.map((o) => {
            const s = c.sightings[o.observableId];
            return (
              <tr key={o.observableId}>
                <td title={o.type} data-observable-type={o.type}>
                  {observableWord(t, o.type)}
                </td>
                <td>{o.type === 'device' ? <span title={o.value}>{deviceName(o.value)}</span> : <code>{o.value}</code>}</td>
                <td>{o.ioc ? 'IOC' : ''}</td>
                <td className="muted">{observableNote(t, o, name)}</td>
                <td>
                  {s && s.caseIds.length + s.alertIds.length > 0
                    ? `${t('seen in')} ${[
                        s.caseIds.length > 0 ? count(s.caseIds.length, 'other case', 'other cases') : '',
                        s.alertIds.length > 0 ? count(s.alertIds.length, 'alert', 'alerts') : '',
                      ]
                        .filter(Boolean)
                        .join(', ')}`
                    : ''}
                  {s?.findingCount
                    ? `${s.caseIds.length + s.alertIds.length > 0 ? ' · ' : ''}${count(s.findingCount, 'finding on devices', 'findings on devices')}`
                    : ''}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {handler && !closed && (
        <form
          className="row filters"
          onSubmit={(e) => {
            e.preventDefault();
            if (!problem) void act('/observables', { type: oType, value: oValue, ioc }).then(() => setOValue(''));
          }}
        >
          <select aria-label={t('Observable type')} value={oType} onChange={(e) => setOType(e.target.value as ObservableType)}>
            {OBSERVABLE_TYPES.map((x) => (
              <option key={x} value={x}>
                {observableWord(t, x)}
              </option>
            ))}
          </select>
          <input required placeholder={t('Value')} aria-label={t('Observable value')} value={oValue} onChange={(e) => setOValue(e.target.value)} />
          <label>
            <input type="checkbox" checked={ioc} onChange={(e) => setIoc(e.target.checked)} /> IOC
          </label>
          <button type="submit" disabled={problem !== null}>
            {t('Add observable')}
          </button>
          {problem && <span className="error">{problem}</span>}
        </form>
      )}

      <h4>{t('Artefacts')}</h4>
      <table className="table" data-testid="artefacts">
        <tbody>
          {c.artefacts.map((a) => (
            <tr key={a.artefactId}>
              <td>
                <a href={`/api/csirt/artefacts/${a.artefactId}`} download={a.name}>
                  {a.name}
                </a>
                {a.note && <div className="muted">{a.note}</div>}
              </td>
              <td className="nowrap">{bytes(a.bytes)}</td>
              <td>
                SHA-256 <code className="hash">{a.sha256}</code>
              </td>
              <td className="muted">
                {time(a.addedAt)} · {person(a.addedBy)}
              </td>
              {handler && (
                <td className="nowrap">
                  {erasing?.artefactId === a.artefactId ? (
                    <form
                      className="row"
                      onSubmit={(e) => {
                        e.preventDefault();
                        const note = erasing.note;
                        setErasing(null);
                        void run(async () =>
                          onCase(await api<{ case: CaseView }>(`/api/csirt/artefacts/${a.artefactId}/erase`, { method: 'POST', body: { note } })),
                        );
                      }}
                    >
                      <input
                        placeholder={t('Why (optional)')}
                        aria-label={t('Why (optional)')}
                        value={erasing.note}
                        onChange={(e) => setErasing({ artefactId: a.artefactId, note: e.target.value })}
                      />
                      <button type="submit" data-testid="artefact-erase-confirm">
                        {t('Erase for good')}
                      </button>
                      <button type="button" onClick={() => setErasing(null)}>
                        {t('Cancel')}
                      </button>
                    </form>
                  ) : (
                    <button type="button" data-testid="artefact-erase" onClick={() => setErasing({ artefactId: a.artefactId, note: '' })}>
                      {t('Erase')}
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {retentionDays !== null && (
        <p className="muted" data-testid="artefact-retention">
          {retentionDays > 0
            ? t('Artefacts are erased {days} days after the case is closed.').replace('{days}', String(retentionDays))
            : t('Artefacts are kept until erased by hand.')}
        </p>
      )}
      {handler && !closed && (
        <div className="row filters">
          <input placeholder={t('About this file')} aria-label={t('About this file')} value={artNote} onChange={(e) => setArtNote(e.target.value)} />
          <label>
            <input type="checkbox" checked={artIoc} onChange={(e) => setArtIoc(e.target.checked)} /> {t('The hash is an IOC')}
          </label>
          <label className="file-button">
            {t('Add a file')} ({t('at most')} {bytes(maxBytes)})
            <input
              type="file"
              data-testid="artefact-file"
              aria-label={t('Add a file')}
              disabled={sending !== null}
              onChange={(e) => {
                const file = e.target.files?.[0];
                e.target.value = '';
                if (file) upload(file);
              }}
            />
          </label>
          {sending && (
            <span data-testid="artefact-progress" className="nowrap">
              {t('Sending')} {sending.name} <progress max={sending.total || 1} value={sending.sent} aria-label={t('Upload progress')} /> {bytes(sending.sent)} /{' '}
              {bytes(sending.total)} ({sending.total ? Math.floor((sending.sent / sending.total) * 100) : 0}%){' '}
              <button type="button" onClick={() => sending.abort.abort()}>
                {t('Cancel')}
              </button>
            </span>
          )}
          {artError && <span className="error">{artError}</span>}
        </div>
      )}

      <h4>{t('Advisories')}</h4>
      <ul>
        {c.advisories.map((a) => (
          <li key={a.advisoryId}>
            {a.title} · <TlpCode tlp={a.tlp} /> · {a.confirmedAt ? `${t('confirmed')} ${time(a.confirmedAt)}` : t('awaiting')}
          </li>
        ))}
      </ul>
      {handler && c.orgId && (
        <form
          className="row filters"
          onSubmit={(e) => {
            e.preventDefault();
            void act('/advisories', { orgId: c.orgId, title: advTitle, body: advBody }).then(() => setAdvTitle(''));
          }}
        >
          <input required placeholder={t('Advisory title')} aria-label={t('Advisory title')} value={advTitle} onChange={(e) => setAdvTitle(e.target.value)} />
          <input required placeholder={t('What to do')} aria-label={t('What to do')} value={advBody} onChange={(e) => setAdvBody(e.target.value)} />
          <button type="submit">
            {t('Send to')} {c.orgName}
          </button>
        </form>
      )}

      <h4>{t('Timeline')}</h4>
      <ol className="csirt-timeline" data-testid="timeline">
        {c.timeline.map((x, i) => (
          <li key={i}>
            <span className="muted">{time(x.at)}</span> · {person(x.actor)} · {withNames(timelineText(t, x, person), name)}
          </li>
        ))}
      </ol>

      {handler &&
        (closed ? (
          <button onClick={() => void act('/reopen')}>{t('Reopen')}</button>
        ) : (
          <form
            className="row filters"
            onSubmit={(e) => {
              e.preventDefault();
              void act('/close', { resolution, note });
            }}
          >
            <select aria-label={t('Resolution')} value={resolution} onChange={(e) => setResolution(e.target.value as (typeof CASE_RESOLUTIONS)[number])}>
              {CASE_RESOLUTIONS.map((r) => (
                <option key={r} value={r}>
                  {t(r)}
                </option>
              ))}
            </select>
            <input placeholder={t('Resolution note')} aria-label={t('Resolution note')} value={note} onChange={(e) => setNote(e.target.value)} />
            <button type="submit" data-testid="close-case">
              {t('Close the case')}
            </button>
          </form>
        ))}
    </div>
  );
}

/** Moves one of the case's findings to its next triage state, saying why (not affected: with a VEX justification). */
function FindingTriage({
  f,
  onSave,
}: {
  f: CaseFinding;
  onSave: (body: { state: TriageState; justification?: VexJustification; detail: string }) => Promise<void>;
}) {
  const t = useT();
  const [draft, setDraft] = useState<TriageDraft>({
    state: f.state === 'new' ? 'confirmed' : f.state,
    justification: (f.justification as VexJustification | null) ?? '',
    detail: '',
  });
  const ready = triageReady(draft);
  return (
    <form
      className="row filters"
      data-testid="case-triage"
      onSubmit={(e) => {
        e.preventDefault();
        if (!ready) return;
        const { state, justification, detail } = draft;
        void onSave({ state, detail: detail.trim(), ...(state === 'not-affected' && justification ? { justification } : {}) }).then(() =>
          setDraft((d) => ({ ...d, detail: '' })),
        );
      }}
    >
      <TriageFields draft={draft} onChange={setDraft} testId="case-triage" />
      <button type="submit" disabled={!ready} data-testid="case-triage-save">
        {t('Save')}
      </button>
    </form>
  );
}

/** An observable's type in words (the code stays in the API, the exports and the tooltip). */
function observableWord(t: (key: string) => string, type: string): string {
  const key = (OBSERVABLE_TYPE_LABELS as Record<string, string>)[type];
  return key ? t(key) : type;
}

/** A TLP level as CSIRT analysts write it (TLP:AMBER), its meaning in the reader's language in the tooltip. */
function TlpCode({ tlp }: { tlp: string }) {
  const t = useT();
  const meaning = (TLP_MEANINGS as Record<string, string>)[tlp];
  return (
    <span className={`tlp tlp-${tlp.replace('+', '-')}`} title={meaning ? t(meaning) : undefined} data-testid="tlp-code">
      TLP:{tlp.toUpperCase()}
    </span>
  );
}
