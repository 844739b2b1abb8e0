import { useCallback, useContext, useEffect, useState } from 'react';
import type { Effect, GrievanceFollowView, ParticipantView, Position, PublicConsultation } from '../../../src/engagement/contract.js';
import { LanguageContext, useT, useTime } from '../i18n.js';
import { NotifyChoice, pushKeysFor, type NotifyWish } from './NotifyChoice.js';
import { errorText } from '../errors.js';
import { answersText, decisionCountsText } from './consultation-words.js';
import { ApiError } from '../api.js';

/** What this device keeps of the person's answers and grievances: their personal link tokens (Vigil keeps only a hash). */
const KEPT = 'vigil.citizen.engagement';
interface Kept {
  token: string;
  sentAt: string;
}
export function loadKept(): Kept[] {
  try {
    const v = JSON.parse(localStorage.getItem(KEPT) ?? '[]') as unknown;
    return Array.isArray(v) ? (v as Kept[]).filter((k) => typeof k.token === 'string') : [];
  } catch {
    return [];
  }
}
/** Remembers a personal link's token on this device (once). */
export function rememberAnswer(token: string): void {
  const list = loadKept();
  if (list.some((k) => k.token === token)) return;
  localStorage.setItem(KEPT, JSON.stringify([...list, { token, sentAt: new Date().toISOString() }].slice(-50)));
}

const POSITION_TEXT: Record<Position, string> = { support: 'For', oppose: 'Against', mixed: 'Mixed', 'no-opinion': 'No opinion' };
const EFFECT_TEXT: Record<Effect, string> = {
  adopted: 'Adopted: it changed the decision',
  'partly-adopted': 'Partly adopted',
  'considered-not-adopted': 'Considered, not adopted',
  'out-of-scope': 'Outside the question asked',
};
const STATUS_TEXT: Record<string, string> = {
  published: 'Opens soon',
  open: 'Open for answers',
  closed: 'Closed, decision to come',
  decided: 'Decided',
  received: 'Received',
  acknowledged: 'Acknowledged',
  resolved: 'Resolved',
};

/** A refused answer or grievance as an ApiError (its reason, worded by errorText), never the server's English. */
function refusal(res: Response, body: unknown): ApiError {
  const e = (body as { error?: { code: string; message: string; reason?: string; params?: Record<string, string | number> } } | null)?.error;
  return new ApiError(res.status, e?.code ?? 'http_error', e?.message ?? `${res.status} ${res.statusText}`, null, e?.reason, e?.params);
}

const linkOf = (token: string): string => `${location.origin}/citizen?answer=${encodeURIComponent(token)}#consultations`;

/** The city's consultations: read what is proposed, answer without an account, and later see the decision and how your answer counted. */
export function ConsultationsPanel() {
  const t = useT();
  const time = useTime();
  const [consultations, setConsultations] = useState<PublicConsultation[] | null>(null);
  const [mine, setMine] = useState<(ParticipantView | GrievanceFollowView)[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      const res = await fetch('/api/public/engagement/consultations');
      if (!res.ok) throw new Error(`${res.status}`);
      setConsultations(((await res.json()) as { consultations: PublicConsultation[] }).consultations);
      setError(null);
    } catch (e) {
      setError(`${t('The consultations cannot be loaded')}: ${errorText(t, e)}`);
    }
    const views = await Promise.all(
      loadKept().map(async (k) => {
        try {
          const res = await fetch(`/api/public/engagement/follow/${encodeURIComponent(k.token)}`);
          return res.ok ? ((await res.json()) as { follow: ParticipantView | GrievanceFollowView }).follow : null;
        } catch {
          return null;
        }
      }),
    );
    setMine(views.filter((v): v is ParticipantView | GrievanceFollowView => v !== null).reverse());
    // eslint-disable-next-line react-hooks/exhaustive-deps -- t (useT) is new every render
  }, []);
  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), 30_000);
    return () => clearInterval(timer);
  }, [refresh]);

  const answered = new Set(mine.flatMap((m) => (m.kind === 'contribution' ? [m.consultation.consultationId] : [])));
  const onSent = (token: string): void => {
    rememberAnswer(token);
    setSent(linkOf(token));
    void refresh();
  };
  return (
    <section className="citizen-consultations" data-testid="consultations">
      {sent && (
        <p className="done-box" role="status" data-testid="answer-sent">
          {t('Thank you: your answer is recorded. Keep this personal link: it shows you the decision and how your answer counted.')} <a href={sent}>{sent}</a>
        </p>
      )}
      {mine.length > 0 && (
        <>
          <h2>{t('My answers')}</h2>
          <ul className="report-cards">
            {mine.map((m) =>
              m.kind === 'contribution' ? (
                <li key={m.contributionId} className={`report-card status-${m.outcome ? 'resolved' : 'open'}`} data-testid="my-answer">
                  <h3>{m.consultation.title}</h3>
                  <p className="small">
                    {t('Your answer')} ({t(POSITION_TEXT[m.position])}): {m.text}
                  </p>
                  {m.consultation.decision ? (
                    <>
                      <p>
                        <strong>{t('Decision')}:</strong> <span data-testid="decision">{m.consultation.decision.summary}</span>
                      </p>
                      {m.outcome && (
                        <p data-testid="my-outcome">
                          <strong>{t(EFFECT_TEXT[m.outcome.effect])}</strong> — {m.outcome.explanation}
                        </p>
                      )}
                    </>
                  ) : (
                    <p className="muted" data-testid="my-answer-status">
                      {t(STATUS_TEXT[m.consultation.status] ?? m.consultation.status)} · {t('closes')} {time(m.consultation.closesAt)}
                    </p>
                  )}
                </li>
              ) : (
                <li key={m.grievanceId} className={`report-card status-${m.status === 'resolved' ? 'resolved' : 'open'}`} data-testid="my-grievance">
                  <h3>{m.subject}</h3>
                  <p>
                    <strong>{t(STATUS_TEXT[m.status] ?? m.status)}</strong> · {m.organisation}
                  </p>
                  {m.response && <p>{m.response}</p>}
                  {m.status !== 'resolved' && (
                    <p className="muted small">
                      {t('Answer promised by')} {time(m.resolveBy)}
                    </p>
                  )}
                </li>
              ),
            )}
          </ul>
        </>
      )}
      <h2>{t('Consultations')}</h2>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {consultations && consultations.length === 0 && <p className="muted">{t('No consultation at the moment.')}</p>}
      <ul className="report-cards">
        {(consultations ?? []).map((c) => (
          <li key={c.consultationId} className={`report-card consultation status-${c.status === 'decided' ? 'resolved' : 'open'}`} data-testid="consultation">
            <h3>{c.title}</h3>
            <p className="muted small">
              {c.organisation} · <span data-testid="consultation-status">{t(STATUS_TEXT[c.status] ?? c.status)}</span> · {time(c.opensAt)} – {time(c.closesAt)}{' '}
              · <span data-testid="consultation-answers">{answersText(t, c.contributions, c.minCount)}</span>
            </p>
            <p>
              <strong>{c.question}</strong>
            </p>
            <details>
              <summary>{t('What is proposed')}</summary>
              <p className="pre">{c.information}</p>
            </details>
            {c.decision && (
              <p className="small">
                <strong>{t('Decision')}:</strong> {c.decision.summary}{' '}
                {c.contributions !== null && <span data-testid="decision-counts">({decisionCountsText(t, c.decision.counts, c.minCount)})</span>}
              </p>
            )}
            {c.status === 'open' && c.openToPublic && !answered.has(c.consultationId) && <AnswerForm consultation={c} onSent={onSent} />}
          </li>
        ))}
      </ul>
      <GrievanceForm consultations={consultations ?? []} onSent={onSent} />
    </section>
  );
}

function AnswerForm({ consultation, onSent }: { consultation: PublicConsultation; onSent: (token: string) => void }) {
  const t = useT();
  const [text, setText] = useState('');
  const [position, setPosition] = useState<Position | ''>('');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [notify, setNotify] = useState<NotifyWish>({ email: false, push: false });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { lang } = useContext(LanguageContext);
  const id = consultation.consultationId;
  return (
    <form
      className="answer-form"
      data-testid="answer-form"
      onSubmit={(ev) => {
        ev.preventDefault();
        setBusy(true);
        setError(null);
        void pushKeysFor(notify)
          .catch((e: unknown) => {
            throw new Error(`${t('Notifications are not available on this device')}: ${errorText(t, e)}`);
          })
          .then((push) => {
            const channels = [...(notify.email && email.trim() ? ['email'] : []), ...(push ? ['push'] : [])];
            return fetch(`/api/public/engagement/consultations/${id}/answers`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({
                text,
                position,
                name: name.trim() || null,
                email: email.trim() || null,
                ...(channels.length > 0 ? { notify: channels, push, lang: lang === 'fr' ? 'fr' : 'en' } : {}),
              }),
            });
          })
          .then(async (res) => {
            const body = (await res.json().catch(() => null)) as { followToken?: string } | null;
            if (!res.ok || !body?.followToken) throw refusal(res, body);
            onSent(body.followToken);
          })
          .catch((e: unknown) => setError(errorText(t, e)))
          .finally(() => setBusy(false));
      }}
    >
      <fieldset>
        <legend>{t('Your position')}</legend>
        {(['support', 'oppose', 'mixed', 'no-opinion'] as const).map((p) => (
          <label key={p} className="check">
            <input type="radio" name={`position-${id}`} value={p} checked={position === p} onChange={() => setPosition(p)} required /> {t(POSITION_TEXT[p])}
          </label>
        ))}
      </fieldset>
      <label>
        {t('Your answer')}
        <textarea value={text} onChange={(e) => setText(e.target.value)} required minLength={2} maxLength={4000} rows={4} />
      </label>
      <label>
        {t('Your name (optional)')}
        <input value={name} onChange={(e) => setName(e.target.value)} maxLength={120} autoComplete="name" />
      </label>
      <label>
        {t('Your e-mail (optional)')}
        <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} maxLength={200} autoComplete="email" />
      </label>
      <p className="muted small">{t('No account needed. Your name and e-mail are seen only by the organisation that asks, and erased after a year.')}</p>
      <NotifyChoice legend={t('Tell me the decision and how my answer counted')} hasEmail={email.trim() !== ''} wish={notify} onChange={setNotify} />
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {t('Send my answer')}
      </button>
    </form>
  );
}

function GrievanceForm({ consultations, onSent }: { consultations: PublicConsultation[]; onSent: (token: string) => void }) {
  const t = useT();
  const [subject, setSubject] = useState('');
  const [text, setText] = useState('');
  const [consultationId, setConsultationId] = useState('');
  const [email, setEmail] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <details className="grievance-box">
      <summary>{t('Something went wrong? Make a complaint')}</summary>
      <form
        onSubmit={(ev) => {
          ev.preventDefault();
          setError(null);
          void fetch('/api/public/engagement/grievances', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ subject, text, consultationId: consultationId || null, email: email.trim() || null }),
          })
            .then(async (res) => {
              const body = (await res.json().catch(() => null)) as { followToken?: string } | null;
              if (!res.ok || !body?.followToken) throw refusal(res, body);
              setSubject('');
              setText('');
              onSent(body.followToken);
            })
            .catch((e: unknown) => setError(errorText(t, e)));
        }}
      >
        <p className="muted small">{t('Acknowledged within 2 days, answered within 30 days.')}</p>
        <label>
          {t('About')}
          <select value={consultationId} onChange={(e) => setConsultationId(e.target.value)}>
            <option value="">{t('Nothing in particular')}</option>
            {consultations.map((c) => (
              <option key={c.consultationId} value={c.consultationId}>
                {c.title}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('Subject')}
          <input value={subject} onChange={(e) => setSubject(e.target.value)} required maxLength={200} />
        </label>
        <label>
          {t('What went wrong')}
          <textarea value={text} onChange={(e) => setText(e.target.value)} required minLength={2} maxLength={4000} rows={3} />
        </label>
        <label>
          {t('Your e-mail (optional)')}
          <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} maxLength={200} autoComplete="email" />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit">{t('Send')}</button>
      </form>
    </details>
  );
}
