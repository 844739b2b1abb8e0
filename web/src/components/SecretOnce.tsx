import { useT } from '../i18n.js';

/** A new webhook secret, shown once for the administrator to copy to the receiver (Vigil keeps only what verifies it). */
export function SecretOnce({ secret, onDone, testId }: { secret: string | null; onDone: () => void; testId: string }) {
  const t = useT();
  if (!secret) return null;
  return (
    <p className="plan-card" data-testid={testId}>
      {t('Secret (shown only now — copy it to the receiver):')} <code>{secret}</code>{' '}
      <button type="button" onClick={onDone}>
        {t('Done')}
      </button>
    </p>
  );
}
