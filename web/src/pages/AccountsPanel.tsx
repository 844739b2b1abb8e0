import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api } from '../api.js';
import { useT } from '../i18n.js';
import { KeyholdersEditor } from './KeyholdersEditor.js';
import { PlanEditor, type Plan } from './PlanEditor.js';
import { errorText } from '../errors.js';

interface Account {
  account: string;
  hasKey: boolean;
  keyFormat: string;
  clockOffsetMinutes: number;
  supervisionSeconds: number | null;
  preset: string | null;
  pathFaulted: boolean;
  schedule: { days: ({ open: string; close: string } | null)[]; graceMinutes: number } | null;
  /** Accounts this one's encrypted frames may name (a dialler in front of panels). */
  relayFor?: string[];
}

/**
 * Receiver settings per account (key, clock offset, supervision preset, opening
 * hours), the organisation's action plans and keyholders — for supervisors and admins.
 */
export function AccountsPanel() {
  const t = useT();
  const [accounts, setAccounts] = useState<Account[]>([]);
  const [presets, setPresets] = useState<Record<string, number>>({});
  const [plans, setPlans] = useState<Plan[]>([]);
  const [form, setForm] = useState({ account: '', key: '', preset: '', clockOffsetMinutes: '0', open: '', close: '', graceMinutes: '15', relayFor: '' });
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    const [a, p] = await Promise.all([
      api<{ accounts: Account[]; presets: Record<string, number> }>('/api/alarms/accounts'),
      api<{ plans: Plan[] }>('/api/alarms/plans'),
    ]);
    setAccounts(a.accounts);
    setPresets(a.presets);
    setPlans(p.plans);
  }, []);
  useEffect(() => void load().catch((e: unknown) => setError(errorText(t, e))), [load, t]);

  const save = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setError(null);
    setMessage(null);
    const weekday = form.open && form.close ? { open: form.open, close: form.close } : null;
    try {
      await api(`/api/alarms/accounts/${encodeURIComponent(form.account)}`, {
        method: 'PUT',
        body: {
          ...(form.key ? { key: form.key } : {}),
          preset: form.preset || null,
          ...(form.preset ? {} : { supervisionSeconds: null }),
          clockOffsetMinutes: Number(form.clockOffsetMinutes),
          schedule: weekday ? { days: [null, weekday, weekday, weekday, weekday, weekday, null], graceMinutes: Number(form.graceMinutes) } : null,
          relayFor: form.relayFor.trim() ? form.relayFor.split(/[\s,;]+/).filter(Boolean) : null,
        },
      });
      setMessage(`${t('Account')} ${form.account.toUpperCase()} ${t('saved')}.`);
      setForm({ ...form, key: '' });
      await load();
    } catch (err) {
      setError(errorText(t, err));
    }
  };

  return (
    <div className="panel" data-testid="accounts-panel">
      <h2>{t('Receiver accounts')}</h2>
      <form className="grid-form" onSubmit={(e) => void save(e)}>
        <input
          aria-label={t('Account')}
          placeholder={t('Account (hex)')}
          value={form.account}
          onChange={(e) => setForm({ ...form, account: e.target.value })}
          required
          pattern="[0-9A-Fa-f]{3,16}"
        />
        <input
          aria-label={t('AES key')}
          placeholder={t('AES key (hex or ASCII), blank keeps it')}
          value={form.key}
          onChange={(e) => setForm({ ...form, key: e.target.value })}
          autoComplete="off"
        />
        <select aria-label={t('Supervision preset')} value={form.preset} onChange={(e) => setForm({ ...form, preset: e.target.value })}>
          <option value="">{t('not supervised')}</option>
          {Object.entries(presets).map(([p, s]) => (
            <option key={p} value={p}>
              {p} — {s >= 3600 ? `${Math.round(s / 3600)} h` : s >= 60 ? `${Math.round(s / 60)} min` : `${s} s`}
            </option>
          ))}
        </select>
        <input
          aria-label={t('Clock offset minutes')}
          type="number"
          title={t('minutes the panel clock is ahead of UTC')}
          value={form.clockOffsetMinutes}
          onChange={(e) => setForm({ ...form, clockOffsetMinutes: e.target.value })}
        />
        <input aria-label={t('Opens (Mon–Fri)')} type="time" value={form.open} onChange={(e) => setForm({ ...form, open: e.target.value })} />
        <input aria-label={t('Closes (Mon–Fri)')} type="time" value={form.close} onChange={(e) => setForm({ ...form, close: e.target.value })} />
        <input
          aria-label={t('Grace minutes')}
          type="number"
          min={0}
          max={240}
          value={form.graceMinutes}
          onChange={(e) => setForm({ ...form, graceMinutes: e.target.value })}
        />
        <input
          aria-label={t('Relays for')}
          placeholder={t('Relays for (accounts)')}
          title={t('DC-09: accounts whose events this account’s encrypted frames may carry')}
          value={form.relayFor}
          onChange={(e) => setForm({ ...form, relayFor: e.target.value })}
        />
        <button type="submit">{t('Save')}</button>
      </form>
      {message && <p className="ok-box">{message}</p>}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <table className="table" data-testid="accounts">
        <thead>
          <tr>
            <th>{t('Account')}</th>
            <th>{t('Key')}</th>
            <th>{t('Supervision')}</th>
            <th>{t('Clock')}</th>
            <th>{t('Opening hours')}</th>
            <th>{t('Path')}</th>
          </tr>
        </thead>
        <tbody>
          {accounts.map((a) => (
            <tr key={a.account}>
              <td className="mono">{a.account}</td>
              <td>
                {a.hasKey ? 'AES ✓' : '—'}
                {a.relayFor?.length ? ` · ${t('relays for')} ${a.relayFor.join(', ')}` : ''}
              </td>
              <td>{a.preset ?? (a.supervisionSeconds ? `${a.supervisionSeconds} s` : '—')}</td>
              <td>{a.clockOffsetMinutes ? `UTC${a.clockOffsetMinutes > 0 ? '+' : ''}${a.clockOffsetMinutes / 60} h` : 'UTC'}</td>
              <td className="small">
                {a.schedule?.days.find(Boolean)
                  ? `${a.schedule.days.find(Boolean)!.open}–${a.schedule.days.find(Boolean)!.close} (+${a.schedule.graceMinutes} min)`
                  : '—'}
              </td>
              <td className={a.pathFaulted ? 'bad' : 'ok'}>{a.pathFaulted ? t('FAULT') : t('path:ok')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <PlanEditor plans={plans} onChange={load} />
      <KeyholdersEditor />
    </div>
  );
}
