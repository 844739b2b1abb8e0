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
      case 'city.import.completed':
        this.city = e.data as CityEvents['city.import.completed'];
        break;
    }
  }
}
