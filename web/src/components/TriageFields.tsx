import { useT } from '../i18n.js';
import { TRIAGE_STATES, VEX_JUSTIFICATIONS, type TriageState, type VexJustification } from '../../../src/device-security/contract.js';

/** A finding's triage as the analyst sets it: the new state, a VEX justification for "not affected", and why. */
export interface TriageDraft {
  state: TriageState;
  justification: VexJustification | '';
  detail: string;
}

/** Whether a draft may be saved: a reason always, a justification when "not affected". */
export const triageReady = (d: TriageDraft): boolean => d.detail.trim() !== '' && (d.state !== 'not-affected' || d.justification !== '');

/** The state, justification and reason fields of a triage (device security and a CSIRT case use the same). */
export function TriageFields({ draft, onChange, testId }: { draft: TriageDraft; onChange: (d: TriageDraft) => void; testId: string }) {
  const t = useT();
  return (
    <>
      <select
        aria-label={t('New state')}
        value={draft.state}
        onChange={(e) => onChange({ ...draft, state: e.target.value as TriageState })}
        data-testid={`${testId}-state`}
      >
        {TRIAGE_STATES.map((s) => (
          <option key={s} value={s}>
            {t(`triage:${s}`)}
          </option>
        ))}
      </select>
      {draft.state === 'not-affected' && (
        <select
          aria-label={t('Justification')}
          value={draft.justification}
          onChange={(e) => onChange({ ...draft, justification: e.target.value as VexJustification | '' })}
          data-testid={`${testId}-justification`}
        >
          <option value="">{t('Justification…')}</option>
          {VEX_JUSTIFICATIONS.map((j) => (
            <option key={j} value={j}>
              {t(`vex:${j}`)}
            </option>
          ))}
        </select>
      )}
      <input
        aria-label={t('Why')}
        placeholder={t('Why (what you checked)')}
        value={draft.detail}
        onChange={(e) => onChange({ ...draft, detail: e.target.value })}
        data-testid={`${testId}-detail`}
      />
    </>
  );
}
