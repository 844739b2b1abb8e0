import { haversineM, type LineString, type MultiPolygon, type Position } from '../kernel/geo.js';
import { VigilError } from '../kernel/errors.js';
import { stepsOf, type RouteStep } from './instructions.js';
import { isochronePolygon } from './isochrone.js';
import { Landmarks, type LandmarksState } from './landmarks.js';
import { LiveWeights } from './live-weights.js';
import type { RoadGraph } from './road-graph.js';
import { GraphSearch, type Metric, type Path } from './search.js';
import { SegmentGrid, type SegmentGridState, type Snap } from './spatial-index.js';

/** Snapping further than this from any road is an input error, not a route. */
export const MAX_SNAP_M = 1000;

export interface Route {
  geometry: LineString;
  distanceM: number;
  timeS: number;
  steps: RouteStep[];
  /** How far the given points were from the road they were snapped to. */
  snap: { fromM: number; toM: number };
}

export interface NearestUnit<T> {
  unit: T;
  timeS: number;
  distanceM: number;
  route: Route;
}

/** Weighted points as [lon, lat, weight] triples in one typed array (what crosses to a worker). */
export function packWeightedPoints(points: Iterable<WeightedPoint>, count: number): Float64Array {
  const packed = new Float64Array(count * 3);
  let i = 0;
  for (const p of points) {
    if (i >= count) break;
    packed[3 * i] = p.position[0];
    packed[3 * i + 1] = p.position[1];
    packed[3 * i + 2] = p.weight;
    i++;
  }
  return i === count ? packed : packed.subarray(0, i * 3);
}

export interface WeightedPoint {
  position: Position;
  weight: number;
}

/** A router's precomputed parts (its spatial grid and landmarks), as they cross between threads. */
export interface RouterState {
  grid: SegmentGridState;
  landmarks: LandmarksState;
}

/** One profile's routing engine: graph, spatial index, live weights, landmarks and a reusable search. */
export class Router {
  readonly grid: SegmentGrid;
  readonly weights: LiveWeights;
  readonly landmarks: Landmarks;
  readonly search: GraphSearch;

  constructor(
    readonly graph: RoadGraph,
    options: { landmarks?: number; prebuilt?: RouterState } = {},
  ) {
    this.grid = options.prebuilt ? SegmentGrid.fromState(graph, options.prebuilt.grid) : new SegmentGrid(graph);
    this.weights = new LiveWeights(graph);
    this.landmarks = options.prebuilt ? Landmarks.fromState(graph, options.prebuilt.landmarks) : new Landmarks(graph, options.landmarks ?? 16);
    this.search = new GraphSearch(graph, this.weights.time);
  }

  /** The parts built at construction (grid, landmarks), to build the same router elsewhere without the work. */
  toState(): RouterState {
    return { grid: this.grid.toState(), landmarks: this.landmarks.toState() };
  }

  snap(p: Position, what = 'point'): Snap {
    const s = this.grid.nearest(p, MAX_SNAP_M);
    if (!s) throw new VigilError('bad_request', `the ${what} [${p[0]}, ${p[1]}] is more than ${MAX_SNAP_M} m from any road usable by ${this.graph.profile}`);
    return s;
  }

  /** Fastest (metric time: ALT on live weights) or shortest (metric distance: A* on straight-line distance). */
  route(from: Position, to: Position, metric: Metric = 'time'): Route | null {
    const a = this.snap(from, 'start'),
      b = this.snap(to, 'destination');
    const path = this.pathBetween(a.node, b.node, metric);
    return path ? this.describe(path, a.distanceM, b.distanceM) : null;
  }

  pathBetween(source: number, target: number, metric: Metric): Path | null {
    const g = this.graph;
    if (metric === 'time') return this.search.pointToPoint(source, target, 'time', this.landmarks.heuristic(source, target));
    const tp: Position = [g.lon[target]!, g.lat[target]!];
    return this.search.pointToPoint(source, target, 'distance', (v) => haversineM([g.lon[v]!, g.lat[v]!], tp));
  }

  describe(path: Path, fromM = 0, toM = 0): Route {
    const g = this.graph;
    const times = path.segments.map((s) => this.weights.time[s]!);
    const distanceM = path.segments.reduce((sum, s) => sum + g.segLength[s]!, 0);
    const timeS = times.reduce((a, b) => a + b, 0);
    const coordinates: Position[] = path.nodes.map((v) => [g.lon[v]!, g.lat[v]!]);
    if (coordinates.length === 1) coordinates.push(coordinates[0]!);
    return {
      geometry: { type: 'LineString', coordinates },
      distanceM: Math.round(distanceM * 10) / 10,
      timeS: Math.round(timeS * 10) / 10,
      steps: stepsOf(g, path.nodes, path.segments, times),
      snap: { fromM: Math.round(fromM * 10) / 10, toM: Math.round(toM * 10) / 10 },
    };
  }

  /**
   * The `count` units that reach the incident soonest: one reverse Dijkstra from the
   * incident, stopped once `count` units' nodes are settled — every unit's route
   * comes from the same search tree.
   */
  nearestUnits<T extends { position: Position }>(incident: Position, units: readonly T[], count: number): NearestUnit<T>[] {
    const target = this.snap(incident, 'incident');
    const atNode = new Map<number, { unit: T; snapM: number }[]>();
    for (const unit of units) {
      const s = this.grid.nearest(unit.position, MAX_SNAP_M);
      if (!s) continue; // off the network: cannot be routed
      const list = atNode.get(s.node) ?? [];
      list.push({ unit, snapM: s.distanceM });
      atNode.set(s.node, list);
    }
    const sources = [target.node, ...(this.graph.copiesOf.get(target.node) ?? [])];
    const found: { node: number; unit: T; snapM: number }[] = [];
    this.search.sweep(sources, {
      reverse: true,
      onSettle: (v) => {
        const here = atNode.get(v);
        if (!here) return false;
        for (const u of here) found.push({ node: v, ...u });
        atNode.delete(v);
        return found.length >= count;
      },
    });
    return found.slice(0, count).map((f) => {
      const route = this.describe(this.search.pathToSource(f.node), f.snapM, target.distanceM);
      return { unit: f.unit, timeS: route.timeS, distanceM: route.distanceM, route };
    });
  }

  /** Nodes reached from `origin` within `maxS` seconds, with their times. */
  reach(sources: readonly Position[], maxS: number): { nodes: number[]; timeOf: (v: number) => number } {
    const starts = [...new Set(sources.map((p, i) => this.snap(p, `station ${i + 1}`).node))];
    const nodes: number[] = [];
    this.search.sweep(starts, { maxCost: maxS, onSettle: (v) => void nodes.push(v) });
    const times = new Map<number, number>();
    for (const v of nodes) times.set(v, this.search.distanceOf(v));
    return { nodes, timeOf: (v) => times.get(v) ?? Infinity };
  }

  /** What is reached from `origin` within each limit, as polygons (largest limit searched once). */
  isochrones(origin: Position, limitsS: readonly number[], cellM?: number): { limitS: number; nodes: number; polygon: MultiPolygon }[] {
    const max = Math.max(...limitsS);
    const { nodes, timeOf } = this.reach([origin], max);
    const cell = cellM ?? (this.graph.profile === 'foot' ? 25 : 50);
    return [...limitsS]
      .sort((a, b) => a - b)
      .map((limitS) => {
        const within = nodes.filter((v) => timeOf(v) <= limitS);
        return { limitS, nodes: within.length, polygon: isochronePolygon(this.graph, this.weights.time, timeOf, within, limitS, cell) };
      });
  }

  /**
   * Share of the weighted points reached within `targetS` from any station: one
   * multi-source search, each point judged at the road node it snaps to.
   */
  coverage(
    stations: readonly Position[],
    points: readonly WeightedPoint[],
    targetS: number,
  ): { totalWeight: number; coveredWeight: number; share: number; points: number; coveredPoints: number; unroutable: number } {
    const reached = this.reachedWithin(
      stations,
      points.map((p) => p.position),
      targetS,
    );
    let totalWeight = 0,
      coveredWeight = 0,
      coveredPoints = 0,
      unroutable = 0;
    points.forEach((p, i) => {
      totalWeight += p.weight;
      if (reached[i] === null) unroutable++;
      else if (reached[i]) {
        coveredWeight += p.weight;
        coveredPoints++;
      }
    });
    return { totalWeight, coveredWeight, share: totalWeight === 0 ? 0 : coveredWeight / totalWeight, points: points.length, coveredPoints, unroutable };
  }

  /**
   * Coverage of points packed as [lon, lat, weight] triples (`packWeightedPoints`): the
   * form they cross to a worker in (one transferred buffer, no object per point).
   */
  coveragePacked(stations: readonly Position[], packed: Float64Array, targetS: number): ReturnType<Router['coverage']> {
    const { timeOf } = this.reach(stations, targetS);
    const n = Math.floor(packed.length / 3);
    let totalWeight = 0,
      coveredWeight = 0,
      coveredPoints = 0,
      unroutable = 0;
    const p: [number, number] = [0, 0];
    for (let i = 0; i < n; i++) {
      p[0] = packed[3 * i]!;
      p[1] = packed[3 * i + 1]!;
      const weight = packed[3 * i + 2]!;
      totalWeight += weight;
      const s = this.grid.nearest(p, MAX_SNAP_M);
      if (!s) unroutable++;
      else if (timeOf(s.node) <= targetS) {
        coveredWeight += weight;
        coveredPoints++;
      }
    }
    return { totalWeight, coveredWeight, share: totalWeight === 0 ? 0 : coveredWeight / totalWeight, points: n, coveredPoints, unroutable };
  }

  /** Per position: reached within `targetS` from any station (judged at the road node it snaps to), or null when no road is near enough. */
  reachedWithin(stations: readonly Position[], positions: readonly Position[], targetS: number): (boolean | null)[] {
    const { timeOf } = this.reach(stations, targetS);
    return positions.map((p) => {
      const s = this.grid.nearest(p, MAX_SNAP_M);
      return s ? timeOf(s.node) <= targetS : null;
    });
  }
}
