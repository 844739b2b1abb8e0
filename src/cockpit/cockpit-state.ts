import { neighbourhoodLocator, type CityReadPort } from '../city/contract.js';
import type { Agreement } from './agreements.js';
import type { SubscribersReadPort } from '../alerts/contract.js';
import type { StoredEvent } from '../platform/event-log.js';
import type { Projection } from '../platform/projection.js';
import { loadCatalogue, type Catalogue } from './catalogue.js';
import { AreaIndex } from './engine/area-index.js';
import type { EvaluationSources } from './engine/evaluate.js';
import { MeasureStore } from './engine/measure-store.js';
import { StatisticsTable } from './engine/statistics-table.js';
import { ZoneCalendar } from './engine/zone-calendar.js';
import type { CockpitEvents, PeerRecord } from './model.js';
import { OperationalFeed } from './operational/operational-feed.js';
import { computeCoverage, type CoverageSnapshot } from './operational/warning-coverage.js';

/** What the cockpit reads of device security (its read port, structurally: the cockpit does not import the capability). */
export interface DeviceSecurityFigures {
  knownExploitedShare(orgId: string | null): { devices: number; withKnownExploited: number };
  patchCoverage(orgId: string | null): { findings: number; resolved: number };
}

const DEVICE_SECURITY_VARIABLES = new Set(['devices-inventoried', 'devices-known-exploited', 'device-findings', 'device-findings-resolved']);

export interface ImportSummary {
  importId: string;
  kind: 'statistics' | 'peers';
  source: string;
  format: 'csv' | 'json';
  records: number;
  at: string;
  by: string;
}

/**
 * The cockpit's read model: the engine's measures fed from alarms, alerts and
 * incidents, imported statistics and peers' values — rebuilt from the log like
 * every projection. The aggregation tree follows the city model (rebuilt when
 * the city changes).
 */
export class CockpitState implements Projection {
  readonly name = 'cockpit';
  readonly typePrefixes = [
    'city.',
    'alarms.alarm.',
    'alarms.signal.received',
    'alerts.alert.issued',
    'alerts.delivery.updated',
    'alerts.delivery.progressed',
    'alerts.delivery.queued',
    'alerts.subscriber.',
    'incidents.incident.opened',
    'incidents.incident.status-changed',
    'units.unit.registered',
    'units.unit.status-changed',
    'citizen-reports.report.',
    'cockpit.',
    'csirt.case.',
  ];
  readonly catalogue: Catalogue = loadCatalogue();
  readonly calendar: ZoneCalendar;
  readonly statistics = new StatisticsTable();
  readonly peers: (PeerRecord & { source: string })[] = [];
  readonly imports: ImportSummary[] = [];
  readonly agreements = new Map<string, Agreement>();
  readonly measures: MeasureStore;
  readonly feed: OperationalFeed;
  private index: AreaIndex;
  private indexDirty = true;
  private coverage: CoverageSnapshot | null = null;
  /** Residents inside a fire station's isochrone, per area: set by the routing engine when it exists. */
  private nearFireStation: { minutes: number; rows: Map<string, number>; ref: string } | null = null;

  constructor(
    private readonly city: CityReadPort,
    private readonly subscribers: SubscribersReadPort,
    timeZone: string,
    private readonly now: () => number = Date.now,
  ) {
    this.calendar = new ZoneCalendar(timeZone);
    this.index = new AreaIndex(city);
    this.measures = new MeasureStore(this.index);
    const locate = neighbourhoodLocator(() => city.areas);
    this.feed = new OperationalFeed(
      this.measures,
      () => this.areaIndex(),
      this.calendar,
      (p) => locate(p)?.id ?? null,
    );
  }

  apply(e: StoredEvent): void {
    if (e.type.startsWith('city.')) {
      this.indexDirty = true;
      this.coverage = null;
      if (e.type !== 'city.basemap.published') this.onCityChanged?.();
    } else if (e.type.startsWith('alerts.subscriber.')) {
      this.coverage = null;
    } else if (e.type === 'cockpit.statistics.imported') {
      const d = e.data as CockpitEvents['cockpit.statistics.imported'];
      for (const r of d.records) this.statistics.put(r);
      this.imports.push({ importId: d.importId, kind: 'statistics', source: d.source, format: d.format, records: d.records.length, at: e.at, by: e.actor });
    } else if (e.type === 'cockpit.agreement.defined') {
      const { agreement } = e.data as CockpitEvents['cockpit.agreement.defined'];
      this.agreements.set(agreement.agreementId, agreement);
    } else if (e.type === 'cockpit.peers.imported') {
      const d = e.data as CockpitEvents['cockpit.peers.imported'];
      for (const r of d.records) this.peers.push({ ...r, source: d.source });
      this.imports.push({ importId: d.importId, kind: 'peers', source: d.source, format: d.format, records: d.records.length, at: e.at, by: e.actor });
    } else {
      this.feed.apply(e);
    }
  }

  /** The aggregation tree of the current city model. */
  areaIndex(): AreaIndex {
    if (this.indexDirty) {
      this.indexDirty = false;
      this.index = new AreaIndex(this.city);
      this.measures.reindex(this.index);
    }
    return this.index;
  }

  /** Device security's figures (the city's share of devices with known exploited vulnerabilities, findings dealt with): set by the wiring. */
  private deviceSecurity: DeviceSecurityFigures | null = null;

  /** The seam for device security: its read port, asked when an indicator is evaluated (figures only, nothing of a device). */
  useDeviceSecurity(figures: DeviceSecurityFigures): void {
    this.deviceSecurity = figures;
  }

  private deviceSecurityValue(variable: string): { value: number; ref: string } | null {
    if (!this.deviceSecurity) return null;
    const ref = `snapshot:device-security@${new Date(this.now()).toISOString()}`;
    if (variable === 'devices-inventoried' || variable === 'devices-known-exploited') {
      const share = this.deviceSecurity.knownExploitedShare(null);
      return { value: variable === 'devices-inventoried' ? share.devices : share.withKnownExploited, ref };
    }
    const coverage = this.deviceSecurity.patchCoverage(null);
    return { value: variable === 'device-findings' ? coverage.findings : coverage.resolved, ref };
  }

  /** Called after the city model changed (sites, areas, population): derived snapshots may need recomputing. */
  onCityChanged: (() => void) | null = null;

  /** No fire station, or no routing: the indicator has no value. */
  clearFireStationCoverage(): void {
    this.nearFireStation = null;
  }

  /** The seam for the routing engine: which residential sites lie inside a fire station's N-minute isochrone. */
  setFireStationCoverage(minutes: number, coveredSiteIds: ReadonlySet<string>, ref: string): void {
    const index = this.areaIndex();
    const rows = new Map<string, number>();
    for (const s of this.city.sites.values()) {
      if (!s.residents || !coveredSiteIds.has(s.id)) continue;
      for (const id of index.nodes.get(s.id)?.chain ?? []) rows.set(id, (rows.get(id) ?? 0) + s.residents);
    }
    this.nearFireStation = { minutes, rows, ref };
  }

  coverageSnapshot(): CoverageSnapshot {
    this.coverage ??= computeCoverage(
      this.city.sites.values(),
      this.city.devices.values(),
      this.subscribers.subscribers.values(),
      this.areaIndex(),
      new Date(this.now()).toISOString(),
    );
    return this.coverage;
  }

  sources(): EvaluationSources {
    const index = this.areaIndex();
    return {
      catalogue: this.catalogue,
      index,
      measures: this.measures,
      statistics: this.statistics,
      snapshots: {
        value: (variable, areaId) => {
          if (DEVICE_SECURITY_VARIABLES.has(variable)) return areaId === index.cityId ? this.deviceSecurityValue(variable) : null;
          if (variable === 'residents-near-fire-station') {
            if (!this.nearFireStation) return null;
            return { value: this.nearFireStation.rows.get(areaId) ?? 0, ref: this.nearFireStation.ref };
          }
          const snap = this.coverageSnapshot();
          const row = snap.rows.get(areaId);
          const ref = `snapshot:warning-coverage@${snap.computedAt} (${snap.warningDevices} sirens and loudspeakers, ${snap.subscribersMatched} subscribers placed)`;
          if (variable === 'residents') return row ? { value: row.residents, ref } : null;
          if (variable === 'residents-warned-1') return row ? { value: row.warned1, ref } : null;
          if (variable === 'residents-warned-2') return row ? { value: row.warned2, ref } : null;
          return null;
        },
      },
      modelPopulation: (areaId) => {
        if (!this.city.population) return null;
        const ref = `city-model:population:${this.city.population.estimateId}`;
        const site = this.city.sites.get(areaId);
        if (site) return site.residents ? { value: site.residents, ref } : null;
        const n = this.city.populationOf(areaId);
        return n ? { value: n, ref } : null;
      },
    };
  }
}
