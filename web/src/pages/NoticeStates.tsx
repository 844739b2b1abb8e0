import { useT, useTime } from '../i18n.js';
import type { NoticeStateView } from '../../../src/platform/contract.js';

const WHAT_TEXT: Record<NoticeStateView['what'], string> = {
  resolved: 'Resolution',
  merged: 'Merged with another report',
  escalated: 'Turned into an incident',
  decided: 'Decision and how the answer counted',
};
const CHANNEL_TEXT: Record<NoticeStateView['channel'], string> = { email: 'E-mail', push: 'Web Push' };

/** The notices sent to a reporter or a participant: what each told them, on which channel, when, and whether it reached them. */
export function NoticeStates({ notices, testId }: { notices: NoticeStateView[]; testId: string }) {
  const t = useT();
  const time = useTime();
  if (notices.length === 0) return null;
  const stateText = (n: NoticeStateView): string => {
    if (n.state === 'sent') return t('Sent');
    if (n.state === 'failed') return t('Failed');
    return n.attempts > 0 ? `${t('Pending')} (${t('failed attempts')}: ${n.attempts})` : t('Pending');
  };
  return (
    <div className="notice-states" data-testid={testId}>
      <h3 className="small">{t('Notices to the person')}</h3>
      <ul className="small">
        {notices.map((n) => (
          <li key={`${n.what}:${n.channel}`} data-testid="notice-state" data-state={n.state}>
            {t(WHAT_TEXT[n.what])} · {t(CHANNEL_TEXT[n.channel])} · {time(n.at)} · <strong>{stateText(n)}</strong>
            {n.error && (
              <span className="muted">
                {' '}
                — {t('reason')}: {n.error}
              </span>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
