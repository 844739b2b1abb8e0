import { useEffect, useState } from 'react';
import type { CbsMessageRecord, SirenAckStatus, WarningLevel } from '../../../src/alerts/contract.js';

/** A device's level, its name, and whether it acknowledged its command. */
type SirenRow = WarningLevel & { label?: string | null; ack?: SirenAckStatus | null };
import { api } from '../api.js';
import { useT } from '../i18n.js';

type CbsRow = Omit<CbsMessageRecord, 'cells'> & { cells: number };

/** What the progress bars do not say: the CBS messages handed to the CBC, and each warning device's ambient and level. */
export function ChannelDetails({ alertId, refresh }: { alertId: string; refresh: unknown }) {
  const t = useT();
  const [d, setD] = useState<{ cellBroadcast: CbsRow[]; sirens: SirenRow[] } | null>(null);
  useEffect(() => {
    api<{ cellBroadcast: CbsRow[]; sirens: SirenRow[] }>(`/api/alerts/${alertId}/channels`).then(setD, () => setD(null));
  }, [alertId, refresh]);
  if (!d || (d.cellBroadcast.length === 0 && d.sirens.length === 0)) return null;
  return (
    <div className="channel-details" data-testid="channel-details">
      {d.cellBroadcast.length > 0 && (
        <table className="table small" data-testid="cbs-messages">
          <caption>{t('Cell broadcast messages')}</caption>
          <thead>
            <tr>
              <th>{t('Language')}</th>
              <th>{t('Operation')}</th>
              <th>{t('Message identifier')}</th>
              <th>{t('Serial (code/update)')}</th>
              <th>DCS</th>
              <th>{t('Pages')}</th>
              <th>{t('Cells')}</th>
              <th>{t('CBC answer')}</th>
            </tr>
          </thead>
          <tbody>
            {d.cellBroadcast.map((m) => (
              <tr key={m.requestId}>
                <td>{m.language}</td>
                <td>{m.operation === 'stop' ? t('stop') : t('broadcast')}</td>
                <td>{m.messageIdentifier}</td>
                <td>
                  0x{m.serialNumber.toString(16).padStart(4, '0')} ({m.messageCode}/{m.updateNumber})
                </td>
                <td>0x{m.dataCodingScheme.toString(16).padStart(2, '0')}</td>
                <td>{m.pages}</td>
                <td>{m.cells}</td>
                <td>
                  {m.answer
                    ? m.answer.error
                      ? `${t('failed')}: ${m.answer.error}`
                      : `${m.answer.accepted} ${t('accepted')}, ${m.answer.failed} ${t('failed')}`
                    : t('waiting')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {d.sirens.length > 0 && (
        <table className="table small" data-testid="warning-levels">
          <caption>{t('Sirens and loudspeakers: level above the ambient noise')}</caption>
          <thead>
            <tr>
              <th>{t('Device')}</th>
              <th>{t('Ambient')}</th>
              <th>{t('Source')}</th>
              <th>{t('Level')}</th>
              <th>{t('Acknowledged')}</th>
            </tr>
          </thead>
          <tbody>
            {d.sirens.map((s) => (
              <tr key={s.deviceId}>
                <td title={s.deviceId}>{s.label ?? s.deviceId}</td>
                <td>{s.ambientDb} dB(A)</td>
                <td>{s.ambientSource === 'measured' ? t('measured') : t('default for the kind')}</td>
                <td>
                  <strong>{s.levelDb} dB</strong>
                </td>
                <td data-ack={s.ack?.state ?? 'none'} className={s.ack?.state === 'unacknowledged' ? 'error' : undefined}>
                  {s.ack?.state === 'acknowledged'
                    ? t('yes')
                    : s.ack?.state === 'unacknowledged'
                      ? t('no answer — check the siren')
                      : s.ack?.state === 'awaiting'
                        ? t('awaiting')
                        : '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
