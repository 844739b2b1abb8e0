import type { StoredEvent } from '../platform/event-log.js';
import type { Projection } from '../platform/projection.js';
import type { CityReadPort } from './contract.js';
import type { Area, CityEvents, CityInfo, Device, Site, Zone } from './model.js';

/** The city read model: the current city, its areas and sites, rebuilt from `city.*` events. */
export class CityState implements Projection, CityReadPort {
  readonly name = 'city';
  readonly typePrefixes = ['city.'];
  city: CityInfo | null = null;
  readonly areas = new Map<string, Area>();
  readonly sites = new Map<string, Site>();
  readonly zones = new Map<string, Zone>();
  readonly devices = new Map<string, Device>();
  readonly devicesByAccount = new Map<string, Device>();
  population: { estimateId: string; total: number; source: string; method: string } | null = null;
  private areaPopulation: Map<string, number> | null = null;
  /** Layer → parts of its latest import; serialised once per change for serving. */
  private readonly basemap = new Map<string, { importId: string; parts: unknown[][]; json: string | null }>();

  apply(e: StoredEvent): void {
    switch (e.type as keyof CityEvents) {
      case 'city.area.defined': {
        const { importId: _importId, ...area } = e.data as CityEvents['city.area.defined'];
        this.areas.set(area.id, area);
        break;
      }
      case 'city.sites.registered':
        for (const site of (e.data as CityEvents['city.sites.registered']).sites) {
          // A re-import keeps the residents estimated for a site that is still there.
          this.sites.set(site.id, { ...site, residents: site.residents ?? this.sites.get(site.id)?.residents ?? null });
        }
        this.areaPopulation = null;
        break;
      case 'city.zones.defined':
        for (const zone of (e.data as CityEvents['city.zones.defined']).zones) this.zones.set(zone.id, zone);
        break;
      case 'city.devices.registered':
        for (const device of (e.data as CityEvents['city.devices.registered']).devices) {
          const old = this.devices.get(device.id);
          if (old?.account) this.devicesByAccount.delete(old.account);
          this.devices.set(device.id, device);
          if (device.account) this.devicesByAccount.set(device.account, device);
        }
        break;
      case 'city.devices.removed':
        for (const id of (e.data as CityEvents['city.devices.removed']).deviceIds) {
          const old = this.devices.get(id);
          if (old?.account) this.devicesByAccount.delete(old.account);
          this.devices.delete(id);
        }
        break;
      case 'city.population.estimated': {
        const d = e.data as CityEvents['city.population.estimated'];
        if (d.part === 0) {
          for (const site of this.sites.values()) site.residents = null;
          this.population = { estimateId: d.estimateId, total: d.total, source: d.source, method: d.method };
        }
        for (const [siteId, n] of d.residents) {
          const site = this.sites.get(siteId);
          if (site) site.residents = n;
        }
        this.areaPopulation = null;
        break;
      }
      case 'city.basemap.published': {
        const d = e.data as CityEvents['city.basemap.published'];
        let layer = this.basemap.get(d.layer);
        if (!layer || layer.importId !== d.importId) {
          layer = { importId: d.importId, parts: [], json: null };
          this.basemap.set(d.layer, layer);
        }
        layer.parts[d.part] = d.features;
        layer.json = null;
        break;
      }
      case 'city.import.completed':
        this.city = e.data as CityEvents['city.import.completed'];
        break;
    }
  }

  /**
   * Residents per area: the sum over its sites (a neighbourhood), every site in
   * the city for the city. Sums of counts, so they aggregate exactly.
   */
  populationOf(areaId: string): number | null {
    if (!this.population) return null;
    if (!this.areaPopulation) {
      const totals = new Map<string, number>();
      let city = 0;
      for (const s of this.sites.values()) {
        if (!s.residents) continue;
        if (s.areaId) totals.set(s.areaId, (totals.get(s.areaId) ?? 0) + s.residents);
        city += s.residents;
      }
      for (const a of this.areas.values()) {
        if (a.level === 'city') totals.set(a.id, city);
        else if (a.level === 'district' && a.neighbourhoodIds)
          totals.set(
            a.id,
            a.neighbourhoodIds.reduce((n, id) => n + (totals.get(id) ?? 0), 0),
          );
      }
      this.areaPopulation = totals;
    }
    return this.areaPopulation.get(areaId) ?? 0;
  }

  /** A basemap layer as GeoJSON text, or null when no import produced it. */
  basemapJson(layer: string): string | null {
    const entry = this.basemap.get(layer);
    if (!entry) return null;
    entry.json ??= JSON.stringify({ type: 'FeatureCollection', features: entry.parts.flat() });
    return entry.json;
  }
}
