import { api } from '../api.js';
import { useT } from '../i18n.js';
import { subscribePush, type PushKeys } from './push.js';

/** What the person asked: to be told by e-mail, on this device (Web Push), or both. */
export interface NotifyWish {
  email: boolean;
  push: boolean;
}

/** The push subscription of this device when push was asked; throws with the browser's reason when it cannot have one. */
export async function pushKeysFor(wish: NotifyWish): Promise<PushKeys | null> {
  if (!wish.push) return null;
  const { publicKey } = await api<{ publicKey: string }>('/api/public/push/key');
  return subscribePush(publicKey);
}

/**
 * "Tell me when …": the consent, recorded with the report or the answer. By e-mail needs
 * the address given above; on this device asks the browser for a push subscription when sent.
 */
export function NotifyChoice({ legend, hasEmail, wish, onChange }: { legend: string; hasEmail: boolean; wish: NotifyWish; onChange: (w: NotifyWish) => void }) {
  const t = useT();
  return (
    <fieldset data-testid="notify-choice">
      <legend>{legend}</legend>
      <label className="check">
        <input
          type="checkbox"
          name="notify-email"
          checked={wish.email && hasEmail}
          disabled={!hasEmail}
          onChange={(e) => onChange({ ...wish, email: e.target.checked })}
        />{' '}
        {hasEmail ? t('By e-mail') : t('By e-mail (give your e-mail address above)')}
      </label>
      <label className="check">
        <input type="checkbox" name="notify-push" checked={wish.push} onChange={(e) => onChange({ ...wish, push: e.target.checked })} />{' '}
        {t('By a notification on this device')}
      </label>
      <p className="muted small">{t('Used only to tell you this, with your personal link; erased with your other details.')}</p>
    </fieldset>
  );
}
