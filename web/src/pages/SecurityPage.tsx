import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { browserSupportsWebAuthn, startRegistration, type PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/browser';
import { api, type Me } from '../api.js';
import { useT, useTime } from '../i18n.js';
import { useAction } from '../use-action.js';

interface Factors {
  totp: boolean;
  passkeys: { id: string; name: string; createdAt: string; lastUsedAt: string | null }[];
}

export function SecurityPage({ me, onChanged }: { me: Me; onChanged: () => void }) {
  const t = useT();
  const time = useTime();
  const [enrol, setEnrol] = useState<{ secret: string; otpauthUrl: string } | null>(null);
  const [code, setCode] = useState('');
  const { notice: message, error, run } = useAction();
  const [pw, setPw] = useState({ currentPassword: '', newPassword: '' });
  const [currentCode, setCurrentCode] = useState('');
  const [factors, setFactors] = useState<Factors | null>(null);
  const [passkeyName, setPasskeyName] = useState('');
  const loadFactors = useCallback(() => {
    api<Factors>('/api/auth/factors').then(setFactors, () => setFactors(null));
  }, []);
  useEffect(loadFactors, [loadFactors]);
  const addPasskey = async (): Promise<void> => {
    const optionsJSON = await api<PublicKeyCredentialCreationOptionsJSON>('/api/auth/passkeys/register/options', { method: 'POST' });
    const response = await startRegistration({ optionsJSON });
    await api('/api/auth/passkeys/register', { body: { response, name: passkeyName || 'passkey' } });
    setPasskeyName('');
    loadFactors();
    onChanged();
  };
  return (
    <div className="panel narrow">
      <h2>{t('Security')}</h2>
      <p>
        {t('Signed in as')} <strong>{me.displayName}</strong> (<span data-username>{me.username ?? me.actor}</span>) — {t('authentication level')}{' '}
        {me.authLevel} {me.authLevel >= 2 ? t('(password and authenticator)') : t('(password)')}.
      </p>
      <h3>{t('Passkeys')}</h3>
      {factors && factors.passkeys.length > 0 ? (
        <ul data-testid="passkeys">
          {factors.passkeys.map((p) => (
            <li key={p.id}>
              <strong>{p.name}</strong>{' '}
              <span className="small muted">
                {t('added')} {time(p.createdAt)}
              </span>{' '}
              <button
                className="small"
                disabled={me.authLevel < 2}
                onClick={() =>
                  void run(async () => {
                    await api(`/api/auth/passkeys/${encodeURIComponent(p.id)}`, { method: 'DELETE' });
                    loadFactors();
                  }, t('Passkey removed.'))
                }
              >
                {t('Remove')}
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">{t('No passkey yet. A passkey signs you in with this device and its PIN or fingerprint, without a password.')}</p>
      )}
      {browserSupportsWebAuthn() && (
        <form
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            void run(addPasskey, t('Passkey added: use “Sign in with a passkey” next time.'));
          }}
        >
          <label>
            {t('Name')}{' '}
            <input
              name="passkey-name"
              value={passkeyName}
              onChange={(e) => setPasskeyName(e.target.value)}
              placeholder={t('e.g. work laptop')}
              maxLength={100}
            />
          </label>
          <button type="submit">{t('Add a passkey')}</button>
        </form>
      )}
      <h3>{t('Authenticator app (TOTP)')}</h3>
      {me.totpEnabled && !enrol ? (
        <form
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            void run(
              async () => setEnrol(await api('/api/auth/totp/enroll', { body: { code: currentCode } })),
              t('Scan or type the new secret below; the current app keeps working until you confirm.'),
            );
          }}
        >
          <p className="ok-box">{t('A second factor is enrolled: sign-in asks for its code.')}</p>
          <label>
            {t('Code of the current app')} <input value={currentCode} onChange={(e) => setCurrentCode(e.target.value)} inputMode="numeric" required />
          </label>
          <button type="submit">{t('Replace the authenticator app')}</button>
        </form>
      ) : enrol ? (
        <form
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            void run(async () => {
              await api('/api/auth/totp/confirm', { body: { code } });
              setEnrol(null);
              setCode('');
              setCurrentCode('');
              onChanged();
            }, t('Second factor enabled: this session is now at level 2.'));
          }}
        >
          <p>{t('Add this secret to your authenticator app, then enter the code it shows.')}</p>
          <p className="mono" data-testid="totp-secret">
            {enrol.secret}
          </p>
          <p className="small muted mono">{enrol.otpauthUrl}</p>
          <label>
            {t('Code')} <input value={code} onChange={(e) => setCode(e.target.value)} inputMode="numeric" required />
          </label>
          <button type="submit">{t('Confirm')}</button>
        </form>
      ) : (
        <button onClick={() => void run(async () => setEnrol(await api('/api/auth/totp/enroll', { method: 'POST' })), t('Scan or type the secret below.'))}>
          {t('Enrol an authenticator app')}
        </button>
      )}
      <h3>{t('Password')}</h3>
      <form
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          void run(async () => {
            await api('/api/auth/password', { body: pw });
            setTimeout(onChanged, 1500);
          }, t('Password changed; your other sessions ended.'));
        }}
      >
        <label>
          {t('Current password')}{' '}
          <input type="password" value={pw.currentPassword} onChange={(e) => setPw({ ...pw, currentPassword: e.target.value })} required />
        </label>
        <label>
          {t('New password (10+ characters)')}{' '}
          <input type="password" minLength={10} value={pw.newPassword} onChange={(e) => setPw({ ...pw, newPassword: e.target.value })} required />
        </label>
        <button type="submit">{t('Change password')}</button>
      </form>
      {message && <p className="ok-box">{message}</p>}
      {error && <p className="error">{error}</p>}
    </div>
  );
}
