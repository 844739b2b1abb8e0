import { MinHeap } from './min-heap.js';
import type { RoadGraph } from './road-graph.js';

/** What a search minimises: live travel time, or length (closures still apply to both). */
export type Metric = 'time' | 'distance';

/** A found path: OSM-node sequence (copies already mapped back), the segments taken, and its cost. */
export interface Path {
  nodes: number[];
  segments: number[];
  cost: number;
}

/** A potential function: lower bound of the remaining cost from v (0 = Dijkstra). */
export type Heuristic = (v: number) => number;

/**
 * Reusable search state over one graph: distances and parents in typed arrays,
 * reset in O(1) by a generation stamp, so a query costs only the nodes it touches.
 * Not re-entrant: one query at a time per instance (Node runs them one at a time).
 */
export class GraphSearch {
  readonly dist: Float64Array;
  /** Edge index (forward or reverse CSR, by the last search's direction) that reached each node. */
  readonly parentEdge: Int32Array;
  private readonly stamp: Uint32Array;
  private readonly hValue: Float64Array;
  private generation = 0;
  readonly heap = new MinHeap(4096);
  /** Nodes settled by the last search (for measurements). */
  settled = 0;

  constructor(
    readonly g: RoadGraph,
    readonly liveTime: Float64Array,
  ) {
    this.dist = new Float64Array(g.nodeCount);
    this.parentEdge = new Int32Array(g.nodeCount);
    this.stamp = new Uint32Array(g.nodeCount);
    this.hValue = new Float64Array(g.nodeCount);
  }

  /** Weights per segment for a metric: live times, or lengths with closed segments (infinite time) left infinite. */
  weightOf(metric: Metric, s: number): number {
    const t = this.liveTime[s]!;
    return metric === 'time' ? t : t === Infinity ? Infinity : this.g.segLength[s]!;
  }

  private begin(): void {
    if (++this.generation === 0xffffffff) {
      this.stamp.fill(0);
      this.generation = 1;
    }
    this.heap.clear();
    this.settled = 0;
  }

  /** Distance of v in the last search (Infinity when it was not reached). */
  distanceOf(v: number): number {
    return this.stamp[v] === this.generation ? this.dist[v]! : Infinity;
  }

  /**
   * A* (Dijkstra when h is 0) from `source` to the OSM node `target` (or any of its
   * turn-restriction copies). Nodes may be re-opened, so the result is exact for
   * any admissible h, even one rounding made a hair inconsistent.
   */
  pointToPoint(source: number, target: number, metric: Metric, h: Heuristic | null): Path | null {
    const g = this.g;
    this.begin();
    const { dist, parentEdge, stamp, hValue, heap } = this;
    const gen = this.generation;
    const firstOut = g.firstOut,
      head = g.head,
      outSeg = g.outSeg,
      origin = g.origin,
      live = this.liveTime,
      len = g.segLength;
    const byTime = metric === 'time';
    stamp[source] = gen;
    dist[source] = 0;
    parentEdge[source] = -1;
    hValue[source] = h ? h(source) : 0;
    heap.push(hValue[source]!, source);
    let reached = -1;
    while (heap.size > 0) {
      const key = heap.peekKey();
      const u = heap.pop();
      const du = dist[u]!;
      if (key > du + hValue[u]! + 1e-9) continue; // stale entry
      this.settled++;
      if (origin[u] === target) {
        reached = u;
        break;
      }
      for (let e = firstOut[u]!, end = firstOut[u + 1]!; e < end; e++) {
        const s = outSeg[e]!;
        const t = live[s]!;
        if (t === Infinity) continue;
        const nd = du + (byTime ? t : len[s]!);
        const v = head[e]!;
        if (stamp[v] !== gen) {
          stamp[v] = gen;
          hValue[v] = h ? h(v) : 0;
          dist[v] = Infinity;
        }
        if (nd >= dist[v]! || hValue[v] === Infinity) continue;
        dist[v] = nd;
        parentEdge[v] = e;
        heap.push(nd + hValue[v]!, v);
      }
    }
    if (reached < 0) return null;
    return this.forwardPath(reached, dist[reached]!);
  }

  private forwardPath(end: number, cost: number): Path {
    const g = this.g;
    const nodes: number[] = [],
      segments: number[] = [];
    let v = end;
    nodes.push(g.origin[v]!);
    while (this.parentEdge[v]! >= 0) {
      const e = this.parentEdge[v]!;
      const s = g.outSeg[e]!;
      segments.push(s);
      v = g.segFrom[s]!;
      // The tail may be a copy: find it by walking back to the node whose out-edge e is.
      v = tailOfForwardEdge(g, e, v);
      nodes.push(g.origin[v]!);
    }
    nodes.reverse();
    segments.reverse();
    return { nodes, segments, cost };
  }

  /**
   * Dijkstra outwards from several sources at once (forward), or inwards to them
   * (`reverse`: the cost of reaching the sources from every node), up to `maxCost`.
   * Calls `onSettle` for each settled node in cost order; returning true stops.
   */
  sweep(
    sources: readonly number[],
    options: { reverse?: boolean; maxCost?: number; metric?: Metric; onSettle?: (v: number, cost: number) => boolean | void },
  ): void {
    const g = this.g;
    this.begin();
    const { dist, parentEdge, stamp, heap } = this;
    const gen = this.generation;
    const reverse = options.reverse ?? false;
    const maxCost = options.maxCost ?? Infinity;
    const byTime = (options.metric ?? 'time') === 'time';
    const first = reverse ? g.firstIn : g.firstOut,
      other = reverse ? g.tail : g.head,
      seg = reverse ? g.inSeg : g.outSeg;
    const live = this.liveTime,
      len = g.segLength;
    for (const s of sources) {
      stamp[s] = gen;
      dist[s] = 0;
      parentEdge[s] = -1;
      heap.push(0, s);
    }
    while (heap.size > 0) {
      const key = heap.peekKey();
      const u = heap.pop();
      const du = dist[u]!;
      if (key > du) continue;
      if (du > maxCost) break;
      this.settled++;
      if (options.onSettle?.(u, du) === true) break;
      for (let e = first[u]!, end = first[u + 1]!; e < end; e++) {
        const s = seg[e]!;
        const t = live[s]!;
        if (t === Infinity) continue;
        const nd = du + (byTime ? t : len[s]!);
        const v = other[e]!;
        if (stamp[v] === gen && nd >= dist[v]!) continue;
        stamp[v] = gen;
        dist[v] = nd;
        parentEdge[v] = e;
        heap.push(nd, v);
      }
    }
  }

  /** After a reverse sweep: the path from v to the nearest source, following the tree. */
  pathToSource(v: number): Path {
    const g = this.g;
    const nodes = [g.origin[v]!],
      segments: number[] = [];
    const cost = this.dist[v]!;
    let u = v;
    while (this.parentEdge[u]! >= 0) {
      const e = this.parentEdge[u]!;
      segments.push(g.inSeg[e]!);
      // In the reverse CSR, edge e enters the node it was scanned from; find that node.
      u = headOfReverseEdge(g, e);
      nodes.push(g.origin[u]!);
    }
    return { nodes, segments, cost };
  }

  /** After a forward sweep: the path from the nearest source to v. */
  pathFromSource(v: number): Path {
    return this.forwardPath(v, this.dist[v]!);
  }
}

/** The node whose out-edge range holds e (the segment's OSM tail or one of its copies). */
function tailOfForwardEdge(g: RoadGraph, e: number, osmTail: number): number {
  if (e >= g.firstOut[osmTail]! && e < g.firstOut[osmTail + 1]!) return osmTail;
  for (const c of g.copiesOf.get(osmTail) ?? []) if (e >= g.firstOut[c]! && e < g.firstOut[c + 1]!) return c;
  throw new Error(`edge ${e} does not leave node ${osmTail}`);
}

/** The node whose in-edge range holds reverse edge e: binary search over firstIn. */
function headOfReverseEdge(g: RoadGraph, e: number): number {
  let lo = 0,
    hi = g.nodeCount - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (g.firstIn[mid]! <= e) lo = mid;
    else hi = mid - 1;
  }
  // Nodes without in-edges share the same firstIn; the owner is the last one with firstIn[v] <= e < firstIn[v+1].
  while (g.firstIn[lo + 1]! <= e) lo++;
  return lo;
}
