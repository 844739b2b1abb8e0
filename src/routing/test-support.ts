import type { OsmData, Tags } from '../adapters/osm/osm-reader.js';
import type { Position } from '../kernel/geo.js';
import type { RoadGraph } from './road-graph.js';

/** A small extract in memory for tests: nodes by id, ways as [id, refs, tags]. */
export function osmOf(nodes: Record<number, Position>, ways: [number, number[], Tags][], relations: OsmData['relations'] = []): OsmData {
  return {
    nodes: new Map(Object.entries(nodes).map(([id, p]) => [Number(id), p])),
    taggedNodes: [],
    ways: new Map(ways.map(([id, refs, tags]) => [id, { id, refs, tags }])),
    relations,
    bounds: null,
  };
}

/**
 * Reference shortest paths for tests, written independently of the engine: plain
 * Dijkstra on the segment list (sorted-array frontier), over (node, arriving
 * segment) states so turn restrictions are checked by `allowedTurn` directly.
 * Returns the cost to every OSM node from `source`.
 */
export function referenceCosts(
  g: RoadGraph,
  weights: ArrayLike<number>,
  source: number,
  allowedTurn: (inSeg: number, outSeg: number) => boolean = () => true,
): Float64Array {
  const out: number[][] = Array.from({ length: g.baseNodeCount }, () => []);
  for (let s = 0; s < g.segmentCount; s++) out[g.segFrom[s]!]!.push(s);
  const best = new Float64Array(g.baseNodeCount).fill(Infinity);
  const stateDist = new Map<number, number>(); // arriving segment → cost; -1 = at the source
  const frontier: [number, number][] = [[0, -1]];
  stateDist.set(-1, 0);
  while (frontier.length > 0) {
    const [d, k] = frontier.pop()!; // kept sorted descending: pop() takes the smallest
    if (d > stateDist.get(k)!) continue;
    const v = k < 0 ? source : g.segTo[k]!;
    if (d < best[v]!) best[v] = d;
    for (const s of out[v]!) {
      const w = weights[s]!;
      if (w === Infinity || (k >= 0 && !allowedTurn(k, s))) continue;
      const nd = d + w;
      if (nd < (stateDist.get(s) ?? Infinity)) {
        stateDist.set(s, nd);
        let i = frontier.length;
        frontier.push([nd, s]);
        while (i > 0 && frontier[i - 1]![0] < nd) {
          frontier[i] = frontier[i - 1]!;
          i--;
        }
        frontier[i] = [nd, s];
      }
    }
  }
  return best;
}

export function referenceCost(
  g: RoadGraph,
  weights: ArrayLike<number>,
  source: number,
  target: number,
  allowedTurn?: (inSeg: number, outSeg: number) => boolean,
): number {
  return referenceCosts(g, weights, source, allowedTurn)[target]!;
}
