import { useEffect, useState } from 'react';
import { api } from '../api.js';
import { useT } from '../i18n.js';
import { errorText } from '../errors.js';

/**
 * The page behind the personal link in a warning message: the person says whether
 * they are safe or need help. No account; the link itself proves who answers.
 */
export function SafePage({ token }: { token: string }) {
  const t = useT();
  const [info, setInfo] = useState<{ headline: string; language: string | null; status: string; answer: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<{ headline: string; language: string | null; status: string; answer: string | null }>(`/api/public/answers/${encodeURIComponent(token)}`).then(
      setInfo,
      (e: unknown) => setError(errorText(t, e)),
    );
  }, [token, t]);
  const answer = async (a: 'safe' | 'need-help'): Promise<void> => {
    try {
      await api(`/api/public/answers/${encodeURIComponent(token)}`, { method: 'POST', body: { answer: a } });
      setInfo((i) => (i ? { ...i, answer: a } : i));
    } catch (e) {
      setError(errorText(t, e));
    }
  };
  return (
    <div className="safe-page" data-testid="safe-page">
      <h1>◉ Vigil</h1>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {info && (
        <>
          <h2 lang={info.language ?? undefined}>
            {info.status !== 'Actual' ? `[${info.status.toUpperCase()}] ` : ''}
            {info.headline}
          </h2>
          <p>{t('Are you safe?')}</p>
          <div className="row">
            <button className={info.answer === 'safe' ? 'active' : ''} onClick={() => void answer('safe')}>
              {t('I am safe')}
            </button>
            <button className={`danger ${info.answer === 'need-help' ? 'active' : ''}`} onClick={() => void answer('need-help')}>
              {t('I need help')}
            </button>
          </div>
          {info.answer && (
            <p className="ok-box" data-testid="answer">
              {info.answer === 'safe' ? t('Thank you — you are marked safe.') : t('Help is informed. Stay where you are if it is safe to do so.')}
            </p>
          )}
        </>
      )}
    </div>
  );
}
