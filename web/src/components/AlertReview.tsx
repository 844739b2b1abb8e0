import { useContext, useEffect, useState } from 'react';
import { channelTexts, type AlertReach, type AlertRecord } from '../../../src/alerts/contract.js';
import { api } from '../api.js';
import { LanguageContext, formatNumber, takesSingular, useCount, useT } from '../i18n.js';
import { AlertAreaMap } from './AlertAreaMap.js';
import { CapPair, CapWord } from './CapWord.js';
import { errorText } from '../errors.js';

const LANGUAGE_NAMES: Record<string, string> = { fr: 'Français', en: 'English', it: 'Italiano', de: 'Deutsch', es: 'Español', mc: 'Munegascu' };
export const CHANNEL_LABEL: Record<string, string> = {
  email: 'E-mail',
  sms: 'SMS',
  push: 'Web Push',
  'cell-broadcast': 'Cell broadcast',
  sirens: 'Sirens and loudspeakers',
  voice: 'Voice',
  'cap-feed': 'Public CAP feed',
  webhook: 'Webhooks',
};
const languageName = (tag: string): string => `${LANGUAGE_NAMES[tag.slice(0, 2).toLowerCase()] ?? tag} (${tag})`;

/**
 * What an approver signs off: the area on the map, who the alert would reach per channel
 * (estimated now by the server, the way delivery will count), and every language side by
 * side with what each channel will carry.
 */
export function AlertReview({ alert }: { alert: AlertRecord }) {
  const t = useT();
  const [reach, setReach] = useState<AlertReach | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api<{ reach: AlertReach }>(`/api/alerts/${alert.alertId}/reach`).then(
      (r) => live && setReach(r.reach),
      (e: unknown) => live && setError(errorText(t, e)),
    );
    return () => {
      live = false;
    };
  }, [alert.alertId, alert.state, alert.submittedAt, t]);
  const infos = alert.cap.info ?? [];
  // Each language block usually repeats the same area: drawn once.
  const areas = [...new Map(infos.flatMap((i) => i.area ?? []).map((a) => [JSON.stringify([a.polygon, a.circle, a.geocode]), a])).values()];
  const { lang } = useContext(LanguageContext);
  const count = useCount();
  const unitLabel: Record<string, string> = {
    subscribers: t('subscribers'),
    devices: t('sirens and loudspeakers'),
    cells: t('cells'),
    feed: t('public feed'),
    endpoints: t('partner systems'),
  };
  // « 1 sirène ou haut-parleur », not « 1 sirènes et haut-parleurs ».
  const unitLabelOne: Record<string, string> = {
    subscribers: t('subscriber'),
    devices: t('siren or loudspeaker'),
    cells: t('cell'),
    feed: t('public feed'),
    endpoints: t('partner system'),
  };
  const unitOf = (unit: string, n: number | null): string | undefined => (n !== null && takesSingular(lang, n) ? unitLabelOne : unitLabel)[unit];
  return (
    <section className="alert-review" data-testid="alert-review" aria-label={t('Before approving')}>
      <div className="review-top">
        <div className="review-map">
          <h3>{t('Target area')}</h3>
          <AlertAreaMap areas={areas} />
        </div>
        <div className="review-reach" data-testid="alert-reach">
          <h3>{t('Estimated reach')}</h3>
          {error && <p className="error">{error}</p>}
          {!reach && !error && <p className="muted">{t('Estimating…')}</p>}
          {reach && (
            <>
              {reach.emptyArea ? (
                <p className="error">{t('The alert has no area: nobody can be targeted.')}</p>
              ) : (
                <p className="reach-people">
                  <strong data-testid="reach-residents">{reach.residents === null ? '–' : formatNumber(reach.residents)}</strong> {t('residents in the area')} (
                  {formatNumber(reach.buildings)} {t('buildings, city model')}) · <strong>{formatNumber(reach.subscribers)}</strong>{' '}
                  {t('subscribers with a place in it')}
                </p>
              )}
              <table className="reach-table">
                <thead>
                  <tr>
                    <th scope="col">{t('Channel')}</th>
                    <th scope="col" className="num">
                      {t('Reach')}
                    </th>
                    <th scope="col">{t('Note')}</th>
                  </tr>
                </thead>
                <tbody>
                  {reach.channels
                    .filter((c) => c.selected)
                    .map((c) => (
                      <tr key={c.channel} data-channel={c.channel} className={c.unavailable ? 'unavailable' : ''}>
                        <th scope="row">{t(CHANNEL_LABEL[c.channel] ?? c.channel)}</th>
                        <td className="num">
                          {c.count === null ? '—' : formatNumber(c.count)} <span className="muted small">{unitOf(c.unit, c.count)}</span>
                        </td>
                        <td className="small">
                          {c.unavailable
                            ? `${t('will not go out')}: ${c.unavailable}`
                            : c.byLanguage && Object.keys(c.byLanguage).length > 0
                              ? Object.entries(c.byLanguage)
                                  .sort((a, b) => b[1] - a[1])
                                  .map(([l, n]) => `${l} ${n}`)
                                  .join(' · ')
                              : c.count === 0
                                ? t('nobody on this channel in the area')
                                : ''}
                        </td>
                      </tr>
                    ))}
                </tbody>
              </table>
              {reach.channels.some((c) => !c.selected && c.count) ? (
                <p className="muted small">
                  {t('Not selected')}:{' '}
                  {reach.channels
                    .filter((c) => !c.selected && c.count)
                    .map((c) => `${t(CHANNEL_LABEL[c.channel] ?? c.channel)} ${c.count}`)
                    .join(' · ')}
                </p>
              ) : null}
              <p className="muted small">{t('Residents are not the people present (visitors, commuters); subscribers and devices as of now.')}</p>
            </>
          )}
        </div>
      </div>
      {infos[0] && (
        <p className="review-codes" data-testid="alert-codes">
          <CapPair field="severity" code={infos[0].severity} /> · <CapPair field="urgency" code={infos[0].urgency} /> ·{' '}
          <CapPair field="certainty" code={infos[0].certainty} /> · <CapPair field="scope" code={alert.cap.scope} /> ·{' '}
          <CapWord field="status" code={alert.cap.status} /> · <CapWord field="msgType" code={alert.cap.msgType} />
        </p>
      )}
      <h3>{t('Every language side by side')}</h3>
      <div className="lang-side" data-testid="alert-languages" style={{ gridTemplateColumns: `repeat(${Math.max(1, infos.length)}, minmax(0, 1fr))` }}>
        {infos.map((info, i) => {
          const texts = channelTexts(alert.cap, info);
          return (
            <article key={i} lang={info.language ?? 'en-US'} className="lang-block" data-lang={info.language ?? 'en-US'}>
              <h4>{languageName(info.language ?? 'en-US')}</h4>
              <p>
                <strong>{info.headline ?? info.event}</strong>
              </p>
              {info.description && <p className="small">{info.description}</p>}
              {info.instruction && (
                <p className="small">
                  <em>{info.instruction}</em>
                </p>
              )}
              <p className="muted small">{info.area?.map((a) => a.areaDesc).join(', ')}</p>
              <details>
                <summary className="small">
                  SMS · {count(texts.smsSizing.segments, 'part', 'parts')} · {t('Cell broadcast')} · {count(texts.cellBroadcast.pages.length, 'page', 'pages')}
                </summary>
                <div className="sms-text small">{texts.sms}</div>
              </details>
            </article>
          );
        })}
      </div>
    </section>
  );
}
