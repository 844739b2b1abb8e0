import { useCallback, useEffect, useRef, useState } from 'react';
import * as maplibregl from 'maplibre-gl';
import type { FeatureCollection } from 'geojson';
import { api, type Me } from '../api.js';
import { baseStyle, mapLocale } from '../components/basemap.js';
import { TriageFields, triageReady, type TriageDraft } from '../components/TriageFields.js';
import { formatNumber, useT, useTime, withColon } from '../i18n.js';
import { PRIORITIES, TRIAGE_STATES, type FindingView, type InventoryRow, type Priority, type TriageState } from '../../../src/device-security/contract.js';
import { errorText } from '../errors.js';
import { useNames } from '../directory.js';

interface Summary {
  catalogue: { cves: number; kev: number; kevVersion: string | null; sboms: number };
  devices: number;
  devicesWithKnownExploited: number;
  open: Record<Priority, number>;
  all: Record<Priority, number>;
  organisations: { orgId: string; orgName: string; open: Record<Priority, number>; devices: number; kev: number }[];
}

// Dark enough for white text (WCAG AA 4.5:1): P2 orange, P3 ochre.
const COLOURS: Record<Priority, string> = { P1: '#b42318', P2: '#b54708', P3: '#8a5a00', P4: '#667085' };
const empty: FeatureCollection = { type: 'FeatureCollection', features: [] };

/**
 * Device security (docs/device-security.md): the installed base with what runs inside,
 * findings from the offline CVE and KEV data by priority, triage with VEX justifications,
 * affected devices on the map and per organisation. The CSIRT sees every organisation's;
 * an owner's supervisors and admins their own (security-confidential).
 */
export function DeviceSecurityPage({ me, recent }: { me: Me; recent: { seq: number; type: string }[] }) {
  const t = useT();
  const time = useTime();
  const mayImport = me.roles.some((r) => r === 'csirt' || r === 'admin');
  const [summary, setSummary] = useState<Summary | null>(null);
  const [findings, setFindings] = useState<FindingView[]>([]);
  const [total, setTotal] = useState(0);
  const [inventory, setInventory] = useState<InventoryRow[]>([]);
  const [priority, setPriority] = useState<Priority | ''>('');
  const [state, setState] = useState<TriageState | ''>('');
  const [selected, setSelected] = useState<FindingView | null>(null);
  const [showInventory, setShowInventory] = useState(false);
  const csirt = me.roles.includes('csirt');
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [caseTitle, setCaseTitle] = useState('');
  const [opened, setOpened] = useState<{ caseId: string; ref: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const load = useCallback(async () => {
    const q = new URLSearchParams();
    if (priority) q.set('priority', priority);
    if (state) q.set('state', state);
    q.set('limit', '300');
    const [s, f, i] = await Promise.all([
      api<Summary>('/api/device-security'),
      api<{ total: number; findings: FindingView[] }>(`/api/device-security/findings?${q}`),
      api<{ devices: InventoryRow[] }>('/api/device-security/inventory'),
    ]);
    setSummary(s);
    setFindings(f.findings);
    setTotal(f.total);
    setInventory(i.devices);
  }, [priority, state]);
  useEffect(() => void load().catch((e: unknown) => setError(errorText(t, e))), [load, t]);
  const lastSeq = recent.find((e) => e.type.startsWith('device-security.'))?.seq;
  useEffect(() => {
    if (lastSeq) void load().catch(() => {});
  }, [lastSeq, load]);

  // A link from a CSIRT case opens its finding: /device-security?finding=<id>.
  useEffect(() => {
    const findingId = new URLSearchParams(window.location.search).get('finding');
    if (!findingId) return;
    api<{ finding: FindingView }>(`/api/device-security/findings/${encodeURIComponent(findingId)}`).then(
      (r) => setSelected(r.finding),
      (e: unknown) => setError(errorText(t, e)),
    );
  }, [t]);

  const openCase = async (findingIds: string[], title: string): Promise<void> => {
    try {
      const r = await api<{ case: { caseId: string; ref: string } }>('/api/csirt/cases', { body: { title, findingIds } });
      setOpened({ caseId: r.case.caseId, ref: r.case.ref });
      setPicked(new Set());
      setCaseTitle('');
      await load();
      if (selected && findingIds.includes(selected.findingId))
        setSelected((await api<{ finding: FindingView }>(`/api/device-security/findings/${encodeURIComponent(selected.findingId)}`)).finding);
    } catch (e) {
      setError(errorText(t, e));
    }
  };

  // The map: affected devices, coloured by their most urgent open finding.
  const container = useRef<HTMLDivElement>(null);
  const mapRef = useRef<maplibregl.Map | null>(null);
  const [loaded, setLoaded] = useState(false);
  useEffect(() => {
    if (!container.current) return;
    const map = new maplibregl.Map({
      locale: mapLocale(),
      container: container.current,
      style: baseStyle(),
      center: [7.4262, 43.7385],
      zoom: 14.2,
      attributionControl: { compact: true, customAttribution: '© OpenStreetMap contributors' },
    });
    mapRef.current = map;
    map.on('load', () => {
      map.addSource('affected', { type: 'geojson', data: empty });
      map.addLayer({
        id: 'affected',
        type: 'circle',
        source: 'affected',
        paint: { 'circle-color': ['get', 'colour'], 'circle-radius': 7, 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 },
      });
      map.on('click', 'affected', (e) => {
        const label = e.features?.[0]?.properties?.label as string | undefined;
        if (label) new maplibregl.Popup().setLngLat(e.lngLat).setText(label).addTo(map);
      });
      setLoaded(true);
    });
    return () => map.remove();
  }, []);
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !loaded) return;
    const features = inventory
      .filter((d) => d.position && PRIORITIES.some((p) => d.findings[p] > 0))
      .map((d) => {
        const top = PRIORITIES.find((p) => d.findings[p] > 0)!;
        return {
          type: 'Feature' as const,
          properties: { colour: COLOURS[top], label: `${top} · ${d.label} (${d.orgName})` },
          geometry: { type: 'Point' as const, coordinates: d.position! },
        };
      });
    (map.getSource('affected') as maplibregl.GeoJSONSource | undefined)?.setData({ type: 'FeatureCollection', features });
    map.once('idle', () => container.current?.setAttribute('data-drawn', String(features.length)));
  }, [inventory, loaded]);

  const readFile = (file: File): Promise<string> => file.text();
  const importIntel = async (files: FileList | null): Promise<void> => {
    if (!files) return;
    setError(null);
    try {
      let cves = 0;
      let kev = 0;
      for (const file of Array.from(files)) {
        const r = await api<{ cves: number; kev: number }>(`/api/device-security/intel?source=${encodeURIComponent(file.name)}`, {
          body: JSON.parse(await readFile(file)) as unknown,
        });
        cves += r.cves;
        kev += r.kev;
      }
      setMessage(`${withColon(t, t('Imported'))}${cves} ${t('CVE records')}, ${kev} ${t('KEV entries')}`);
      await load();
    } catch (e) {
      setError(errorText(t, e));
    }
  };
  const [sbomMeta, setSbomMeta] = useState({ vendor: '', model: '', firmware: '' });
  const importSbom = async (files: FileList | null): Promise<void> => {
    const file = files?.[0];
    if (!file) return;
    setError(null);
    try {
      const meta = Object.fromEntries(Object.entries(sbomMeta).filter(([, v]) => v.trim()));
      const r = await api<{ sbom: { vendor: string; model: string; firmware: string; components: number } }>('/api/device-security/sboms', {
        body: { document: await readFile(file), ...meta },
      });
      setMessage(`${withColon(t, t('SBOM imported'))}${r.sbom.vendor} ${r.sbom.model} ${r.sbom.firmware} — ${r.sbom.components} ${t('components')}`);
      await load();
    } catch (e) {
      setError(errorText(t, e));
    }
  };

  return (
    <div className="panel device-security">
      <h2>{t('Device security')}</h2>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {message && <p className="ok-box">{message}</p>}
      {summary && (
        <div className="ds-summary" data-testid="ds-summary">
          {PRIORITIES.map((p) => (
            <button
              key={p}
              className={`ds-count ${priority === p ? 'active' : ''}`}
              style={{ borderColor: COLOURS[p] }}
              onClick={() => setPriority(priority === p ? '' : p)}
              data-testid={`ds-count-${p}`}
            >
              <strong style={{ color: COLOURS[p] }}>{summary.open[p]}</strong> {p}
            </button>
          ))}
          <span className="small">
            {summary.devices} {t('devices')} · {summary.devicesWithKnownExploited} {t('with a known exploited vulnerability')} · {summary.catalogue.cves}{' '}
            {t('CVE records')} · KEV {summary.catalogue.kevVersion ?? '—'} ({summary.catalogue.kev})
          </span>
        </div>
      )}
      <div className="row filters">
        {mayImport && (
          <label className="file-button">
            {t('Import CVE / KEV files')}
            <input type="file" accept=".json,application/json" multiple data-testid="ds-intel-file" onChange={(e) => void importIntel(e.target.files)} />
          </label>
        )}
        <input
          aria-label={t('Vendor')}
          placeholder={t('Vendor')}
          value={sbomMeta.vendor}
          onChange={(e) => setSbomMeta({ ...sbomMeta, vendor: e.target.value })}
        />
        <input aria-label={t('Model')} placeholder={t('Model')} value={sbomMeta.model} onChange={(e) => setSbomMeta({ ...sbomMeta, model: e.target.value })} />
        <input
          aria-label={t('Firmware')}
          placeholder={t('Firmware')}
          value={sbomMeta.firmware}
          onChange={(e) => setSbomMeta({ ...sbomMeta, firmware: e.target.value })}
        />
        <label className="file-button">
          {t('Import SBOM (CycloneDX)')}
          <input type="file" accept=".json,.xml,.cdx" data-testid="ds-sbom-file" onChange={(e) => void importSbom(e.target.files)} />
        </label>
        <a href="/api/device-security/export/sbom" download>
          {t('City SBOM')}
        </a>
        <a href="/api/device-security/export/sbom?format=xml" download>
          {t('City SBOM (XML)')}
        </a>
        <a href="/api/device-security/export/vex" download>
          {t('VEX')}
        </a>
      </div>

      <div className="ds-layout">
        <div ref={container} className="ds-map" data-testid="ds-map" />
        <table className="table" data-testid="ds-orgs">
          <thead>
            <tr>
              <th>{t('Organisation')}</th>
              {PRIORITIES.map((p) => (
                <th key={p}>{p}</th>
              ))}
              <th>KEV</th>
              <th>{t('Devices')}</th>
            </tr>
          </thead>
          <tbody>
            {summary?.organisations.map((o) => (
              <tr key={o.orgId}>
                <td>{o.orgName}</td>
                {PRIORITIES.map((p) => (
                  <td key={p}>{o.open[p]}</td>
                ))}
                <td>{o.kev}</td>
                <td>{o.devices}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h3>
        {t('Findings')} ({total})
      </h3>
      <div className="row filters">
        <select aria-label={t('Priority')} value={priority} onChange={(e) => setPriority(e.target.value as Priority | '')}>
          <option value="">{t('All priorities')}</option>
          {PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
        <select aria-label={t('State')} value={state} onChange={(e) => setState(e.target.value as TriageState | '')}>
          <option value="">{t('All states')}</option>
          {TRIAGE_STATES.map((s) => (
            <option key={s} value={s}>
              {t(`triage:${s}`)}
            </option>
          ))}
        </select>
      </div>
      {csirt && (
        <div className="row filters">
          <input
            placeholder={t('Case title')}
            aria-label={t('Case title')}
            value={caseTitle}
            onChange={(e) => setCaseTitle(e.target.value)}
            data-testid="ds-case-title"
          />
          <button
            disabled={picked.size === 0}
            onClick={() => {
              const chosen = findings.filter((f) => picked.has(f.findingId));
              void openCase(
                chosen.map((f) => f.findingId),
                caseTitle ||
                  `${chosen[0]!.cveId}${chosen[0]!.kev ? ` (${t('known exploited')})` : ''} — ${chosen.length === 1 ? chosen[0]!.label : `${chosen.length} ${t('devices')}`}`,
              );
            }}
            data-testid="ds-open-case"
          >
            {t('Open a CSIRT case from the selected findings')} ({picked.size})
          </button>
        </div>
      )}
      {opened && (
        <p className="ok-box" data-testid="ds-case-opened">
          {withColon(t, t('Case opened'))}
          <a href={`/csirt?case=${encodeURIComponent(opened.caseId)}`}>{opened.ref}</a> — {t('the owner organisations were sent an advisory')}
        </p>
      )}
      <div className="table-scroll" tabIndex={0} role="region" aria-label={t('Findings')}>
        <table className="table" data-testid="ds-findings">
          <thead>
            <tr>
              {csirt && <th />}
              <th>{t('Priority')}</th>
              <th>CVE</th>
              <th>{t('Device')}</th>
              <th>{t('Organisation')}</th>
              <th>{t('Through')}</th>
              <th>{t('Match')}</th>
              <th>{t('State')}</th>
              <th>{t('Cases')}</th>
            </tr>
          </thead>
          <tbody>
            {findings.map((f) => (
              <tr key={f.findingId} className={selected?.findingId === f.findingId ? 'selected' : ''} onClick={() => setSelected(f)} data-testid="ds-finding">
                {csirt && (
                  <td onClick={(e) => e.stopPropagation()}>
                    <input
                      type="checkbox"
                      aria-label={`${f.cveId} — ${f.label}`}
                      checked={picked.has(f.findingId)}
                      onChange={(e) => {
                        const next = new Set(picked);
                        if (e.target.checked) next.add(f.findingId);
                        else next.delete(f.findingId);
                        setPicked(next);
                      }}
                    />
                  </td>
                )}
                <td>
                  <span className="ds-priority" style={{ background: COLOURS[f.priority] }}>
                    {f.priority}
                  </span>{' '}
                  <span className="small">{formatNumber(f.score)}</span>
                </td>
                <td className="ds-cve">
                  <span className="nowrap">{f.cveId}</span> {f.kev && <span className="badge danger">{t('known exploited')}</span>}
                  <div className="small">{f.title}</div>
                </td>
                <td>
                  {f.label}
                  <div className="small">
                    {f.vendor} {f.model} {f.firmware} · {t(`exposure:${f.exposure}`)}
                  </div>
                </td>
                <td className="small">{f.orgName}</td>
                <td className="small">{f.component ? `${f.component.name} ${f.component.version}` : t('firmware')}</td>
                <td className="small">{t(`basis:${f.basis}`)}</td>
                <td className="small">{t(`triage:${f.triage.state}`)}</td>
                <td className="small">
                  {(f.cases ?? [])
                    .filter((c) => c.via === 'linked')
                    .map((c) => (
                      <a key={c.caseId} className="nowrap" href={`/csirt?case=${encodeURIComponent(c.caseId)}`} onClick={(e) => e.stopPropagation()}>
                        {c.ref}{' '}
                      </a>
                    ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {selected && (
        <TriageForm
          key={selected.findingId}
          finding={selected}
          time={time}
          onDone={() => void load().then(() => setSelected(null))}
          onError={setError}
          onOpenCase={csirt ? (title) => void openCase([selected.findingId], title) : null}
        />
      )}

      <h3>
        <button className="link" onClick={() => setShowInventory(!showInventory)} data-testid="ds-inventory-toggle">
          {showInventory ? '▾' : '▸'} {t('Inventory')} ({inventory.length})
        </button>
      </h3>
      {showInventory && (
        <div className="table-scroll" tabIndex={0} role="region" aria-label={t('Devices')}>
          <table className="table" data-testid="ds-inventory">
            <thead>
              <tr>
                <th>{t('Device')}</th>
                <th>{t('Organisation')}</th>
                <th>{t('Vendor')}</th>
                <th>{t('Model')}</th>
                <th>{t('Firmware')}</th>
                <th>CPE / purl</th>
                <th>{t('Exposure')}</th>
                <th>{t('Last seen')}</th>
                <th>{t('Findings')}</th>
              </tr>
            </thead>
            <tbody>
              {inventory.map((d) => (
                <tr key={d.assetId ?? d.cityDeviceId}>
                  <td>
                    {d.label}
                    <div className="small">{d.siteName ?? ''}</div>
                  </td>
                  <td className="small">{d.orgName}</td>
                  <td>{d.vendor ?? <em className="small">{t('not described')}</em>}</td>
                  <td>{d.model ?? ''}</td>
                  <td>
                    {d.firmware ?? ''}{' '}
                    {d.components > 0 && (
                      <span className="small">
                        ({d.components} {t('components')})
                      </span>
                    )}
                  </td>
                  <td className="small mono">{d.cpe ?? d.purl ?? ''}</td>
                  <td className="small">{d.exposure ? t(`exposure:${d.exposure}`) : ''}</td>
                  <td className="small">{d.lastSeen ? time(d.lastSeen) : ''}</td>
                  <td className="small">{PRIORITIES.map((p) => (d.findings[p] ? `${p}: ${d.findings[p]} ` : '')).join('')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function TriageForm({
  finding,
  time,
  onDone,
  onError,
  onOpenCase,
}: {
  finding: FindingView;
  time: (iso: string) => string;
  onDone: () => void;
  onError: (e: string) => void;
  onOpenCase: ((title: string) => void) | null;
}) {
  const t = useT();
  const name = useNames();
  const [draft, setDraft] = useState<TriageDraft>({
    state: finding.triage.state === 'new' ? 'confirmed' : finding.triage.state,
    justification: finding.triage.justification ?? '',
    detail: '',
  });
  const save = async (): Promise<void> => {
    const { state, justification, detail } = draft;
    try {
      await api(`/api/device-security/findings/${encodeURIComponent(finding.findingId)}/triage`, {
        body: { state, detail, ...(state === 'not-affected' ? { justification: justification || null } : {}) },
      });
      onDone();
    } catch (e) {
      onError(errorText(t, e));
    }
  };
  return (
    <div className="ds-triage" data-testid="ds-triage">
      <h3>
        {finding.cveId} — {finding.label}
      </h3>
      <p className="small">
        {finding.title} · CVSS {finding.cvss ?? '—'} · {finding.kev ? `${t('known exploited')}, ${t('due')} ${finding.kevDueDate ?? ''}` : ''} ·{' '}
        {withColon(t, t('source'))}
        {finding.source} · {finding.siteName ?? ''}
      </p>
      <p className="small">
        {withColon(t, t('Now'))}
        {t(`triage:${finding.triage.state}`)}
        {finding.triage.justification ? ` (${t(`vex:${finding.triage.justification}`)})` : ''}
        {finding.triage.by !== 'system' ? ` — ${name(finding.triage.by)}, ${time(finding.triage.at)}: ${finding.triage.detail}` : ''}
      </p>
      <div className="small" data-testid="ds-finding-cases">
        {withColon(t, t('CSIRT cases'))}
        {(finding.cases ?? []).length === 0
          ? `${t('none')} `
          : (finding.cases ?? []).map((c) => (
              <span key={c.caseId}>
                <a href={`/csirt?case=${encodeURIComponent(c.caseId)}`}>
                  {c.ref} · {c.title}
                </a>{' '}
                ({t(c.status)}
                {c.via !== 'linked' ? `, ${t(c.via === 'cve' ? 'same CVE' : 'same device')}` : ''}){' '}
              </span>
            ))}
        {onOpenCase && !(finding.cases ?? []).some((c) => c.via === 'linked' && c.status !== 'closed') && (
          <button
            onClick={() => onOpenCase(`${finding.cveId}${finding.kev ? ` (${t('known exploited')})` : ''} — ${finding.label}`)}
            data-testid="ds-finding-open-case"
          >
            {t('Open a CSIRT case')}
          </button>
        )}
      </div>
      <div className="row filters">
        <TriageFields draft={draft} onChange={setDraft} testId="ds-triage" />
        <button onClick={() => void save()} disabled={!triageReady(draft)} data-testid="ds-triage-save">
          {t('Save')}
        </button>
      </div>
    </div>
  );
}
