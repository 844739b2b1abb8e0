import { haversineM, polygonContains, type Position } from '../kernel/geo.js';
import { bearing, compass } from './instructions.js';
import { MinHeap } from './min-heap.js';
import type { AssemblyPoint } from './model.js';
import type { Route, Router } from './router.js';

/**
 * A hazard area that may grow: its footprint now (CAP polygons as lon/lat rings,
 * circles), and either a spread rate outwards from it, or footprints it is expected
 * to cover from given times on (e.g. a plume model's output), or both.
 */
export interface Hazard {
  rings?: Position[][];
  circles?: { center: Position; radiusM: number }[];
  spreadMPerMin?: number;
  footprints?: { afterMin: number; rings?: Position[][]; circles?: { center: Position; radiusM: number }[] }[];
}

export interface EvacuationOrigin {
  id: string;
  name?: string;
  position: Position;
  /** People expected there (residents of a building); 0 when unknown. */
  people?: number;
}

export interface EvacuationInput {
  hazard: Hazard;
  origins: readonly EvacuationOrigin[];
  assemblyPoints: readonly AssemblyPoint[];
  /** The walker must have left a road this long before the hazard reaches it (default 120 s). */
  safetyMarginS?: number;
  /** Default 4 km/h: slower than the 5 km/h of everyday routing (crowds, children, older people). */
  walkingSpeedKmh?: number;
  /** Origins the hazard reaches within this time are evacuated; assembly points must stay clear of it this long (default 30 min). */
  horizonMin?: number;
  language?: 'en' | 'fr';
}

export interface EvacuationRoute {
  originId: string;
  originName: string | null;
  people: number;
  status: 'route' | 'no-safe-route';
  /** When the hazard reaches the origin (seconds from now; 0 = already inside). */
  hazardArrivalS: number;
  assemblyPoint: { id: string; name: string; position: Position } | null;
  route: Route | null;
  distanceM: number | null;
  walkingTimeS: number | null;
  guidance: string;
}

export interface EvacuationPlan {
  origins: EvacuationRoute[];
  assemblyPoints: { id: string; name: string; position: Position; source: AssemblyPoint['source']; capacity: number | null; people: number; origins: number }[];
  unsafeAssemblyPoints: string[];
  totals: { origins: number; people: number; routed: number; peopleRouted: number; noSafeRoute: number };
  parameters: { safetyMarginS: number; walkingSpeedKmh: number; horizonMin: number };
}

const M_PER_DEG_LAT = 110_574;
const EVERYDAY_FOOT_KMH = 5;
const MAX_WALK_S = 3 * 3600;

/** Planar distance in metres from p to the segment ab (local equirectangular). */
function distToSegmentM(p: Position, a: Position, b: Position): number {
  const kx = M_PER_DEG_LAT * Math.cos((p[1] * Math.PI) / 180);
  const ax = (a[0] - p[0]) * kx,
    ay = (a[1] - p[1]) * M_PER_DEG_LAT,
    bx = (b[0] - p[0]) * kx,
    by = (b[1] - p[1]) * M_PER_DEG_LAT;
  const dx = bx - ax,
    dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len2));
  return Math.hypot(ax + t * dx, ay + t * dy);
}

/** Distance in metres from p to a footprint (0 inside). */
function distanceToFootprint(p: Position, rings: readonly Position[][], circles: readonly { center: Position; radiusM: number }[]): number {
  let best = Infinity;
  for (const ring of rings) {
    if (polygonContains([ring], p)) return 0;
    for (let i = 0; i < ring.length; i++) best = Math.min(best, distToSegmentM(p, ring[i]!, ring[(i + 1) % ring.length]!));
  }
  for (const c of circles) best = Math.min(best, Math.max(0, haversineM(p, c.center) - c.radiusM));
  return best;
}

/** When the hazard front reaches p, in seconds from now (0 inside the current footprint, Infinity never). */
export function hazardArrivalS(h: Hazard, p: Position): number {
  const d = distanceToFootprint(p, h.rings ?? [], h.circles ?? []);
  if (d === 0) return 0;
  let t = h.spreadMPerMin && h.spreadMPerMin > 0 && d !== Infinity ? (d / h.spreadMPerMin) * 60 : Infinity;
  for (const f of h.footprints ?? []) {
    if (f.afterMin * 60 < t && distanceToFootprint(p, f.rings ?? [], f.circles ?? []) === 0) t = f.afterMin * 60;
  }
  return t;
}

function roundDistance(m: number): number {
  return m < 200 ? Math.max(10, Math.round(m / 10) * 10) : Math.round(m / 50) * 50;
}

const FR_COMPASS: Record<string, string> = {
  north: 'le nord',
  'north-east': 'le nord-est',
  east: "l'est",
  'south-east': 'le sud-est',
  south: 'le sud',
  'south-west': 'le sud-ouest',
  west: "l'ouest",
  'north-west': 'le nord-ouest',
};

/** What to do where no walking route stays ahead of the hazard. */
export function shelterText(language: 'en' | 'fr'): string {
  return language === 'fr'
    ? "Aucun itinéraire sûr à pied : mettez-vous à l'abri sur place et suivez les consignes des secours."
    : 'No safe walking route: shelter in place and follow the instructions of the emergency services.';
}

/** "Walk north-west along Boulevard X to assembly point Y, 600 m, about 8 min" (or in French). */
export function guidanceText(route: Route, pointName: string, walkingTimeS: number, language: 'en' | 'fr'): string {
  const coords = route.geometry.coordinates;
  // Direction: towards the point about 150 m along the route (the first bend matters less than where it heads).
  let along = 0,
    ahead = coords[coords.length - 1]!;
  for (let i = 1; i < coords.length; i++) {
    along += haversineM(coords[i - 1]!, coords[i]!);
    if (along >= 150) {
      ahead = coords[i]!;
      break;
    }
  }
  const dir = compass(bearing(coords[0]!, ahead));
  const main = route.steps.filter((s) => s.name).sort((a, b) => b.distanceM - a.distanceM)[0]?.name;
  const metres = roundDistance(route.distanceM),
    minutes = Math.max(1, Math.ceil(walkingTimeS / 60));
  if (language === 'fr')
    return `Marchez vers ${FR_COMPASS[dir]}${main ? ` par ${main}` : ''} jusqu'au point de rassemblement ${pointName}, ${metres} m, environ ${minutes} min.`;
  return `Walk ${dir}${main ? ` along ${main}` : ''} to assembly point ${pointName}, ${metres} m, about ${minutes} min.`;
}

/**
 * Evacuation on foot from a hazard that may grow. For each origin the hazard reaches
 * within the horizon, a time-dependent search finds the assembly point reached
 * soonest on a route the hazard never catches: a road node is usable only if the
 * walker is there at least `safetyMarginS` before the front arrives. Walkers who
 * start behind the front (inside the footprint, or where it arrives within the
 * margin) walk out through it; once ahead of it they never fall behind again.
 * Pure: graph (with its live closures) + hazard + points in, plan out.
 */
export function planEvacuation(router: Router, input: EvacuationInput): EvacuationPlan {
  const g = router.graph;
  const margin = input.safetyMarginS ?? 120;
  const speed = input.walkingSpeedKmh ?? 4;
  const factor = EVERYDAY_FOOT_KMH / speed; // graph foot times assume 5 km/h
  const horizonS = (input.horizonMin ?? 30) * 60;
  const language = input.language ?? 'en';
  const n = g.nodeCount;
  const arrival = new Float64Array(n).fill(NaN);
  const H = (v: number): number => {
    let t = arrival[v]!;
    if (Number.isNaN(t)) arrival[v] = t = hazardArrivalS(input.hazard, [g.lon[v]!, g.lat[v]!]);
    return t;
  };

  // Assembly points must stay clear of the hazard for the whole horizon (and a margin).
  const unsafe: string[] = [];
  const byNode = new Map<number, AssemblyPoint[]>();
  for (const ap of input.assemblyPoints) {
    const snap = router.grid.nearest(ap.position, 1000);
    if (!snap || hazardArrivalS(input.hazard, ap.position) <= horizonS + margin || H(snap.node) <= horizonS + margin) {
      unsafe.push(ap.id);
      continue;
    }
    const list = byNode.get(snap.node) ?? [];
    list.push(ap);
    byNode.set(snap.node, list);
  }

  const dist = new Float64Array(n),
    parent = new Int32Array(n),
    stamp = new Uint32Array(n);
  const heap = new MinHeap(1024);
  let gen = 0;
  const live = router.weights.time;
  /** Earliest safe arrival at an assembly point from node s (walking seconds), or null. */
  const search = (s: number, startS: number): { node: number; segments: number[]; nodes: number[]; timeS: number } | null => {
    gen++;
    heap.clear();
    stamp[s] = gen;
    dist[s] = startS;
    parent[s] = -1;
    heap.push(startS, s);
    while (heap.size > 0) {
      const key = heap.peekKey();
      const u = heap.pop();
      if (key > dist[u]!) continue;
      if (byNode.has(u)) {
        const nodes = [u],
          segments: number[] = [];
        for (let v = u; parent[v]! >= 0;) {
          const seg = parent[v]!;
          segments.push(seg);
          v = g.segFrom[seg]!;
          nodes.push(v);
        }
        return { node: u, nodes: nodes.reverse(), segments: segments.reverse(), timeS: dist[u]! };
      }
      const tu = dist[u]!;
      if (tu > MAX_WALK_S) break;
      // Behind the front (inside the footprint, or where it arrives within the margin): still escaping.
      const hu = H(u);
      const escaping = tu + margin > hu;
      for (let e = g.firstOut[u]!; e < g.firstOut[u + 1]!; e++) {
        const seg = g.outSeg[e]!;
        const w = live[seg]!;
        if (w === Infinity) continue;
        const v = g.head[e]!;
        const tv = tu + w * factor;
        const hv = H(v);
        // Once ahead of the front (by the margin), a walker must stay ahead. People who start behind it
        // (inside, or in the belt it reaches within the margin) cross the current footprint, then walk
        // out only while they gain on the front: outwards (never where the hazard came earlier) and
        // with their lag behind it shrinking — a front that outruns them is no way out.
        // Arrival times only grow along a path, so the earliest arrival at a node is also its safest.
        if (tv + margin > hv) {
          const crossingFootprint = hv === 0 && hu === 0;
          const gaining = escaping && hv >= hu && tv - hv <= tu - hu;
          if (!crossingFootprint && !gaining) continue;
        }
        if (stamp[v] === gen && tv >= dist[v]!) continue;
        stamp[v] = gen;
        dist[v] = tv;
        parent[v] = seg;
        heap.push(tv, v);
      }
    }
    return null;
  };

  const results: EvacuationRoute[] = [];
  const bySnap = new Map<number, ReturnType<typeof search>>();
  const perPoint = new Map<string, { people: number; origins: number }>();
  for (const o of input.origins) {
    const hazardAt = hazardArrivalS(input.hazard, o.position);
    if (hazardAt > horizonS) continue;
    const people = o.people ?? 0;
    const snap = router.grid.nearest(o.position, 1000);
    const base = { originId: o.id, originName: o.name ?? null, people, hazardArrivalS: hazardAt === Infinity ? -1 : Math.round(hazardAt) };
    let found: ReturnType<typeof search> = null;
    if (snap) {
      // Reaching the road is part of the walk (straight line at walking pace).
      const startS = snap.distanceM / (speed / 3.6);
      if (!bySnap.has(snap.node)) bySnap.set(snap.node, search(snap.node, startS));
      found = bySnap.get(snap.node)!;
    }
    if (!found) {
      results.push({
        ...base,
        status: 'no-safe-route',
        assemblyPoint: null,
        route: null,
        distanceM: null,
        walkingTimeS: null,
        guidance: shelterText(language),
      });
      continue;
    }
    const ap = byNode.get(found.node)!.sort((a, b) => haversineM(a.position, o.position) - haversineM(b.position, o.position))[0]!;
    const route = router.describe({ nodes: found.nodes, segments: found.segments, cost: found.timeS }, snap!.distanceM, 0);
    // Times at the chosen walking speed.
    route.timeS = Math.round(route.timeS * factor * 10) / 10;
    for (const st of route.steps) st.timeS = Math.round(st.timeS * factor * 10) / 10;
    const walkingTimeS = Math.round(found.timeS);
    results.push({
      ...base,
      status: 'route',
      assemblyPoint: { id: ap.id, name: ap.name, position: ap.position },
      route,
      distanceM: route.distanceM,
      walkingTimeS,
      guidance: guidanceText(route, ap.name, walkingTimeS, language),
    });
    const sum = perPoint.get(ap.id) ?? { people: 0, origins: 0 };
    sum.people += people;
    sum.origins++;
    perPoint.set(ap.id, sum);
  }
  const routed = results.filter((r) => r.status === 'route');
  return {
    origins: results,
    assemblyPoints: input.assemblyPoints
      .filter((a) => perPoint.has(a.id))
      .map((a) => ({ id: a.id, name: a.name, position: a.position, source: a.source, capacity: a.capacity, ...perPoint.get(a.id)! }))
      .sort((a, b) => b.people - a.people),
    unsafeAssemblyPoints: unsafe,
    totals: {
      origins: results.length,
      people: results.reduce((s, r) => s + r.people, 0),
      routed: routed.length,
      peopleRouted: routed.reduce((s, r) => s + r.people, 0),
      noSafeRoute: results.length - routed.length,
    },
    parameters: { safetyMarginS: margin, walkingSpeedKmh: speed, horizonMin: horizonS / 60 },
  };
}
