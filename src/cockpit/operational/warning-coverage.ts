import type { Device, Site } from '../../city/contract.js';
import { haversineM } from '../../kernel/geo.js';
import type { Subscriber } from '../../alerts/contract.js';
import type { AreaIndex } from '../engine/area-index.js';

/**
 * Who can be warned, building by building. Channels are grouped in classes that
 * fail independently: outdoor (sirens, loudspeakers: their own power and radio
 * link), cellular (SMS) and internet (e-mail, Web Push share the data path).
 * Two channels of one class count once.
 */
export const AUDIBLE_RADIUS_M = { siren: 500, loudspeaker: 100 } as const;
/** A subscriber's home counts for the nearest building within this distance. */
export const HOME_MATCH_M = 50;

export interface CoverageRow {
  residents: number;
  warned1: number;
  warned2: number;
}

export interface CoverageSnapshot {
  computedAt: string;
  rows: Map<string, CoverageRow>;
  subscribersMatched: number;
  warningDevices: number;
}

/** Personal channel classes of a subscriber: cellular (a phone) and internet (e-mail or push). */
export function personalClasses(s: Pick<Subscriber, 'email' | 'phone' | 'push'>): number {
  return (s.phone ? 1 : 0) + (s.email || s.push ? 1 : 0);
}

/**
 * Per site: outdoor coverage by distance to a siren or loudspeaker; the site's
 * subscribers (one person each) by their personal classes. Residents covered by
 * ≥ 2 classes: all who hear the outdoor warning and also subscribed with one
 * class, or who subscribed with two — never more than the site's residents.
 * Summed along the area chains, so every area's share is Σ covered / Σ residents.
 */
export function computeCoverage(
  sites: Iterable<Site>,
  devices: Iterable<Device>,
  subscribers: Iterable<Subscriber>,
  index: AreaIndex,
  now: string,
): CoverageSnapshot {
  const warners = [...devices].filter((d) => d.kind === 'siren' || d.kind === 'loudspeaker');
  const residential = [...sites].filter((s) => (s.residents ?? 0) > 0);
  const perSite = new Map<string, { one: number; two: number }>();
  let matched = 0;
  for (const sub of subscribers) {
    const home = sub.locations.find((l) => l.kind === 'home');
    if (!home) continue;
    let best: Site | null = null;
    let bestD = HOME_MATCH_M;
    for (const s of residential) {
      const d = haversineM(home.position, s.position);
      if (d <= bestD) {
        best = s;
        bestD = d;
      }
    }
    if (!best) continue;
    matched++;
    const classes = personalClasses(sub);
    const row = perSite.get(best.id) ?? { one: 0, two: 0 };
    if (classes >= 1) row.one++;
    if (classes >= 2) row.two++;
    perSite.set(best.id, row);
  }
  const rows = new Map<string, CoverageRow>();
  const add = (chain: readonly string[], r: CoverageRow) => {
    for (const id of chain) {
      const t = rows.get(id) ?? { residents: 0, warned1: 0, warned2: 0 };
      t.residents += r.residents;
      t.warned1 += r.warned1;
      t.warned2 += r.warned2;
      rows.set(id, t);
    }
  };
  for (const s of residential) {
    const residents = s.residents!;
    const outdoor = warners.some((w) => haversineM(w.position, s.position) <= AUDIBLE_RADIUS_M[w.kind as 'siren' | 'loudspeaker']);
    const subs = perSite.get(s.id) ?? { one: 0, two: 0 };
    add(index.nodes.get(s.id)?.chain ?? [], {
      residents,
      warned1: outdoor ? residents : Math.min(residents, subs.one),
      warned2: Math.min(residents, outdoor ? subs.one : subs.two),
    });
  }
  return { computedAt: now, rows, subscribersMatched: matched, warningDevices: warners.length };
}
