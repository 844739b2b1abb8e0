import { useT } from '../../i18n.js';
import { LEVELS, type Participant } from './types.js';

export interface Share {
  minClearance: number;
  /** null: every participating organisation. */
  sharedWith: string[] | null;
}

/** Who an item is for: a minimum clearance (never above the author's own level) and, optionally, chosen organisations. */
export function ShareChooser({
  name,
  participants,
  maxLevel,
  value,
  onChange,
}: {
  name: string;
  participants: Participant[];
  maxLevel: number;
  value: Share;
  onChange: (s: Share) => void;
}) {
  const t = useT();
  // What is shared, in words (the name stays the key: "upload", "message", "feature").
  const what = t(`share-item:${name}`);
  const toggle = (orgId: string, on: boolean): void => {
    const current = value.sharedWith ?? [];
    const next = on ? [...current, orgId] : current.filter((o) => o !== orgId);
    onChange({ ...value, sharedWith: next.length > 0 ? next : null });
  };
  return (
    <fieldset className="share" aria-label={t('{name}: who sees it').replace('{name}', what)}>
      <label>
        {t('Minimum clearance')}{' '}
        <select
          aria-label={t('{name} clearance').replace('{name}', what)}
          value={value.minClearance}
          onChange={(e) => onChange({ ...value, minClearance: Number(e.target.value) })}
        >
          {LEVELS.filter((l) => l.level <= maxLevel).map((l) => (
            <option key={l.level} value={l.level}>
              {l.level} · {t(`level:${l.name}`)}
            </option>
          ))}
        </select>
      </label>
      <span className="muted small">{t('Shared with')}:</span>
      {participants.map((p) => (
        <label key={p.orgId} className="small">
          <input
            type="checkbox"
            aria-label={t('{name} share {org}').replace('{name}', what).replace('{org}', p.orgName)}
            checked={value.sharedWith?.includes(p.orgId) ?? false}
            onChange={(e) => toggle(p.orgId, e.target.checked)}
          />{' '}
          {p.orgName}
        </label>
      ))}
      {value.sharedWith === null && <span className="muted small">({t('every participant')})</span>}
    </fieldset>
  );
}
