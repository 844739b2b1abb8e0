import { useEffect, useState } from 'react';
import { api } from '../api.js';
import { useT } from '../i18n.js';
import { errorText } from '../errors.js';

interface ReceiverHealth {
  status: 'ok' | 'degraded';
  reason: string | null;
  unrecorded: number;
  restarts: number;
  scheduling: {
    realtime: number | null;
    asked: number;
    nice: number;
    notRealtime: 'off' | 'refused' | 'unsupported' | 'starting' | null;
    detail: string | null;
  };
}

const REFRESH_MS = 10_000;

/**
 * The DC-09 receiver as its administrator checks it: receiving or not, the backlog between its ACKs and
 * the log, its restarts, and whether its ACK path runs at real-time priority — and, when refused, the
 * setting the service lacks (/api/health, refreshed every 10 s).
 */
export function ReceiverStatusPanel() {
  const t = useT();
  const [receiver, setReceiver] = useState<ReceiverHealth | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stopped = false;
    const load = () =>
      api<{ receiver?: ReceiverHealth }>('/api/health').then(
        (h) => !stopped && (setReceiver(h.receiver ?? null), setError(null)),
        (e: unknown) => !stopped && setError(errorText(t, e)),
      );
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [t]);
  const s = receiver?.scheduling;
  return (
    <section data-testid="receiver-status">
      <h3>{t('Alarm receiver (DC-09)')}</h3>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {receiver === null && (
        <p className="muted small">{t('The receiver runs on the main thread of this node (a cluster node): it has no separate acknowledgement path.')}</p>
      )}
      {receiver && s && (
        <dl className="receiver-facts small">
          <dt>{t('State')}</dt>
          <dd data-testid="receiver-state">{receiver.status === 'ok' ? t('Receiving') : `${t('Degraded')}: ${receiver.reason ?? ''}`}</dd>
          <dt>{t('Acknowledged, not yet in the log')}</dt>
          <dd>{t('{n} frames').replace('{n}', String(receiver.unrecorded))}</dd>
          <dt>{t('Restarts since the node started')}</dt>
          <dd>{receiver.restarts}</dd>
          <dt>{t('Acknowledgement path')}</dt>
          <dd data-testid="receiver-scheduling">
            {s.realtime !== null
              ? t('Real-time priority {n}: alarms are acknowledged ahead of the rest of the node and of other programs.').replace('{n}', String(s.realtime))
              : s.notRealtime === 'off'
                ? t('Normal priority (niceness {nice}): real-time priority is turned off (VIGIL_DC09_RECEIVER_RT_PRIORITY=0).').replace(
                    '{nice}',
                    String(s.nice),
                  )
                : s.notRealtime === 'refused'
                  ? t(
                      'Normal priority (niceness {nice}): real-time priority {n} was refused. Under load alarms wait longer for their acknowledgement. Give the service CAP_SYS_NICE, or LimitRTPRIO={n} (systemd) / --ulimit rtprio={n} (Docker).',
                    )
                      .replaceAll('{n}', String(s.asked))
                      .replace('{nice}', String(s.nice))
                  : s.notRealtime === 'unsupported'
                    ? t('Normal priority (niceness {nice}): real-time priority cannot be set on this system.').replace('{nice}', String(s.nice))
                    : t('Real-time priority is being set…')}
            {s.detail && <span className="muted"> ({s.detail})</span>}
          </dd>
        </dl>
      )}
    </section>
  );
}
