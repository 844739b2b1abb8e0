import { useState, type FormEvent } from 'react';
import { CITIZEN_APP_API_KEY, EMERGENCY_NOTICE, SAFETY_SERVICES } from '../../../src/citizen-reports/contract.js';
import { useT } from '../i18n.js';
import { CitizenMap } from './CitizenMap.js';
import { currentPosition, type Place } from './device.js';
import { NotifyChoice, pushKeysFor, type NotifyWish } from './NotifyChoice.js';
import {
  MAX_QUEUED,
  NetworkDown,
  ReportRefused,
  deviceId,
  loadQueue,
  loadSent,
  postReport,
  preparePhoto,
  saveQueue,
  saveSent,
  tokenOf,
} from './report-store.js';
import { errorText } from '../errors.js';

type L = 'en' | 'fr';

/** Report a problem: the service, where (location or a tap on the map), a photo, what is wrong; sent now or queued until the network is back. */
export function ReportPanel({ lang, place, onSent }: { lang: string; place: Place | null; onSent: () => void }) {
  const t = useT();
  const l: L = lang === 'fr' ? 'fr' : 'en';
  const [code, setCode] = useState('');
  const [where, setWhere] = useState<Place | null>(place);
  const [photo, setPhoto] = useState<string | null>(null);
  const [photoGps, setPhotoGps] = useState(false);
  const [description, setDescription] = useState('');
  const [attributes, setAttributes] = useState<Record<string, string>>({});
  const [contact, setContact] = useState({ first_name: '', email: '', phone: '' });
  const [notify, setNotify] = useState<NotifyWish>({ email: false, push: false });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<{ notice: string; link: string } | null>(null);
  const [queued, setQueued] = useState(false);
  const service = SAFETY_SERVICES.find((s) => s.code === code);

  const locate = async (): Promise<void> => {
    try {
      setWhere(await currentPosition());
    } catch (e) {
      setError(`${t('Your location is not available')}: ${errorText(t, e)}`);
    }
  };

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setError(null);
    if (!service) return setError(t('Choose what you are reporting'));
    if (!where) return setError(t('Show where it is: use your location or tap the map'));
    const wantEmail = notify.email && contact.email.trim() !== '';
    let push: Awaited<ReturnType<typeof pushKeysFor>>;
    try {
      push = await pushKeysFor(notify);
    } catch (err) {
      return setError(`${t('Notifications are not available on this device')}: ${errorText(t, err)}`);
    }
    const channels = [...(wantEmail ? ['email'] : []), ...(push ? ['push'] : [])];
    const fields: Record<string, string> = {
      api_key: CITIZEN_APP_API_KEY,
      service_code: service.code,
      lat: where.lat.toFixed(6),
      long: where.lon.toFixed(6),
      description,
      device_id: deviceId(),
      ...(photoGps ? { photo_location_consent: 'true' } : {}),
      ...(channels.length > 0 ? { notify: channels.join(','), notify_lang: l, ...(push ? { push_subscription: JSON.stringify(push) } : {}) } : {}),
      ...Object.fromEntries(Object.entries(contact).filter(([, v]) => v.trim() !== '')),
      ...Object.fromEntries(Object.entries(attributes).map(([k, v]) => [`attribute[${k}]`, v])),
    };
    setBusy(true);
    try {
      const posted = await postReport(fields, photo);
      saveSent([
        ...loadSent(),
        { reportId: posted.service_request_id, followToken: tokenOf(posted.follow_url), serviceCode: service.code, sentAt: new Date().toISOString() },
      ]);
      setDone({ notice: posted.service_notice, link: posted.follow_url });
      onSent();
    } catch (err) {
      if (err instanceof NetworkDown) {
        const queue = loadQueue();
        if (queue.length >= MAX_QUEUED) setError(t('Too many reports are waiting for the network on this device'));
        else {
          saveQueue([...queue, { queuedAt: new Date().toISOString(), fields, photo }]);
          setQueued(true);
        }
      } else
        setError(`${t('The report was not accepted')}: ${err instanceof ReportRefused ? err.errors.map((x) => errorText(t, x)).join(' ') : errorText(t, err)}`);
    } finally {
      setBusy(false);
    }
  };

  if (done || queued) {
    return (
      <section className="citizen-report" data-testid="report-done">
        <p className="done-box" role="status">
          {queued ? t('No network: your report is kept on this device and will be sent when the network is back.') : t('Thank you: your report was received.')}
        </p>
        {done && <p>{done.notice}</p>}
        {done && (
          <p>
            {t('Follow it with your personal link (keep it; no account needed)')}:{' '}
            <a href={done.link} data-testid="follow-link">
              {t('my report')}
            </a>
          </p>
        )}
        <button
          type="button"
          className="wide"
          onClick={() => {
            setDone(null);
            setQueued(false);
            setCode('');
            setPhoto(null);
            setDescription('');
            setAttributes({});
          }}
        >
          {t('Report something else')}
        </button>
      </section>
    );
  }

  return (
    <form className="citizen-subscribe citizen-report" onSubmit={(e) => void submit(e)} data-testid="report-form">
      <p className="emergency-box" role="note">
        <strong>{t('Emergency? Call 112.')}</strong> {t('This form is for problems that can wait.')}
      </p>
      <fieldset>
        <legend>{t('What are you reporting?')}</legend>
        <div className="services" role="radiogroup" aria-label={t('What are you reporting?')}>
          {SAFETY_SERVICES.map((s) => (
            <label key={s.code} className={`service-choice ${code === s.code ? 'chosen' : ''}`}>
              <input
                type="radio"
                name="service"
                value={s.code}
                checked={code === s.code}
                onChange={() => {
                  setCode(s.code);
                  setAttributes({});
                }}
              />{' '}
              {s.name[l]}
            </label>
          ))}
        </div>
        {service && <p className="muted">{service.description[l]}</p>}
        {service?.emergencyPossible && (
          <p className="emergency-box strong" role="alert" data-testid="call-112">
            {EMERGENCY_NOTICE[l]}
          </p>
        )}
        {service?.attributes.map((a) => (
          <label key={a.code}>
            {a.description[l]}
            {a.required ? ' *' : ''}
            {a.values.length > 0 ? (
              <select
                name={`attribute-${a.code}`}
                required={a.required}
                value={attributes[a.code] ?? ''}
                onChange={(e) => setAttributes((x) => ({ ...x, [a.code]: e.target.value }))}
              >
                <option value="">—</option>
                {a.values.map((v) => (
                  <option key={v.key} value={v.key}>
                    {v.name[l]}
                  </option>
                ))}
              </select>
            ) : (
              <input
                name={`attribute-${a.code}`}
                required={a.required}
                inputMode={a.datatype === 'number' ? 'decimal' : undefined}
                value={attributes[a.code] ?? ''}
                onChange={(e) => setAttributes((x) => ({ ...x, [a.code]: e.target.value }))}
              />
            )}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>{t('Where is it?')}</legend>
        <button type="button" onClick={() => void locate()}>
          {t('Use my location')}
        </button>
        <p className="muted small">{t('or tap the map where it is')}</p>
        <CitizenMap testId="report-map" places={where ? { last: where } : {}} onTap={setWhere} />
        {where && (
          <p className="small" data-testid="report-where">
            {where.lat.toFixed(5)}, {where.lon.toFixed(5)}
          </p>
        )}
      </fieldset>
      <fieldset>
        <legend>{t('Photo and details')}</legend>
        <label>
          {t('Photo (optional)')}
          <input
            type="file"
            name="photo"
            accept="image/jpeg,image/png"
            capture="environment"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) preparePhoto(f).then(setPhoto, (err: unknown) => setError(errorText(t, err)));
              else setPhoto(null);
            }}
          />
        </label>
        {photo && <img className="photo-preview" src={photo} alt={t('The photo you chose')} />}
        <label className="check">
          <input type="checkbox" checked={photoGps} onChange={(e) => setPhotoGps(e.target.checked)} />{' '}
          {t("Keep the photo's own location (otherwise Vigil removes it with the rest of its metadata)")}
        </label>
        <label>
          {t('What is wrong?')}
          <textarea name="description" rows={3} maxLength={4000} value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <p className="muted small">
          {t('The photo, the description and the place are public (the city publishes reports). Do not show faces or number plates.')}
        </p>
      </fieldset>
      <fieldset>
        <legend>{t('Contact (optional)')}</legend>
        <p className="muted small">{t('Only the service handling your report sees these, to call you back; kept one year.')}</p>
        <label>
          {t('First name')}
          <input
            name="first_name"
            autoComplete="given-name"
            value={contact.first_name}
            onChange={(e) => setContact((c) => ({ ...c, first_name: e.target.value }))}
          />
        </label>
        <label>
          {t('E-mail')}
          <input
            name="report-email"
            type="email"
            autoComplete="email"
            value={contact.email}
            onChange={(e) => setContact((c) => ({ ...c, email: e.target.value }))}
          />
        </label>
        <label>
          {t('Phone')}
          <input
            name="report-phone"
            type="tel"
            autoComplete="tel"
            value={contact.phone}
            onChange={(e) => setContact((c) => ({ ...c, phone: e.target.value }))}
          />
        </label>
      </fieldset>
      <NotifyChoice legend={t('Tell me when it is resolved')} hasEmail={contact.email.trim() !== ''} wish={notify} onChange={setNotify} />
      {error && (
        <p className="warn-box" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="primary wide" disabled={busy}>
        {t('Send the report')}
      </button>
    </form>
  );
}
