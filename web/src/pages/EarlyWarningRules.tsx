import { useCallback, useEffect, useRef, useState } from 'react';
import type { FeatureCollection } from 'geojson';
import { CHANNELS, SEVERITIES, URGENCIES, type AlertTemplate, type Channel } from '../../../src/alerts/contract.js';
import type { EarlyWarningRule, RuleInput, RuleStatus } from '../../../src/early-warning/contract.js';
import type { Device } from '../../../src/city/contract.js';
import { api, type StoredEvent } from '../api.js';
import { AreaDrawMap, ringToCapPolygon, type Ring } from '../components/AreaDrawMap.js';
import { useT, useTime } from '../i18n.js';
import { useAction } from '../use-action.js';
import { localName } from '../generated-labels.js';
import { CapWord } from '../components/CapWord.js';
import { capWord } from '../labels.js';
import { errorText } from '../errors.js';

/** Device kinds that report readings, and the sensor message type each sends. */
const SENSOR_KINDS = { 'water-level-sensor': 'water-level', 'gas-sensor': 'gas', 'smoke-detector': 'smoke', 'heat-detector': 'heat' } as const;
type SensorKind = keyof typeof SENSOR_KINDS;

interface Form {
  ruleId: string | null;
  name: string;
  kind: SensorKind;
  pick: 'device' | 'area';
  deviceId: string;
  areaId: string;
  measure: 'threshold' | 'state';
  direction: 'above' | 'below';
  threshold: string;
  unit: string;
  hysteresis: string;
  readings: string;
  seconds: string;
  templateId: string;
  languages: string[];
  areaKind: 'circle' | 'neighbourhood' | 'polygon';
  radiusKm: string;
  draftAreaId: string;
  ring: Ring;
  areaDesc: string;
  severity: string;
  urgency: string;
  status: 'Actual' | 'Exercise' | 'Test';
  channels: Channel[];
}

const blank = (): Form => ({
  ruleId: null,
  name: '',
  kind: 'water-level-sensor',
  pick: 'device',
  deviceId: '',
  areaId: '',
  measure: 'threshold',
  direction: 'above',
  threshold: '2',
  unit: 'm',
  hysteresis: '0.3',
  readings: '3',
  seconds: '60',
  templateId: 'flood',
  languages: ['fr-MC', 'en-GB'],
  areaKind: 'circle',
  radiusKm: '0.5',
  draftAreaId: '',
  ring: [],
  areaDesc: '',
  severity: 'Severe',
  urgency: 'Immediate',
  status: 'Actual',
  channels: ['email', 'sms', 'push', 'sirens', 'cap-feed'],
});

function formOf(r: EarlyWarningRule): Form {
  const f = blank();
  const kind = 'deviceKind' in r.sensors ? (r.sensors.deviceKind as SensorKind) : f.kind;
  const a = r.draft.area;
  return {
    ...f,
    ruleId: r.ruleId,
    name: r.name,
    kind,
    pick: 'deviceIds' in r.sensors ? 'device' : 'area',
    deviceId: 'deviceIds' in r.sensors ? r.sensors.deviceIds[0]! : '',
    areaId: 'areaId' in r.sensors ? (r.sensors.areaId ?? '') : '',
    measure: r.measure.type,
    ...(r.measure.type === 'threshold'
      ? { direction: r.measure.direction, threshold: String(r.measure.threshold), unit: r.measure.unit, hysteresis: String(r.measure.hysteresis) }
      : {}),
    readings: String(r.persistence.readings),
    seconds: String(r.persistence.seconds),
    templateId: r.draft.templateId,
    languages: r.draft.languages,
    areaKind: a.kind,
    radiusKm: a.kind === 'circle' ? String(a.radiusKm) : f.radiusKm,
    draftAreaId: a.kind === 'neighbourhood' ? a.areaId : '',
    areaDesc: a.kind === 'polygon' ? a.areaDesc : '',
    severity: r.draft.severity,
    urgency: r.draft.urgency,
    status: r.draft.status,
    channels: r.draft.channels,
  };
}

function inputOf(f: Form, devices: Device[]): RuleInput {
  const sensorType = SENSOR_KINDS[f.kind];
  const kindOfDevice = devices.find((d) => d.id === f.deviceId)?.kind as SensorKind | undefined;
  return {
    name: f.name.trim(),
    sensors: f.pick === 'device' ? { deviceIds: [f.deviceId] } : { deviceKind: f.kind, areaId: f.areaId || null },
    measure:
      f.measure === 'threshold'
        ? {
            type: 'threshold',
            sensorType: kindOfDevice ? SENSOR_KINDS[kindOfDevice] : sensorType,
            direction: f.direction,
            threshold: Number(f.threshold),
            unit: f.unit.trim(),
            hysteresis: Number(f.hysteresis),
          }
        : { type: 'state', sensorType: kindOfDevice ? SENSOR_KINDS[kindOfDevice] : sensorType },
    persistence: { readings: Number(f.readings), seconds: Number(f.seconds) },
    draft: {
      templateId: f.templateId,
      languages: f.languages,
      area:
        f.areaKind === 'circle'
          ? { kind: 'circle', radiusKm: Number(f.radiusKm) }
          : f.areaKind === 'neighbourhood'
            ? { kind: 'neighbourhood', areaId: f.draftAreaId }
            : { kind: 'polygon', areaDesc: f.areaDesc.trim() || 'Drawn area', polygon: f.ring.length >= 3 ? ringToCapPolygon(f.ring) : '' },
      severity: f.severity as RuleInput['draft']['severity'],
      urgency: f.urgency as RuleInput['draft']['urgency'],
      status: f.status,
      channels: f.channels,
    },
  };
}

/** What a rule watches for, in a line. */
function conditionText(r: EarlyWarningRule, t: (k: string) => string): string {
  const m = r.measure;
  const what =
    m.type === 'threshold'
      ? `${m.sensorType} ${t(m.direction)} ${m.threshold} ${m.unit} (${t('clears at')} ${m.direction === 'above' ? m.threshold - m.hysteresis : m.threshold + m.hysteresis} ${m.unit})`
      : `${m.sensorType} ${t('in alarm')}`;
  return `${what} · ${r.persistence.readings} ${t('reading(s)')} / ${r.persistence.seconds} s`;
}

/**
 * Early-warning rules: which sensors, what condition for how long, and the alert
 * drafted for approval when it holds. Alert officers create, edit, enable and disable them.
 */
export function EarlyWarningRules({ isOfficer, recent, onOpenAlert }: { isOfficer: boolean; recent: StoredEvent[]; onOpenAlert: (alertId: string) => void }) {
  const t = useT();
  const time = useTime();
  const [rules, setRules] = useState<RuleStatus[]>([]);
  const [templates, setTemplates] = useState<AlertTemplate[]>([]);
  const [devices, setDevices] = useState<Device[]>([]);
  const [areas, setAreas] = useState<{ id: string; name: string; level: string }[]>([]);
  const [form, setForm] = useState<Form | null>(null);

  const load = useCallback(async () => setRules((await api<{ rules: RuleStatus[] }>('/api/alerts/rules')).rules), []);
  const { busy, error, setError, run } = useAction(load);
  useEffect(() => {
    void load().catch((e: unknown) => setError(errorText(t, e)));
    void api<{ templates: AlertTemplate[] }>('/api/alerts/templates').then(
      (r) => setTemplates(r.templates),
      () => {},
    );
    void Promise.all(Object.keys(SENSOR_KINDS).map((k) => api<{ devices: Device[] }>(`/api/city/devices?kind=${k}`))).then(
      (r) => setDevices(r.flatMap((x) => x.devices)),
      () => {},
    );
    void api<FeatureCollection>('/api/city/areas').then(
      (fc) => setAreas(fc.features.map((f) => ({ id: String(f.id), name: String(f.properties?.name ?? f.id), level: String(f.properties?.level ?? '') }))),
      () => {},
    );
  }, [load, setError, t]);
  // Rules and their readings follow the live feed: a rule event, a sensor reading or a drafted alert.
  // At most one reload a second: a busy city sends many readings.
  const lastSeq = recent.find((e) => e.type.startsWith('alerts.') || e.type === 'alarms.signal.received')?.seq;
  const reloading = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    if (!lastSeq || reloading.current) return;
    reloading.current = setTimeout(() => {
      reloading.current = null;
      void load().catch(() => {});
    }, 1000);
  }, [lastSeq, load]);
  useEffect(
    () => () => {
      if (reloading.current) clearTimeout(reloading.current);
    },
    [],
  );

  const save = async (): Promise<void> => {
    if (!form) return;
    const body = inputOf(form, devices);
    const ok = await run(() =>
      form.ruleId ? api(`/api/alerts/rules/${form.ruleId}`, { method: 'PUT', body }) : api('/api/alerts/rules', { method: 'POST', body }),
    );
    if (ok) setForm(null);
  };

  const template = templates.find((x) => x.id === form?.templateId);
  // A device by its name in the reader's language (a generated one from its parts).
  const label = (id: string): string => {
    const d = devices.find((x) => x.id === id);
    return d ? localName(t, d.label, d.labelParts) : id;
  };
  const set = (patch: Partial<Form>): void => setForm((f) => (f ? { ...f, ...patch } : f));

  return (
    <div className="rules-panel" data-testid="rules-panel">
      <h2>{t('Early-warning rules')}</h2>
      <p className="muted small">
        {t('When a rule’s condition holds long enough, Vigil drafts the alert and submits it for approval; it never issues by itself.')}
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {isOfficer && !form && <button onClick={() => setForm(blank())}>{t('New rule')}</button>}
      {form && (
        <form
          className="alert-form rule-form"
          aria-label={t('Early-warning rule')}
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <h3>{form.ruleId ? t('Edit rule') : t('New rule')}</h3>
          <input
            aria-label={t('Rule name')}
            placeholder={t('Rule name (e.g. Harbour gauge above 2 m)')}
            value={form.name}
            onChange={(e) => set({ name: e.target.value })}
            required
          />
          <fieldset className="kinds">
            <legend>{t('Sensors')}</legend>
            <select
              aria-label={t('Sensor kind')}
              value={form.kind}
              onChange={(e) => {
                const kind = e.target.value as SensorKind;
                set({
                  kind,
                  deviceId: '',
                  measure: kind === 'smoke-detector' ? 'state' : form.measure,
                  unit: kind === 'gas-sensor' ? 'ppm' : kind === 'heat-detector' ? '°C' : 'm',
                });
              }}
            >
              {Object.keys(SENSOR_KINDS).map((k) => (
                <option key={k} value={k}>
                  {t(k)}
                </option>
              ))}
            </select>
            <label>
              <input type="radio" checked={form.pick === 'device'} onChange={() => set({ pick: 'device' })} /> {t('one device')}
            </label>
            <label>
              <input type="radio" checked={form.pick === 'area'} onChange={() => set({ pick: 'area' })} /> {t('every device of this kind in an area')}
            </label>
            {form.pick === 'device' ? (
              <select aria-label={t('Device')} value={form.deviceId} onChange={(e) => set({ deviceId: e.target.value })} required>
                <option value="">{t('Choose a device…')}</option>
                {devices
                  .filter((d) => d.kind === form.kind)
                  .map((d) => (
                    <option key={d.id} value={d.id}>
                      {localName(t, d.label, d.labelParts)}
                    </option>
                  ))}
              </select>
            ) : (
              <select aria-label={t('Sensor area')} value={form.areaId} onChange={(e) => set({ areaId: e.target.value })}>
                <option value="">{t('The whole city')}</option>
                {areas
                  .filter((a) => a.level !== 'city')
                  .map((a) => (
                    <option key={a.id} value={a.id}>
                      {a.name}
                    </option>
                  ))}
              </select>
            )}
          </fieldset>
          <fieldset className="kinds">
            <legend>{t('Condition')}</legend>
            <select aria-label={t('Measure')} value={form.measure} onChange={(e) => set({ measure: e.target.value as Form['measure'] })}>
              <option value="threshold">{t('a value crosses a threshold')}</option>
              <option value="state">{t('the sensor reports an alarm')}</option>
            </select>
            {form.measure === 'threshold' && (
              <>
                <select aria-label={t('Direction')} value={form.direction} onChange={(e) => set({ direction: e.target.value as Form['direction'] })}>
                  <option value="above">{t('above')}</option>
                  <option value="below">{t('below')}</option>
                </select>
                <input
                  aria-label={t('Threshold')}
                  type="number"
                  step="any"
                  value={form.threshold}
                  onChange={(e) => set({ threshold: e.target.value })}
                  required
                />
                <input aria-label={t('Unit')} className="narrow" value={form.unit} onChange={(e) => set({ unit: e.target.value })} required />
                <label className="small">
                  {t('hysteresis')}{' '}
                  <input
                    aria-label={t('Hysteresis')}
                    type="number"
                    step="any"
                    min={0}
                    value={form.hysteresis}
                    onChange={(e) => set({ hysteresis: e.target.value })}
                    required
                  />
                </label>
              </>
            )}
            <label className="small">
              {t('for at least')}{' '}
              <input
                aria-label={t('Readings')}
                type="number"
                min={1}
                max={1000}
                value={form.readings}
                onChange={(e) => set({ readings: e.target.value })}
                required
              />{' '}
              {t('reading(s)')}
            </label>
            <label className="small">
              {t('and')}{' '}
              <input
                aria-label={t('Seconds')}
                type="number"
                min={0}
                max={86400}
                value={form.seconds}
                onChange={(e) => set({ seconds: e.target.value })}
                required
              />{' '}
              s
            </label>
          </fieldset>
          <fieldset className="kinds">
            <legend>{t('Alert to draft')}</legend>
            <select
              aria-label={t('Rule template')}
              value={form.templateId}
              onChange={(e) => {
                const tpl = templates.find((x) => x.id === e.target.value);
                set({ templateId: e.target.value, ...(tpl ? { languages: Object.keys(tpl.texts), severity: tpl.severity, urgency: tpl.urgency } : {}) });
              }}
            >
              {templates.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
            </select>
            {Object.keys(template?.texts ?? {}).map((l) => (
              <label key={l}>
                <input
                  type="checkbox"
                  checked={form.languages.includes(l)}
                  onChange={(e) => set({ languages: e.target.checked ? [...form.languages, l] : form.languages.filter((x) => x !== l) })}
                />{' '}
                {l}
              </label>
            ))}
            <select aria-label={t('Rule severity')} value={form.severity} onChange={(e) => set({ severity: e.target.value })}>
              {SEVERITIES.map((x) => (
                <option key={x} value={x} title={t('CAP severity: {code}').replace('{code}', x)}>
                  {capWord(t, 'severity', x)}
                </option>
              ))}
            </select>
            <select aria-label={t('Rule urgency')} value={form.urgency} onChange={(e) => set({ urgency: e.target.value })}>
              {URGENCIES.map((x) => (
                <option key={x} value={x} title={t('CAP urgency: {code}').replace('{code}', x)}>
                  {capWord(t, 'urgency', x)}
                </option>
              ))}
            </select>
            <select aria-label={t('Rule status')} value={form.status} onChange={(e) => set({ status: e.target.value as Form['status'] })}>
              <option value="Actual">{t('Actual')}</option>
              <option value="Exercise">{t('Exercise')}</option>
              <option value="Test">{t('Test')}</option>
            </select>
          </fieldset>
          <fieldset className="kinds">
            <legend>{t('Target area')}</legend>
            <select aria-label={t('Rule area')} value={form.areaKind} onChange={(e) => set({ areaKind: e.target.value as Form['areaKind'] })}>
              <option value="circle">{t('a circle around the sensor')}</option>
              <option value="neighbourhood">{t('a neighbourhood')}</option>
              <option value="polygon">{t('a drawn polygon')}</option>
            </select>
            {form.areaKind === 'circle' && (
              <label className="small">
                <input
                  aria-label={t('Radius')}
                  type="number"
                  step="any"
                  min={0.05}
                  max={100}
                  value={form.radiusKm}
                  onChange={(e) => set({ radiusKm: e.target.value })}
                  required
                />{' '}
                km
              </label>
            )}
            {form.areaKind === 'neighbourhood' && (
              <select aria-label={t('Rule neighbourhood')} value={form.draftAreaId} onChange={(e) => set({ draftAreaId: e.target.value })} required>
                <option value="">{t('Choose a neighbourhood…')}</option>
                {areas
                  .filter((a) => a.level !== 'city')
                  .map((a) => (
                    <option key={a.id} value={a.id}>
                      {a.name}
                    </option>
                  ))}
              </select>
            )}
          </fieldset>
          {form.areaKind === 'polygon' && (
            <>
              <input
                aria-label={t('Rule area description')}
                placeholder={t('Area name (e.g. Fontvieille harbour)')}
                value={form.areaDesc}
                onChange={(e) => set({ areaDesc: e.target.value })}
              />
              <AreaDrawMap ring={form.ring} onChange={(ring, name) => setForm((f) => (f ? { ...f, ring, areaDesc: name ?? f.areaDesc } : f))} />
            </>
          )}
          <fieldset className="kinds">
            <legend>{t('Channels')}</legend>
            {CHANNELS.map((c) => (
              <label key={c}>
                <input
                  type="checkbox"
                  checked={form.channels.includes(c)}
                  onChange={(e) => set({ channels: e.target.checked ? [...form.channels, c] : form.channels.filter((x) => x !== c) })}
                />{' '}
                {c}
              </label>
            ))}
          </fieldset>
          <div className="row">
            <button type="submit" disabled={busy || form.languages.length === 0}>
              {t('Save rule')}
            </button>
            <button type="button" onClick={() => setForm(null)}>
              {t('Cancel')}
            </button>
          </div>
        </form>
      )}
      <ul className="rule-list" data-testid="rule-list">
        {rules.map((s) => (
          <li key={s.rule.ruleId} className={`plan-card ${s.rule.enabled ? '' : 'disabled'}`} data-rule={s.rule.name}>
            <div className="row-end">
              {isOfficer && (
                <button onClick={() => setForm(formOf(s.rule))} disabled={busy}>
                  {t('Edit')}
                </button>
              )}
              {isOfficer && (
                <button
                  onClick={() => void run(() => api(`/api/alerts/rules/${s.rule.ruleId}/${s.rule.enabled ? 'disable' : 'enable'}`, { method: 'POST' }))}
                  disabled={busy}
                >
                  {s.rule.enabled ? t('Disable') : t('Enable')}
                </button>
              )}
            </div>
            <strong>{s.rule.name}</strong>{' '}
            <span className={`badge ${!s.rule.enabled ? '' : s.openDraft ? 'bad' : s.latched ? 'warn' : 'ok'}`} data-testid="rule-state">
              {!s.rule.enabled ? t('disabled') : s.openDraft ? t('draft waiting') : s.latched ? t('triggered') : t('armed')}
            </span>
            <div className="small">
              {conditionText(s.rule, t)} · {s.watching} {t('sensor(s)')} · {s.rule.draft.templateId} ({s.rule.draft.languages.join(', ')}) ·{' '}
              <CapWord field="severity" code={s.rule.draft.severity} />
            </div>
            {s.openDraft && (
              <button className="link" onClick={() => onOpenAlert(s.openDraft!)}>
                {t('Open the drafted alert')}
              </button>
            )}
            {s.failure && (
              <p className="error small">
                {t('Could not draft')}: {s.failure}
              </p>
            )}
            {s.lastReadings.length > 0 && (
              <div className="muted small" data-testid="rule-readings">
                {s.lastReadings
                  .slice(0, 3)
                  .map(
                    (r) =>
                      `${label(r.deviceId)}: ${r.value !== null ? `${r.value}${r.unit ? ` ${r.unit}` : ''}` : r.state} (${time(new Date(r.at).toISOString(), 'time')})`,
                  )
                  .join(' · ')}
              </div>
            )}
          </li>
        ))}
        {rules.length === 0 && <li className="muted">{t('No early-warning rule yet.')}</li>}
      </ul>
    </div>
  );
}
