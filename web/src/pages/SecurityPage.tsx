import { useState, type FormEvent } from 'react';
import { api, type Me } from '../api.js';
import { useT } from '../i18n.js';

export function SecurityPage({ me, onChanged }: { me: Me; onChanged: () => void }) {
  const t = useT();
  const [enrol, setEnrol] = useState<{ secret: string; otpauthUrl: string } | null>(null);
  const [code, setCode] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pw, setPw] = useState({ currentPassword: '', newPassword: '' });
  const run = async (action: () => Promise<unknown>, ok: string): Promise<void> => {
    setError(null);
    setMessage(null);
    try {
      await action();
      setMessage(ok);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <div className="panel narrow">
      <h2>{t('Security')}</h2>
      <p>
        Signed in as <strong>{me.displayName}</strong> ({me.username ?? me.actor}) — authentication level {me.authLevel}
        {me.authLevel >= 2 ? ' (password and authenticator)' : ' (password)'}.
      </p>
      <h3>Authenticator app (TOTP)</h3>
      {me.totpEnabled ? (
        <p className="ok-box">A second factor is enrolled: sign-in asks for its code.</p>
      ) : enrol ? (
        <form
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            void run(async () => {
              await api('/api/auth/totp/confirm', { body: { code } });
              onChanged();
            }, 'Second factor enabled. Sign in again with a code to reach level 2.');
          }}
        >
          <p>Add this secret to your authenticator app, then enter the code it shows.</p>
          <p className="mono" data-testid="totp-secret">
            {enrol.secret}
          </p>
          <p className="small muted mono">{enrol.otpauthUrl}</p>
          <label>
            Code <input value={code} onChange={(e) => setCode(e.target.value)} inputMode="numeric" required />
          </label>
          <button type="submit">Confirm</button>
        </form>
      ) : (
        <button onClick={() => void run(async () => setEnrol(await api('/api/auth/totp/enroll', { method: 'POST' })), 'Scan or type the secret below.')}>
          Enrol an authenticator app
        </button>
      )}
      <h3>Password</h3>
      <form
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          void run(async () => {
            await api('/api/auth/password', { body: pw });
            setTimeout(onChanged, 1500);
          }, 'Password changed; every session ended — sign in again.');
        }}
      >
        <label>
          Current password <input type="password" value={pw.currentPassword} onChange={(e) => setPw({ ...pw, currentPassword: e.target.value })} required />
        </label>
        <label>
          New password (10+ characters){' '}
          <input type="password" minLength={10} value={pw.newPassword} onChange={(e) => setPw({ ...pw, newPassword: e.target.value })} required />
        </label>
        <button type="submit">Change password</button>
      </form>
      {message && <p className="ok-box">{message}</p>}
      {error && <p className="error">{error}</p>}
    </div>
  );
}
