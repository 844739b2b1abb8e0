import { useState, type FormEvent } from 'react';
import { SIGNAL_KINDS, STEP_KINDS, type ActionPlan, type PlanStep } from '../../../src/alarms/contract.js';
import { api } from '../api.js';
import { useT } from '../i18n.js';
import { ALARM_KIND_LABELS, STEP_KIND_LABELS } from '../labels.js';
import { errorText } from '../errors.js';

export type Plan = ActionPlan;

interface Draft {
  planId?: string;
  name: string;
  kinds: string[];
  /** Comma- or space-separated site ids; empty for every site. */
  sites: string;
  /** Kept when editing: steps already done on open alarms are recorded by their id. */
  steps: { stepId?: string; kind: string; text: string; mandatory: boolean; timerSeconds: string; notifyUrl: string }[];
}

const emptyStep = (): Draft['steps'][number] => ({ kind: 'call', text: '', mandatory: false, timerSeconds: '', notifyUrl: '' });
const draftOf = (p: Plan): Draft => ({
  planId: p.planId,
  name: p.name,
  kinds: p.kinds,
  sites: p.siteIds.join(' '),
  steps: p.steps.map((s) => ({
    stepId: s.stepId,
    kind: s.kind,
    text: s.text,
    mandatory: s.mandatory,
    timerSeconds: s.timerSeconds?.toString() ?? '',
    notifyUrl: s.notifyUrl ?? '',
  })),
});
const alarmKinds = SIGNAL_KINDS.filter((k) => !['test', 'open', 'close', 'bypass', 'access', 'other'].includes(k));

/**
 * The organisation's action plans: what an operator must do, in order, for which
 * kinds of alarm at which sites — listed, edited, removed. Steps with a notification
 * URL are done by Vigil itself when the alarm is raised.
 */
export function PlanEditor({ plans, onChange }: { plans: Plan[]; onChange: () => Promise<void> }) {
  const t = useT();
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<string | null>(null);
  const setStep = (i: number, patch: Partial<Draft['steps'][number]>): void => {
    if (draft) setDraft({ ...draft, steps: draft.steps.map((s, j) => (j === i ? { ...s, ...patch } : s)) });
  };
  const moveStep = (i: number, by: -1 | 1): void => {
    if (!draft || i + by < 0 || i + by >= draft.steps.length) return;
    const steps = [...draft.steps];
    [steps[i], steps[i + by]] = [steps[i + by]!, steps[i]!];
    setDraft({ ...draft, steps });
  };

  const save = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (!draft) return;
    setError(null);
    const fresh = Date.now().toString(36);
    const steps: PlanStep[] = draft.steps.map((s, i) => ({
      stepId: s.stepId ?? `${fresh}-${i + 1}`,
      kind: s.kind as PlanStep['kind'],
      text: s.text.trim(),
      mandatory: s.mandatory,
      timerSeconds: s.timerSeconds ? Number(s.timerSeconds) : null,
      notifyUrl: s.notifyUrl.trim() || null,
    }));
    try {
      await api('/api/alarms/plans', {
        method: 'POST',
        body: {
          ...(draft.planId ? { planId: draft.planId } : {}),
          name: draft.name.trim(),
          kinds: draft.kinds,
          siteIds: draft.sites.split(/[\s,]+/).filter(Boolean),
          steps,
        },
      });
      setDraft(null);
      await onChange();
    } catch (err) {
      setError(errorText(t, err));
    }
  };

  const remove = async (p: Plan): Promise<void> => {
    if (!window.confirm(`${t('Remove the plan')} "${p.name}"?`)) return;
    try {
      await api(`/api/alarms/plans/${encodeURIComponent(p.planId)}`, { method: 'DELETE' });
      await onChange();
    } catch (err) {
      setError(errorText(t, err));
    }
  };

  return (
    <section data-testid="plan-editor">
      <h2>{t('Action plans')}</h2>
      {plans.map((p) => (
        <div key={p.planId} className="plan-card">
          <strong>{p.name}</strong>{' '}
          <span className="muted small">
            ({p.kinds.join(', ')}; {p.siteIds.length ? `${p.siteIds.length} ${t('sites')}` : t('every site')})
          </span>
          <span className="row-end">
            <button type="button" onClick={() => setDraft(draftOf(p))}>
              {t('Edit')}
            </button>
            <button type="button" onClick={() => void remove(p)}>
              {t('Remove')}
            </button>
          </span>
          <ol>
            {p.steps.map((s) => (
              <li key={s.stepId} className="small">
                {s.text}
                {s.mandatory ? ' *' : ''}
                {s.timerSeconds ? ` · ${s.timerSeconds} s` : ''}
                {s.notifyUrl ? ` · ${t('automatic')} → ${new URL(s.notifyUrl).host}` : ''}
              </li>
            ))}
          </ol>
        </div>
      ))}
      {!draft && (
        <button type="button" onClick={() => setDraft({ name: '', kinds: [], sites: '', steps: [emptyStep()] })}>
          {t('New plan')}
        </button>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {draft && (
        <form className="plan-form" onSubmit={(e) => void save(e)} aria-label={t('Action plan')}>
          <input
            aria-label={t('Plan name')}
            placeholder={t('Plan name')}
            value={draft.name}
            onChange={(e) => setDraft({ ...draft, name: e.target.value })}
            required
            maxLength={200}
          />
          <fieldset className="kinds">
            <legend>{t('For alarms of kind')}</legend>
            {alarmKinds.map((k) => (
              <label key={k}>
                <input
                  type="checkbox"
                  checked={draft.kinds.includes(k)}
                  onChange={(e) => setDraft({ ...draft, kinds: e.target.checked ? [...draft.kinds, k] : draft.kinds.filter((x) => x !== k) })}
                />{' '}
                {t(ALARM_KIND_LABELS[k])}
              </label>
            ))}
          </fieldset>
          <input
            aria-label={t('Sites')}
            placeholder={t('Site ids (blank: every site)')}
            value={draft.sites}
            onChange={(e) => setDraft({ ...draft, sites: e.target.value })}
          />
          <table className="table steps">
            <thead>
              <tr>
                <th>#</th>
                <th>{t('Kind')}</th>
                <th>{t('What to do')}</th>
                <th>{t('Mandatory')}</th>
                <th>{t('Within (s)')}</th>
                <th>{t('Notify URL (automatic)')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {draft.steps.map((s, i) => (
                <tr key={i}>
                  <td>{i + 1}</td>
                  <td>
                    <select aria-label={t('Step {n} kind').replace('{n}', String(i + 1))} value={s.kind} onChange={(e) => setStep(i, { kind: e.target.value })}>
                      {STEP_KINDS.map((k) => (
                        <option key={k} value={k}>
                          {t(STEP_KIND_LABELS[k])}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <input
                      aria-label={t('Step {n} text').replace('{n}', String(i + 1))}
                      value={s.text}
                      onChange={(e) => setStep(i, { text: e.target.value })}
                      required
                      maxLength={500}
                    />
                  </td>
                  <td>
                    <input
                      aria-label={t('Step {n} mandatory').replace('{n}', String(i + 1))}
                      type="checkbox"
                      checked={s.mandatory}
                      onChange={(e) => setStep(i, { mandatory: e.target.checked })}
                    />
                  </td>
                  <td>
                    <input
                      aria-label={t('Step {n} timer').replace('{n}', String(i + 1))}
                      type="number"
                      min={0}
                      max={86400}
                      value={s.timerSeconds}
                      onChange={(e) => setStep(i, { timerSeconds: e.target.value })}
                    />
                  </td>
                  <td>
                    <input
                      aria-label={t('Step {n} notify URL').replace('{n}', String(i + 1))}
                      type="url"
                      placeholder="https://…"
                      value={s.notifyUrl}
                      onChange={(e) => setStep(i, { notifyUrl: e.target.value })}
                    />
                  </td>
                  <td className="nowrap">
                    <button type="button" aria-label={t('Move step {n} up').replace('{n}', String(i + 1))} onClick={() => moveStep(i, -1)}>
                      ↑
                    </button>
                    <button type="button" aria-label={t('Move step {n} down').replace('{n}', String(i + 1))} onClick={() => moveStep(i, 1)}>
                      ↓
                    </button>
                    <button
                      type="button"
                      aria-label={t('Remove step {n}').replace('{n}', String(i + 1))}
                      onClick={() => setDraft({ ...draft, steps: draft.steps.filter((_, j) => j !== i) })}
                      disabled={draft.steps.length === 1}
                    >
                      ✕
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="row">
            <button type="button" onClick={() => setDraft({ ...draft, steps: [...draft.steps, emptyStep()] })} disabled={draft.steps.length >= 50}>
              {t('Add step')}
            </button>
            <button type="submit" disabled={draft.kinds.length === 0}>
              {t('Save plan')}
            </button>
            <button type="button" onClick={() => setDraft(null)}>
              {t('Cancel')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
