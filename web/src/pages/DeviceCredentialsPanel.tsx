import { useCallback, useEffect, useState } from 'react';
import { api } from '../api.js';
import { useT, useTime } from '../i18n.js';
import { DEVICE_KIND_LABELS } from '../labels.js';
import type { DeviceKind } from '../../../src/city/contract.js';
import { errorText } from '../errors.js';

interface MqttDevice {
  deviceId: string;
  label: string;
  kind: string;
  username: string;
  issuedAt: string | null;
}

/** The organisation's MQTT devices: each one's username, and a new secret on demand (shown once; the old one stops working). */
export function DeviceCredentialsPanel() {
  const t = useT();
  const time = useTime();
  const [devices, setDevices] = useState<MqttDevice[]>([]);
  const [shown, setShown] = useState<{ label: string; username: string; secret: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => setDevices((await api<{ devices: MqttDevice[] }>('/api/city/mqtt-credentials')).devices), []);
  useEffect(() => void load().catch((e: unknown) => setError(errorText(t, e))), [load, t]);
  const issue = async (d: MqttDevice): Promise<void> => {
    setError(null);
    try {
      const r = await api<{ username: string; secret: string }>(`/api/city/devices/${encodeURIComponent(d.deviceId)}/mqtt-credential`, { method: 'POST' });
      setShown({ label: d.label, username: r.username, secret: r.secret });
      await load();
    } catch (e) {
      setError(errorText(t, e));
    }
  };
  return (
    <section data-testid="device-credentials">
      <h3>{t('MQTT devices')}</h3>
      <p className="muted small">{t('Each device connects to the MQTT broker with its own username and secret. A new secret replaces the old one at once.')}</p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {shown && (
        <p className="plan-card" data-testid="device-secret">
          {shown.label}: {t('username')} <code data-credential>{shown.username}</code>, {t('secret (shown only now — copy it to the device):')}{' '}
          <code>{shown.secret}</code>{' '}
          <button type="button" onClick={() => setShown(null)}>
            {t('Done')}
          </button>
        </p>
      )}
      <table className="table small">
        <thead>
          <tr>
            <th>{t('Device')}</th>
            <th>{t('Kind')}</th>
            <th>{t('Username')}</th>
            <th>{t('Secret issued')}</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {devices.map((d) => (
            <tr key={d.deviceId}>
              <td>{d.label}</td>
              <td>{t(DEVICE_KIND_LABELS[d.kind as DeviceKind] ?? d.kind)}</td>
              <td className="mono" data-credential>
                {d.username}
              </td>
              <td>{d.issuedAt ? time(d.issuedAt) : t('none')}</td>
              <td>
                <button type="button" onClick={() => void issue(d)}>
                  {d.issuedAt ? t('New secret') : t('Issue secret')}
                </button>
              </td>
            </tr>
          ))}
          {devices.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                {t('No MQTT device yet.')}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
