import { useEffect, useState } from 'react';
import { api } from '../../api.js';
import { useT, useTime } from '../../i18n.js';
import { TRIAGE, type CasualtyCounts, type Incident } from './types.js';

const ZERO: CasualtyCounts = { immediate: 0, delayed: 0, minor: 0, deceased: 0, unknown: 0 };

/**
 * The casualty counts by triage category, with who recorded them and when; the incident's
 * command edits them (a full count each time). Nothing recorded reads as such, not as zeros.
 */
export function CasualtiesPanel({
  incident,
  canEdit,
  run,
}: {
  incident: Incident;
  canEdit: boolean;
  run: (action: () => Promise<unknown>) => Promise<boolean>;
}) {
  const t = useT();
  const time = useTime();
  const recorded = incident.casualties ?? null;
  const [counts, setCounts] = useState<CasualtyCounts>(recorded?.counts ?? ZERO);
  const [editing, setEditing] = useState(false);
  useEffect(() => {
    if (!editing) setCounts(incident.casualties?.counts ?? ZERO);
  }, [incident.casualties, editing]);

  const save = async (): Promise<void> => {
    if (await run(() => api(`/api/incidents/${incident.incidentId}/casualties`, { method: 'PUT', body: counts }))) setEditing(false);
  };

  return (
    <div data-testid="casualties">
      <h3>{t('Casualties')}</h3>
      {recorded ? (
        <p className="muted small">
          {t('Recorded by')} {recorded.byName ?? recorded.by} · {time(recorded.at)}
        </p>
      ) : (
        <p className="muted small">{t('No casualties recorded')}</p>
      )}
      {(recorded || editing) && (
        <table className="table">
          <thead>
            <tr>
              {TRIAGE.map((k) => (
                <th key={k}>{t(`triage:${k}`)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              {TRIAGE.map((k) => (
                <td key={k} data-triage={k}>
                  {editing ? (
                    <input
                      type="number"
                      min={0}
                      max={100000}
                      step={1}
                      aria-label={t(`triage:${k}`)}
                      value={counts[k]}
                      onChange={(e) => setCounts({ ...counts, [k]: Math.max(0, Math.floor(Number(e.target.value) || 0)) })}
                      style={{ width: '5em' }}
                    />
                  ) : (
                    recorded?.counts[k]
                  )}
                </td>
              ))}
            </tr>
          </tbody>
        </table>
      )}
      {canEdit && (
        <p className="row">
          {editing ? (
            <>
              <button onClick={() => void save()} data-testid="casualties-save">
                {t('Save casualties')}
              </button>
              <button onClick={() => setEditing(false)}>{t('Cancel')}</button>
            </>
          ) : (
            <button onClick={() => setEditing(true)} data-testid="casualties-edit">
              {t('Record casualties')}
            </button>
          )}
        </p>
      )}
    </div>
  );
}
