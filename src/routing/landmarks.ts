import type { RoadGraph } from './road-graph.js';
import { GraphSearch, type Heuristic } from './search.js';

export interface LandmarksState {
  landmarks: number[];
  fromL: Float64Array;
  toL: Float64Array;
  n: number;
}

/**
 * ALT (A*, Landmarks, Triangle inequality; Goldberg & Harrelson 2005). For a few
 * landmarks L, exact free-flow times d(L→v) and d(v→L) are stored for every node;
 * the triangle inequality then bounds the remaining time to the target from below.
 * Traffic may only slow edges (live ≥ free flow) and closures make them infinite,
 * so the bounds stay admissible and consistent under every live update — no
 * preprocessing to redo, unlike a contraction hierarchy's shortcuts.
 */
export class Landmarks {
  readonly landmarks: number[] = [];
  /** fromL[i*n+v] = d(L_i → v), toL[i*n+v] = d(v → L_i), free-flow seconds. */
  private readonly fromL: Float64Array;
  private readonly toL: Float64Array;
  private readonly n: number;

  constructor(
    private readonly g: RoadGraph,
    count = 16,
  ) {
    this.n = g.nodeCount;
    const candidates: number[] = [];
    for (let v = 0; v < g.baseNodeCount; v++) if (g.main[v]) candidates.push(v);
    const k = Math.min(count, candidates.length);
    this.fromL = new Float64Array(k * this.n);
    this.toL = new Float64Array(k * this.n);
    if (k === 0) return;
    const search = new GraphSearch(g, g.segFreeTime);
    // Farthest selection: each new landmark is the main node farthest (by the sum of
    // in and out times) from those already chosen — spreads them around the edge of the map.
    const nearestSum = new Float64Array(this.n).fill(Infinity);
    let next = candidates[0]!;
    {
      search.sweep([next], {});
      let far = -1;
      for (const v of candidates) if (far < 0 || search.distanceOf(v) > search.distanceOf(far)) far = v;
      next = far;
    }
    for (let i = 0; i < k; i++) {
      this.landmarks.push(next);
      this.fill(search, next, i, nearestSum);
      let far = -1,
        farD = -1;
      for (const v of candidates) {
        const d = nearestSum[v]!;
        if (d !== Infinity && d > farD && !this.landmarks.includes(v)) {
          farD = d;
          far = v;
        }
      }
      if (far < 0) break;
      next = far;
    }
  }

  /** What landmarks computed elsewhere (a worker thread) need to be used here. */
  toState(): LandmarksState {
    return { landmarks: this.landmarks, fromL: this.fromL, toL: this.toL, n: this.n };
  }

  /** The landmarks of `toState` over the same graph, without a search. */
  static fromState(g: RoadGraph, state: LandmarksState): Landmarks {
    return Object.assign(Object.create(Landmarks.prototype) as Landmarks, { g, ...state });
  }

  private fill(search: GraphSearch, l: number, i: number, nearestSum: Float64Array): void {
    const base = i * this.n;
    search.sweep([l], {});
    for (let v = 0; v < this.n; v++) this.fromL[base + v] = search.distanceOf(v);
    search.sweep([l], { reverse: true });
    for (let v = 0; v < this.n; v++) {
      this.toL[base + v] = search.distanceOf(v);
      const sum = this.fromL[base + v]! + this.toL[base + v]!;
      if (sum < nearestSum[v]!) nearestSum[v] = sum;
    }
  }

  /**
   * The lower bound to `target` (an OSM node; its turn-restriction copies count as
   * arriving), using the `active` landmarks that give the best bound at `source`.
   */
  heuristic(source: number, target: number, active = 6): Heuristic {
    const g = this.g,
      n = this.n;
    const targets = [target, ...(g.copiesOf.get(target) ?? [])];
    const count = this.landmarks.length;
    const dLT = new Float64Array(count),
      dTL = new Float64Array(count);
    const scored: { i: number; bound: number }[] = [];
    for (let i = 0; i < count; i++) {
      let minFrom = Infinity,
        maxTo = -Infinity;
      for (const t of targets) {
        minFrom = Math.min(minFrom, this.fromL[i * n + t]!);
        maxTo = Math.max(maxTo, this.toL[i * n + t]!);
      }
      dLT[i] = minFrom;
      dTL[i] = maxTo;
      scored.push({ i, bound: this.bound(i, source, minFrom, maxTo) });
    }
    scored.sort((a, b) => b.bound - a.bound);
    const chosen = scored.slice(0, Math.min(active, count)).map((x) => x.i);
    const offsets = Int32Array.from(chosen, (i) => i * n);
    const lt = Float64Array.from(chosen, (i) => dLT[i]!),
      tl = Float64Array.from(chosen, (i) => dTL[i]!);
    const fromL = this.fromL,
      toL = this.toL,
      m = chosen.length;
    return (v: number): number => {
      let best = 0;
      for (let j = 0; j < m; j++) {
        const o = offsets[j]! + v;
        const a = lt[j]! - fromL[o]!; // d(L,t) - d(L,v) ≤ d(v,t)
        const b = toL[o]! - tl[j]!; //   d(v,L) - d(t,L) ≤ d(v,t)
        // Infinite landmark distances (unreachable parts) give no bound; NaN comparisons are false.
        if (a > best && a !== Infinity) best = a;
        if (b > best && b !== Infinity) best = b;
      }
      return best;
    };
  }

  private bound(i: number, v: number, dLT: number, dTL: number): number {
    const a = dLT - this.fromL[i * this.n + v]!,
      b = this.toL[i * this.n + v]! - dTL;
    let best = 0;
    if (a > best && a !== Infinity) best = a;
    if (b > best && b !== Infinity) best = b;
    return best;
  }
}
