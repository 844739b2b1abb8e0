import type { StoredEvent } from '../platform/event-log.js';
import type { Projection } from '../platform/projection.js';
import type { Area, CityEvents, CityInfo, Site } from './model.js';

/** The city read model: the current city, its areas and sites, rebuilt from `city.*` events. */
export class CityState implements Projection {
  readonly name = 'city';
  readonly typePrefixes = ['city.'];
  city: CityInfo | null = null;
  readonly areas = new Map<string, Area>();
  readonly sites = new Map<string, Site>();
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
        for (const site of (e.data as CityEvents['city.sites.registered']).sites) this.sites.set(site.id, site);
        break;
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

  /** A basemap layer as GeoJSON text, or null when no import produced it. */
  basemapJson(layer: string): string | null {
    const entry = this.basemap.get(layer);
    if (!entry) return null;
    entry.json ??= JSON.stringify({ type: 'FeatureCollection', features: entry.parts.flat() });
    return entry.json;
  }
}
