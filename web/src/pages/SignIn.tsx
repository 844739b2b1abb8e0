import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.js';
import { useT } from '../i18n.js';

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const t = useT();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [needsTotp, setNeedsTotp] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('/api/auth/login', { body: { username, password, ...(needsTotp ? { totp } : {}) } });
      onSignedIn();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'second_factor_required') {
        if (needsTotp) setError(err.message);
        setNeedsTotp(true);
      } else setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="signin">
      <form onSubmit={(e) => void submit(e)} aria-label={t('Sign in')}>
        <h1>◉ Vigil</h1>
        <p className="muted">Safe, secure and resilient city operations</p>
        <label>
          {t('Username')}
          <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required autoFocus />
        </label>
        <label>
          {t('Password')}
          <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        {needsTotp && (
          <label>
            {t('Authenticator code')}
            <input name="totp" inputMode="numeric" autoComplete="one-time-code" value={totp} onChange={(e) => setTotp(e.target.value)} required autoFocus />
          </label>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? '…' : t('Sign in')}
        </button>
        <a href="/citizen" className="small">
          {t('Public alerts and warnings for citizens')}
        </a>
      </form>
    </div>
  );
}
