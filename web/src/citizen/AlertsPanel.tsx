import { useContext } from 'react';
import type { PublicAlertView, PublicInfo } from '../../../src/alerts/contract.js';
import { LanguageContext, useT, useTime } from '../i18n.js';
import { capWord } from '../labels.js';
import { CitizenMap } from './CitizenMap.js';
import type { Place, PlaceKind } from './device.js';

export type { PublicAlertView } from '../../../src/alerts/contract.js';

/** The info block in the reader's language (same primary language), else the first. */
function infoIn(alert: PublicAlertView, lang: string): PublicInfo {
  return alert.info.find((i) => (i.language ?? '').toLowerCase().split('-')[0] === lang) ?? alert.info[0]!;
}

/**
 * The public alerts in force: those covering the person's place first, each with its
 * headline, what to do, the area on the map, the expiry and evacuation guidance when
 * Vigil has some. Offline, the last list this device received, with its time.
 */
export function AlertsPanel({
  alerts,
  places,
  keptAt,
  focus,
  error,
}: {
  alerts: PublicAlertView[] | null;
  places: Partial<Record<PlaceKind, Place>>;
  keptAt: string | null;
  focus: string | null;
  error: string | null;
}) {
  const t = useT();
  const time = useTime();
  const { lang } = useContext(LanguageContext);
  const hasPlace = Object.keys(places).length > 0;
  return (
    <section className="citizen-alerts" data-testid="citizen-alerts">
      {keptAt && (
        <p className="offline-note" role="status" data-testid="offline">
          {t('Offline: the alerts as last received')} · {time(keptAt)}
        </p>
      )}
      {error && !alerts && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {alerts && alerts.length === 0 && (
        <p className="ok-box" data-testid="no-alerts">
          {t('No public alert is in force.')}
        </p>
      )}
      {alerts && alerts.length > 0 && (
        <CitizenMap testId="alerts-map" places={places} areas={alerts.map((a) => ({ id: a.alertId, covers: a.covers === true, geometry: a.area }))} />
      )}
      {!hasPlace && alerts && alerts.length > 0 && <p className="muted">{t('Give your location to see first the alerts that cover it.')}</p>}
      <ol className="alert-cards">
        {(alerts ?? []).map((a) => {
          const info = infoIn(a, lang);
          const guidance = a.guidanceByLanguage?.[info.language ?? 'en-US'] ?? a.guidance;
          return (
            <li
              key={a.alertId}
              className={`alert-card severity-${info.severity.toLowerCase()}${a.covers ? ' covers' : ''}${focus === a.alertId ? ' focus' : ''}`}
              data-testid="alert-card"
              data-alert-id={a.alertId}
              data-covers={String(a.covers === true)}
            >
              {a.exercise && <p className="exercise-mark">{a.exercise === 'EXERCISE' ? t('EXERCISE — not a real alert') : t('TEST — not a real alert')}</p>}
              {a.covers && <p className="covers-mark">{t('Your location is in this area')}</p>}
              <h2>{info.headline ?? info.event}</h2>
              <p className="meta">
                {info.areaDesc} · {capWord(t, 'severity', info.severity)} · {capWord(t, 'urgency', info.urgency)}
              </p>
              {info.instruction && (
                <div className="instruction">
                  <h3>{t('What to do')}</h3>
                  <p>{info.instruction}</p>
                </div>
              )}
              {guidance && (
                <div className="guidance" data-testid="guidance">
                  <h3>{t('Evacuation guidance')}</h3>
                  <p>{guidance}</p>
                </div>
              )}
              {info.description && <p>{info.description}</p>}
              <p className="meta">
                {t('Issued')} {time(a.sent)}
                {a.expires && (
                  <>
                    {' '}
                    · {t('Until')} {time(a.expires)}
                  </>
                )}
                {info.senderName && <> · {info.senderName}</>}
              </p>
              {info.web && (
                <p>
                  <a href={info.web} rel="noopener noreferrer">
                    {t('More information')}
                  </a>
                </p>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
