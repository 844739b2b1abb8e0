import { useCallback, useEffect, useState } from 'react';
import { api, type Me } from '../api.js';
import { useT, useTime } from '../i18n.js';
import type { Hospital, LinkHealth, ReceivedIncident, ResourceMessage, SentIncident } from '../../../src/exchange/contract.js';
import { errorText } from '../errors.js';

const STATE_CLASS: Record<LinkHealth['state'], string> = { connected: 'ok', connecting: 'warn', down: 'bad', off: 'off' };

/**
 * Exchange with the partner agency (docs/exchange.md): the link's health, incidents received
 * from the partner with their origin and sent to it, resource messages, hospital availability.
 */
export function ExchangePage({ me, recent }: { me: Me; recent: unknown[] }) {
  const t = useT();
  const time = useTime();
  const canLink = me.roles.some((r) => r === 'admin' || r === 'supervisor' || r === 'commander' || r === 'operator');
  const [link, setLink] = useState<LinkHealth | null>(null);
  const [received, setReceived] = useState<ReceivedIncident[]>([]);
  const [sent, setSent] = useState<SentIncident[]>([]);
  const [hospitals, setHospitals] = useState<Hospital[]>([]);
  const [messages, setMessages] = useState<ResourceMessage[]>([]);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const [l, i, h, m] = await Promise.all([
        canLink ? api<{ link: LinkHealth }>('/api/exchange/link') : Promise.resolve(null),
        api<{ received: ReceivedIncident[]; sent: SentIncident[] }>('/api/exchange/incidents'),
        api<{ hospitals: Hospital[] }>('/api/exchange/hospitals'),
        api<{ messages: ResourceMessage[] }>('/api/exchange/resource-messages'),
      ]);
      setLink(l?.link ?? null);
      setReceived(i.received);
      setSent(i.sent);
      setHospitals(h.hospitals);
      setMessages(m.messages);
      setError(null);
    } catch (e) {
      setError(errorText(t, e));
    }
  }, [canLink, t]);
  useEffect(() => void load(), [load, recent.length]);
  useEffect(() => {
    const timer = setInterval(() => void load(), 5000);
    return () => clearInterval(timer);
  }, [load]);

  const seconds = (ms: number): string => `${Math.round(ms / 1000)} s`;
  return (
    <div className="panel exchange-page">
      <h2>{t('Exchange with other agencies')}</h2>
      {error && <p className="error">{error}</p>}
      {link && (
        <section className="exchange-link" data-testid="exchange-link">
          <h3>
            {t('Link to the partner agency')}{' '}
            <span className={`badge link-${STATE_CLASS[link.state]}`} data-testid="link-state">
              {t(`link:${link.state}`)}
            </span>
          </h3>
          {link.state === 'off' ? (
            <p className="small">{t('No partner link is configured (VIGIL_EXCHANGE_AMQP_URL).')}</p>
          ) : (
            <dl className="exchange-facts">
              <dt>{t('Hub')}</dt>
              <dd>{link.broker}</dd>
              <dt>{t('This agency')}</dt>
              <dd>{link.agency}</dd>
              <dt>{t('Partner')}</dt>
              <dd>
                {link.partner} {link.partnerOrgName ? `(${link.partnerOrgName})` : <span className="error">{t('organisation not found')}</span>}
              </dd>
              <dt>{t('Connected since')}</dt>
              <dd>{link.connectedSince ? time(link.connectedSince) : '—'}</dd>
              <dt>{t('Waiting for acknowledgement')}</dt>
              <dd data-testid="link-outbox">
                {link.outbox}
                {link.outbox > 0 ? ` · ${t('oldest')} ${seconds(link.oldestUnackedMs)}` : ''}
              </dd>
              <dt>{t('Sent / acknowledged')}</dt>
              <dd>
                {link.sent} / {link.acknowledged} · {t('resent')} {link.retried}
              </dd>
              <dt>{t('Received')}</dt>
              <dd>
                {link.received} · {t('duplicates')} {link.duplicates} · {t('refused')} {link.rejected}
              </dd>
              <dt>{t('Reconnections')}</dt>
              <dd>{link.reconnects}</dd>
              {link.lastError && (
                <>
                  <dt>{t('Last error')}</dt>
                  <dd className="small">{link.lastError}</dd>
                </>
              )}
            </dl>
          )}
        </section>
      )}

      <h3>{t('Incidents from the partner')}</h3>
      <table className="table" data-testid="exchange-received">
        <thead>
          <tr>
            <th>{t('Incident')}</th>
            <th>{t('Origin')}</th>
            <th>{t('Partner status')}</th>
            <th>{t('Status here')}</th>
            <th>{t('Updated')}</th>
          </tr>
        </thead>
        <tbody>
          {received.map((r) => (
            <tr key={r.incidentId}>
              <td>
                <strong>{r.reference}</strong> {r.title}{' '}
                <a className="small" href={`/api/exchange/incidents/${encodeURIComponent(r.incidentId)}/sitrep`} target="_blank" rel="noreferrer">
                  {t('SitRep')}
                </a>
              </td>
              <td>
                {r.agency} · {r.remoteReference}
              </td>
              <td>{t(`status:${r.partnerStatus}`)}</td>
              <td>{t(`status:${r.status}`)}</td>
              <td className="nowrap">{time(r.updatedAt)}</td>
            </tr>
          ))}
          {received.length === 0 && (
            <tr>
              <td colSpan={5} className="small">
                {t('Nothing received yet.')}
              </td>
            </tr>
          )}
        </tbody>
      </table>

      <h3>{t('Incidents shared with the partner')}</h3>
      <table className="table" data-testid="exchange-sent">
        <thead>
          <tr>
            <th>{t('Incident')}</th>
            <th>{t('Messages')}</th>
            <th>{t('Not yet acknowledged')}</th>
            <th>{t('Last acknowledgement')}</th>
          </tr>
        </thead>
        <tbody>
          {sent.map((s) => (
            <tr key={s.incidentId}>
              <td>
                <strong>{s.reference}</strong> {s.title}{' '}
                <a className="small" href={`/api/exchange/incidents/${encodeURIComponent(s.incidentId)}/sitrep`} target="_blank" rel="noreferrer">
                  {t('SitRep')}
                </a>
              </td>
              <td>{s.messages}</td>
              <td>{s.unacknowledged}</td>
              <td className="nowrap">{s.lastAcknowledgedAt ? time(s.lastAcknowledgedAt) : '—'}</td>
            </tr>
          ))}
          {sent.length === 0 && (
            <tr>
              <td colSpan={4} className="small">
                {t('Nothing sent yet.')}
              </td>
            </tr>
          )}
        </tbody>
      </table>

      <h3>{t('Resource requests and commitments')}</h3>
      <table className="table" data-testid="exchange-rm">
        <thead>
          <tr>
            <th>{t('When')}</th>
            <th>{t('Message')}</th>
            <th>{t('rm:from')}</th>
            <th>{t('rm:to')}</th>
            <th>{t('rm:resources')}</th>
          </tr>
        </thead>
        <tbody>
          {messages.map((m) => (
            <tr key={m.messageId}>
              <td className="nowrap">{time(m.sentAt)}</td>
              <td>{t(`rm:${m.type}`)}</td>
              <td>{m.fromOrgName}</td>
              <td>{m.toOrgName}</td>
              <td className="small">{m.resources.map((r) => `${r.quantity} × ${r.typeName}${r.response ? ` (${t(`rm:${r.response}`)})` : ''}`).join(', ')}</td>
            </tr>
          ))}
          {messages.length === 0 && (
            <tr>
              <td colSpan={5} className="small">
                {t('No resource message.')}
              </td>
            </tr>
          )}
        </tbody>
      </table>

      <h3>{t('Hospital availability')}</h3>
      <table className="table" data-testid="exchange-hospitals">
        <thead>
          <tr>
            <th>{t('Hospital')}</th>
            <th>{t('Emergency department')}</th>
            <th>{t('Beds available')}</th>
            <th>{t('Reported')}</th>
          </tr>
        </thead>
        <tbody>
          {hospitals.map((h) => (
            <tr key={h.hospitalId}>
              <td>{h.name}</td>
              <td>
                <span className={`badge ed-${h.edStatus.toLowerCase()}`}>{t(`ed:${h.edStatus}`)}</span>
              </td>
              <td className="small">{h.beds.map((b) => `${b.type} ${b.available}${b.baseline !== null ? `/${b.baseline}` : ''}`).join(' · ')}</td>
              <td className="nowrap">{time(h.lastUpdate)}</td>
            </tr>
          ))}
          {hospitals.length === 0 && (
            <tr>
              <td colSpan={4} className="small">
                {t('No hospital has reported yet (EDXL-HAVE).')}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
