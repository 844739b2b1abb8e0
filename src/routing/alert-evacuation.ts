import { asksToEvacuate, SPREAD_PARAMETER, targetAreaOf, type AlertRecord, type GuidanceSource, type LonLat } from '../alerts/contract.js';
import type { Site } from '../city/contract.js';
import { haversineM } from '../kernel/geo.js';
import { guidanceText, planEvacuation, shelterText, type EvacuationPlan, type Hazard } from './evacuation.js';
import type { BuildingSnapshots } from './building-snapshot.js';
import type { RoutingService } from './routing-service.js';

/** Plans kept per alert: an alert's area does not change (an Update is another alert). */
const MAX_PLANS = 64;
/** A person is guided from the nearest evacuated building within this distance. */
const NEAREST_ORIGIN_M = 250;
const CELL_DEG = 0.002;

interface AlertPlan {
  plan: EvacuationPlan;
  /** Indices (in plan.origins) of the evacuated origins, by grid cell of their position. */
  cells: Map<string, number[]>;
  /** lon, lat of each of plan.origins (NaN when unknown). */
  positions: Float64Array;
}

/** The hazard of an alert: its CAP area now, growing at the rate its info gives (parameter hazardSpreadMPerMin). */
export function hazardOf(alert: AlertRecord): Hazard {
  const infos = alert.cap.info ?? [];
  const area = targetAreaOf(infos.flatMap((i) => i.area ?? []));
  const spread = infos.flatMap((i) => i.parameter ?? []).find((p) => p.valueName === SPREAD_PARAMETER);
  const rate = spread ? Number(spread.value) : 0;
  return {
    rings: area.rings,
    circles: area.circles.map((c) => ({ center: c.centre, radiusM: c.radiusM })),
    ...(Number.isFinite(rate) && rate > 0 ? { spreadMPerMin: rate } : {}),
  };
}

const cellOf = (p: LonLat): string => `${Math.floor(p[0] / CELL_DEG)}:${Math.floor(p[1] / CELL_DEG)}`;

/**
 * Evacuation guidance for alerts that ask people to evacuate: one foot plan per alert
 * over the city's buildings (routing/evacuation.ts, the hazard growing as the alert
 * says), made when first asked for; a person gets the route of the nearest evacuated
 * building, in their language. Prepared plans take the buildings from the snapshot
 * (building-snapshot.ts: one JSON text, parsed in the worker, which also returns the
 * origins' positions), so the main thread lists no building per alert.
 */
export function alertEvacuationGuidance(routing: RoutingService, sites: () => Iterable<Site>, buildings?: BuildingSnapshots): GuidanceSource {
  const plans = new Map<string, AlertPlan | null>();
  const preparing = new Map<string, Promise<void>>();
  const keep = (alertId: string, plan: EvacuationPlan, positions: Float64Array): AlertPlan => {
    const cells = new Map<string, number[]>();
    plan.origins.forEach((_, i) => {
      if (Number.isNaN(positions[2 * i])) return;
      const cell = cellOf([positions[2 * i]!, positions[2 * i + 1]!]);
      const list = cells.get(cell);
      if (list) list.push(i);
      else cells.set(cell, [i]);
    });
    const entry = { plan, cells, positions };
    if (plans.size >= MAX_PLANS) plans.delete(plans.keys().next().value!);
    plans.set(alertId, entry);
    return entry;
  };
  // Without a prepared plan (a caller that did not prepare): planned here, on this thread.
  const planFor = (alert: AlertRecord): AlertPlan | null => {
    if (plans.has(alert.alertId)) return plans.get(alert.alertId)!;
    if (!routing.ready) return null; // the graph is still being built: ask again later
    const origins = buildingOrigins(sites());
    const plan = planEvacuation(routing.router('foot'), { hazard: hazardOf(alert), origins, assemblyPoints: routing.assemblyPoints });
    const at = new Map(origins.map((o) => [o.id, o.position] as const));
    const positions = new Float64Array(plan.origins.length * 2).fill(Number.NaN);
    plan.origins.forEach((r, i) => {
      const p = at.get(r.originId);
      if (p) [positions[2 * i], positions[2 * i + 1]] = [p[0], p[1]];
    });
    return keep(alert.alertId, plan, positions);
  };
  // The whole city's buildings: planned once per alert in the worker pool, callers meanwhile wait for that one run.
  const prepare = (alert: AlertRecord): Promise<void> => {
    if (plans.has(alert.alertId) || !routing.ready) return Promise.resolve();
    let pending = preparing.get(alert.alertId);
    if (!pending) {
      pending = (async () => {
        const hazard = hazardOf(alert);
        const city = buildings ? await buildings.get() : null;
        const input = city
          ? { hazard, assemblyPoints: routing.assemblyPoints, buildings: { revision: city.revision, originsJson: city.originsJson } }
          : { hazard, assemblyPoints: routing.assemblyPoints, origins: buildingOrigins(sites()) };
        const { plan, positions } = await routing.offThread.planForSystem(input);
        keep(alert.alertId, plan, positions);
      })();
      preparing.set(alert.alertId, pending);
      const forget = (): void => void preparing.delete(alert.alertId);
      pending.then(forget, forget);
    }
    return pending;
  };
  const source = (alert: AlertRecord, at: LonLat | null, language: string): string | null => {
    if (!asksToEvacuate(alert)) return null;
    const entry = planFor(alert);
    if (!entry) return null;
    const lang = language.toLowerCase().startsWith('fr') ? 'fr' : 'en';
    if (!at) return summary(entry.plan, lang);
    let best: EvacuationPlan['origins'][number] | null = null;
    let bestM = NEAREST_ORIGIN_M;
    const [cx, cy] = [Math.floor(at[0] / CELL_DEG), Math.floor(at[1] / CELL_DEG)];
    for (let dx = -2; dx <= 2; dx++) {
      for (let dy = -2; dy <= 2; dy++) {
        for (const i of entry.cells.get(`${cx + dx}:${cy + dy}`) ?? []) {
          const m = haversineM(at, [entry.positions[2 * i]!, entry.positions[2 * i + 1]!]);
          if (m < bestM) [best, bestM] = [entry.plan.origins[i]!, m];
        }
      }
    }
    if (!best) return null;
    // Surrounded before they could get out: stay inside, as the plan says.
    if (best.status !== 'route' || !best.route || !best.assemblyPoint) return shelterText(lang);
    return guidanceText(best.route, best.assemblyPoint.name, best.walkingTimeS ?? best.route.timeS, lang);
  };
  return Object.assign(source, { prepare });
}

/** Where to go when the place is not known: the assembly points in use, busiest first. */
function summary(plan: EvacuationPlan, lang: 'en' | 'fr'): string | null {
  const used = plan.assemblyPoints
    .filter((a) => a.people > 0 || a.origins > 0)
    .sort((x, y) => y.people - x.people)
    .slice(0, 3);
  if (used.length === 0) return null;
  const names = used.map((a) => a.name).join(', ');
  return lang === 'fr' ? `Points de rassemblement : ${names}.` : `Assembly points: ${names}.`;
}

/** The city's buildings as evacuation origins, with their residents. */
export function buildingOrigins(sites: Iterable<Site>): { id: string; name?: string; position: LonLat; people: number }[] {
  return [...sites]
    .filter((s) => s.category === 'building' || s.buildingType !== null)
    .map((s) => ({ id: s.id, ...((s.name ?? s.address) ? { name: (s.name ?? s.address)! } : {}), position: s.position, people: s.residents ?? 0 }));
}
