import { liveView, managed, readable, withData, type LiveProjector, type LiveView } from '../platform/live-view.js';
import { can } from '../platform/policy.js';
import type { CityEvents } from './model.js';

/** The city model (areas, sites, basemap, population) is city-wide: any signed-in principal reads it. */
const cityWide: LiveProjector = (p, e) => (can(p, 'read', { orgId: null }) ? e : null);

/** Items each owned by an organisation, narrowed to those the principal may read (none: nothing sent). */
function ownedItems<K extends 'zones' | 'devices'>(key: K): LiveProjector {
  return (p, e) => {
    const items = (e.data as Record<K, { orgId: string | null }[]>)[key];
    const visible = items.filter((item) => can(p, 'read', { orgId: item.orgId }));
    return visible.length === 0 ? null : withData(e, { ...(e.data as object), [key]: visible });
  };
}

/**
 * `city.*` on the live feed: the city model to every signed-in principal, zones and
 * devices as GET /api/city/devices lists them (organisations the principal may read),
 * an import's progress to the admins of the organisation running it.
 */
export function cityLiveView(): LiveView {
  return liveView('city.', {
    'city.area.defined': cityWide,
    'city.sites.registered': cityWide,
    'city.import.completed': cityWide,
    'city.basemap.published': cityWide,
    'city.population.estimated': cityWide,
    'city.import.started': managed(['admin']),
    'city.import.failed': managed(['admin']),
    'city.zones.defined': ownedItems('zones'),
    'city.devices.registered': ownedItems('devices'),
    // A device's MQTT credential: that it changed, to those who manage the device (never the hash).
    'city.mqtt-credential.issued': managed(['admin', 'supervisor'], (e) =>
      withData(e, {
        subject: (e.data as CityEvents['city.mqtt-credential.issued']).subject,
        issuedAt: (e.data as CityEvents['city.mqtt-credential.issued']).issuedAt,
      }),
    ),
    'city.mqtt-credential.revoked': managed(['admin', 'supervisor']),
    'city.devices.removed': readable(['operator', 'supervisor', 'commander', 'responder', 'alert-officer', 'analyst', 'csirt', 'admin']),
  } satisfies Record<keyof CityEvents, LiveProjector>);
}
