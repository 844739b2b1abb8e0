import { useState, type FormEvent } from 'react';
import { api } from '../api.js';
import { LANGUAGES, useT } from '../i18n.js';
import { CitizenMap } from './CitizenMap.js';
import { currentPosition, saveSubscription, type DeviceSubscription, type Place, type PlaceKind } from './device.js';
import { pushSupport, subscribePush, unsubscribePush, type PushKeys } from './push.js';
import { errorText } from '../errors.js';

const KINDS: PlaceKind[] = ['last', 'home', 'work'];
const KIND_LABEL: Record<PlaceKind, string> = { last: 'Where I am', home: 'Home', work: 'Work' };

/**
 * Subscribing, and later changing or ending it: places (position or a tap on the
 * map), language, channels, consent. Push is tried when chosen; when the device
 * cannot have it, the person is told and the other channels still work.
 */
export function SubscribePanel({
  lang,
  subscription,
  onChange,
}: {
  lang: string;
  subscription: DeviceSubscription | null;
  onChange: (s: DeviceSubscription | null, place?: Place) => void;
}) {
  const t = useT();
  const [places, setPlaces] = useState<Partial<Record<PlaceKind, Place>>>(subscription?.places ?? {});
  const [tapKind, setTapKind] = useState<PlaceKind>('last');
  const [language, setLanguage] = useState(subscription?.language ?? lang);
  const [email, setEmail] = useState(subscription?.email ?? '');
  const [phone, setPhone] = useState(subscription?.phone ?? '');
  const [push, setPush] = useState(subscription?.push ?? pushSupport() === 'ok');
  const [consent, setConsent] = useState(Boolean(subscription));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [pushProblem, setPushProblem] = useState<string | null>(pushSupport() === 'ok' ? null : pushSupport());

  const run = async (what: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await what();
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  const locate = (): Promise<void> =>
    run(async () => {
      const p = await currentPosition().catch((e: unknown) => {
        throw new Error(`${t('Your position is not available')}: ${errorText(t, e)}`);
      });
      setPlaces((ps) => ({ ...ps, last: p }));
    });

  /** The push subscription when push is chosen and the device can have it; null otherwise (the reason is shown). */
  const pushKeys = async (): Promise<PushKeys | null> => {
    if (!push) return null;
    try {
      const { publicKey } = await api<{ publicKey: string }>('/api/public/push/key');
      const keys = await subscribePush(publicKey);
      setPushProblem(null);
      return keys;
    } catch (e) {
      setPushProblem(errorText(t, e));
      return null;
    }
  };

  const submit = (e: FormEvent): Promise<void> =>
    run(async () => {
      e.preventDefault();
      const locations = KINDS.filter((k) => places[k]).map((k) => ({ kind: k, ...places[k]! }));
      if (locations.length === 0) throw new Error(t('Choose at least one place: your position or a tap on the map.'));
      const keys = await pushKeys();
      if (!keys && !email.trim() && !phone.trim())
        throw new Error(
          push
            ? t('Push notifications are not available on this device: give an e-mail address or a phone number.')
            : t('Choose at least one way to be warned.'),
        );
      const body = { language, consent, email: email.trim() || null, phone: phone.trim() || null, push: keys, locations };
      let token = subscription?.token;
      let subscriberId = subscription?.subscriberId;
      if (token) await api(`/api/public/subscribers/${encodeURIComponent(token)}`, { method: 'PUT', body });
      else
        ({ unsubscribeToken: token, subscriberId } = await api<{ subscriberId: string; unsubscribeToken: string }>('/api/public/subscribers', {
          method: 'POST',
          body,
        }));
      const saved: DeviceSubscription = {
        token: token!,
        subscriberId: subscriberId!,
        language,
        email: body.email ?? '',
        phone: body.phone ?? '',
        push: Boolean(keys),
        places,
      };
      saveSubscription(saved);
      onChange(saved, places.last ?? places.home ?? places.work);
      setNotice(subscription ? t('Your choices are saved.') : t('You are subscribed. Vigil will warn you of alerts covering your places.'));
    });

  const hereNow = (): Promise<void> =>
    run(async () => {
      if (!subscription) return;
      const p = await currentPosition().catch((e: unknown) => {
        throw new Error(`${t('Your position is not available')}: ${errorText(t, e)}`);
      });
      await api(`/api/public/subscribers/${encodeURIComponent(subscription.token)}/location`, { method: 'PUT', body: p });
      const saved = { ...subscription, places: { ...subscription.places, last: p } };
      setPlaces(saved.places);
      saveSubscription(saved);
      onChange(saved, p);
      setNotice(t('Your location is updated.'));
    });

  const leave = (): Promise<void> =>
    run(async () => {
      if (!subscription) return;
      await api(`/api/public/subscribers/${encodeURIComponent(subscription.token)}`, { method: 'DELETE' }).catch((e: { status?: number }) => {
        if (e.status !== 404) throw e; // already gone: forget it here too
      });
      await unsubscribePush().catch(() => {});
      saveSubscription(null);
      setPlaces({});
      setConsent(false);
      onChange(null);
      setNotice(t('You are unsubscribed. Vigil has forgotten your places and contacts.'));
    });

  return (
    <form className="citizen-subscribe" onSubmit={(e) => void submit(e)} data-testid="subscribe-form">
      {subscription && (
        <div className="subscribed-box" data-testid="subscribed">
          <p>{t('You are subscribed on this device.')}</p>
          <div className="row">
            <button type="button" className="primary" onClick={() => void hereNow()} disabled={busy}>
              {t('I am here now')}
            </button>
            <button type="button" className="danger" onClick={() => void leave()} disabled={busy}>
              {t('Unsubscribe')}
            </button>
          </div>
        </div>
      )}
      <fieldset>
        <legend>{t('Your places')}</legend>
        <button type="button" onClick={() => void locate()} disabled={busy}>
          {t('Use my location')}
        </button>
        <div className="row tap-kind" role="radiogroup" aria-label={t('A tap on the map sets')}>
          <span className="muted small">{t('A tap on the map sets')}:</span>
          {KINDS.map((k) => (
            <label key={k} className="chip">
              <input type="radio" name="tap-kind" checked={tapKind === k} onChange={() => setTapKind(k)} /> {t(KIND_LABEL[k])}
            </label>
          ))}
        </div>
        <CitizenMap testId="place-map" places={places} onTap={(p) => setPlaces((ps) => ({ ...ps, [tapKind]: p }))} />
        <ul className="places" data-testid="places">
          {KINDS.filter((k) => places[k]).map((k) => (
            <li key={k} data-kind={k}>
              <span className={`dot dot-${k}`} /> {t(KIND_LABEL[k])}: {places[k]!.lat.toFixed(5)}, {places[k]!.lon.toFixed(5)}
              <button type="button" className="link" onClick={() => setPlaces((ps) => Object.fromEntries(Object.entries(ps).filter(([kk]) => kk !== k)))}>
                {t('Remove')}
              </button>
            </li>
          ))}
        </ul>
      </fieldset>
      <fieldset>
        <legend>{t('How to warn you')}</legend>
        <label className="check">
          <input type="checkbox" name="push" checked={push} onChange={(e) => setPush(e.target.checked)} /> {t('Notifications on this device')}
        </label>
        {pushProblem && push && (
          <p className="warn-box" data-testid="push-problem">
            {t('Push notifications are not available on this device')} ({pushProblem}). {t('Other channels still work.')}
          </p>
        )}
        <label>
          {t('E-mail')}
          <input name="email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          {t('Mobile phone (SMS)')}
          <input name="phone" type="tel" autoComplete="tel" placeholder="+377 6 12 34 56 78" value={phone} onChange={(e) => setPhone(e.target.value)} />
        </label>
        <label>
          {t('Language of the warnings')}
          <select name="language" value={language} onChange={(e) => setLanguage(e.target.value)}>
            {LANGUAGES.map((l) => (
              <option key={l.code} value={l.code}>
                {l.name}
              </option>
            ))}
          </select>
        </label>
      </fieldset>
      <fieldset className="consent">
        <legend>{t('Your consent')}</legend>
        <p>{t('consent.what')}</p>
        <p>{t('consent.why')}</p>
        <p>{t('consent.leave')}</p>
        <label className="check">
          <input type="checkbox" name="consent" checked={consent} onChange={(e) => setConsent(e.target.checked)} required />{' '}
          {t('I agree to be warned and to these data being kept for that purpose.')}
        </label>
      </fieldset>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {notice && (
        <p className="ok-box" role="status" data-testid="notice">
          {notice}
        </p>
      )}
      <button type="submit" className="primary wide" disabled={busy || !consent}>
        {busy ? '…' : subscription ? t('Save my choices') : t('Subscribe')}
      </button>
    </form>
  );
}
