import { useEffect, useState } from 'react';
import type { PartnerSitRep } from '../../../../src/exchange/contract.js';
import { api } from '../../api.js';
import { useT, useTime } from '../../i18n.js';
import { INCIDENT_STATUS_LABELS, SITREP_VERSION_LABELS, wordFor } from '../../labels.js';
import { TRIAGE } from './types.js';

/**
 * The partner agency's latest situation report about this incident, with where it came from.
 * Shown only when one was received; `refreshKey` reloads it when incident events arrive
 * (SitReps themselves are not on the live feed).
 */
export function PartnerSitRepPanel({ incidentId, refreshKey }: { incidentId: string; refreshKey: unknown }) {
  const t = useT();
  const time = useTime();
  const [sitRep, setSitRep] = useState<PartnerSitRep | null>(null);
  useEffect(() => {
    let live = true;
    api<{ sitRep: PartnerSitRep | null }>(`/api/exchange/incidents/${incidentId}/partner-sitrep`).then(
      (r) => live && setSitRep(r.sitRep),
      () => live && setSitRep(null),
    );
    return () => {
      live = false;
    };
  }, [incidentId, refreshKey]);
  if (!sitRep) return null;
  const c = sitRep.casualties;
  return (
    <div data-testid="partner-sitrep">
      <h3>{t('Latest situation from the partner agency')}</h3>
      <p className="muted small">
        {sitRep.preparedBy} ({sitRep.agency}) · {t('report')} {sitRep.reportNumber} ({wordFor(t, SITREP_VERSION_LABELS, sitRep.version)}) · {t('received')}{' '}
        {time(sitRep.receivedAt)}
      </p>
      <p>
        <span className="status badge" title={sitRep.status}>
          {wordFor(t, INCIDENT_STATUS_LABELS, sitRep.status)}
        </span>{' '}
        P{sitRep.priority} · {sitRep.summary}
      </p>
      {c && (
        <p className="small">
          {t('Casualties')}: {TRIAGE.map((k) => `${t(`triage:${k}`)} ${c[k]}`).join(' · ')}
        </p>
      )}
      {sitRep.resources.length > 0 && (
        <p className="small">
          {t('Resources committed')}: {sitRep.resources.map((r) => `${r.callSign} (${r.organisation})${r.releasedAt ? ` ${t('released')}` : ''}`).join(', ')}
        </p>
      )}
    </div>
  );
}
