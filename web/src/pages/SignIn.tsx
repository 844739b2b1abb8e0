import { useEffect, useState, type FormEvent } from 'react';
import { browserSupportsWebAuthn, startAuthentication, type PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import { api, ApiError } from '../api.js';
import { useT } from '../i18n.js';
import { errorText } from '../errors.js';

interface SignInOptions {
  secondFactorRoles: string[];
  demoExemptUsers: string[];
}

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const t = useT();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [needsTotp, setNeedsTotp] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [options, setOptions] = useState<SignInOptions | null>(null);
  useEffect(() => {
    api<SignInOptions>('/api/auth/options').then(setOptions, () => setOptions(null));
  }, []);
  // A fresh node loads the demo city after it starts: say so until it is there (its users sign in then).
  const [demoLoading, setDemoLoading] = useState(false);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const look = (): void => {
      api<{ demo?: string }>('/api/health').then(
        (h) => {
          setDemoLoading(h.demo === 'loading');
          if (h.demo === 'loading') timer = setTimeout(look, 1000);
        },
        () => {},
      );
    };
    look();
    return () => clearTimeout(timer);
  }, []);
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('/api/auth/login', { body: { username, password, ...(needsTotp ? { totp } : {}) } });
      onSignedIn();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'second_factor_required') {
        const methods = (err.details as { methods?: string[] } | null)?.methods ?? ['totp'];
        if (!methods.includes('totp')) setError(t('Sign in with your passkey'));
        else {
          if (needsTotp) setError(errorText(t, err));
          setNeedsTotp(true);
        }
      } else setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  const withPasskey = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const optionsJSON = await api<PublicKeyCredentialRequestOptionsJSON>('/api/auth/passkeys/login/options', { method: 'POST' });
      const response = await startAuthentication({ optionsJSON });
      await api('/api/auth/passkeys/login', { body: { response } });
      onSignedIn();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="signin">
      <form onSubmit={(e) => void submit(e)} aria-label={t('Sign in')}>
        <h1>◉ Vigil</h1>
        {demoLoading && (
          <p className="ok-box" role="status" data-testid="demo-loading">
            {t('The demo city is being prepared (a few seconds on the first start): its users can sign in once it is ready.')}
          </p>
        )}
        <p className="muted">{t('Safe, secure and resilient city operations')}</p>
        <label>
          {t('Username')}
          <input name="username" autoComplete="username webauthn" value={username} onChange={(e) => setUsername(e.target.value)} required autoFocus />
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
        {browserSupportsWebAuthn() && (
          <button type="button" name="passkey" disabled={busy} onClick={() => void withPasskey()}>
            {t('Sign in with a passkey')}
          </button>
        )}
        {options && options.demoExemptUsers.length > 0 ? (
          <p className="small muted" data-testid="demo-exemption">
            {t(
              'This is the demo on this computer: its demo users ({users}) sign in without a second factor so you can look around at once. Any other installation requires a passkey or an authenticator app for {roles}.',
            )
              .replace('{users}', options.demoExemptUsers.join(', '))
              .replace('{roles}', options.secondFactorRoles.join(', '))}
          </p>
        ) : options ? (
          <p className="small muted">
            {options.secondFactorRoles.join(', ')}: {t('a passkey or an authenticator app is required at sign-in')}.
          </p>
        ) : null}
        <a href="/citizen" className="small">
          {t('Public alerts and warnings for citizens')}
        </a>
      </form>
    </div>
  );
}
