import { createHash } from 'node:crypto';
import type { OsmData } from '../adapters/osm/osm-reader.js';
import { haversineM } from '../kernel/geo.js';
import { ruleOf, type ProfileName } from './profiles.js';

/** Bumped when the builder changes what an edge id means, so stale edge-id traffic updates are ignored. */
const BUILDER_VERSION = 1;

/**
 * A road network for one profile in compressed sparse row form. Every OSM node a
 * routable way passes through is a graph node; a *segment* is one directed piece of
 * road between two consecutive nodes (its index is the public edge id). Turn
 * restrictions are compiled into the topology: the via node gets one copy per
 * restricted incoming segment, and the copy leads on only to the permitted
 * segments, so plain node-based searches respect them exactly.
 */
export interface RoadGraph {
  readonly profile: ProfileName;
  /** Identifies the extract, profile and builder version: edge ids mean something only within one graphId. */
  readonly graphId: string;
  /** Nodes including turn-restriction copies; the first `baseNodeCount` are the OSM nodes. */
  readonly nodeCount: number;
  readonly baseNodeCount: number;
  readonly lon: Float64Array;
  readonly lat: Float64Array;
  readonly osmNode: Float64Array;
  /** For a copy, the OSM node it stands for; for an OSM node, itself. */
  readonly origin: Int32Array;
  readonly copiesOf: ReadonlyMap<number, readonly number[]>;
  /** Forward CSR: out-edges of node v are firstOut[v] … firstOut[v+1]-1, heading to head[e] along segment outSeg[e]. */
  readonly firstOut: Int32Array;
  readonly head: Int32Array;
  readonly outSeg: Int32Array;
  /** Reverse CSR: in-edges of v come from tail[e] along inSeg[e]. */
  readonly firstIn: Int32Array;
  readonly tail: Int32Array;
  readonly inSeg: Int32Array;
  readonly segmentCount: number;
  readonly segFrom: Int32Array;
  readonly segTo: Int32Array;
  readonly segLength: Float64Array;
  /** Free-flow seconds: the lower bound every live weight respects (landmarks are computed on it). */
  readonly segFreeTime: Float64Array;
  readonly segWay: Float64Array;
  readonly segName: Int32Array;
  readonly names: readonly string[];
  /** Segments of each OSM way (both directions), for traffic updates by way id. */
  readonly segmentsOfWay: ReadonlyMap<number, readonly number[]>;
  /** 1 for OSM nodes in the largest strongly connected component: the only ones a position snaps to. */
  readonly main: Uint8Array;
  readonly restrictions: number;
}

export function edgeCount(g: RoadGraph): number {
  return g.head.length;
}

interface Restriction {
  kind: 'no' | 'only';
  fromWay: number;
  via: number;
  toWay: number;
}

function restrictionsOf(osm: OsmData, profile: ProfileName): Restriction[] {
  if (profile !== 'car') return []; // turn restrictions bind vehicles, not walkers
  const out: Restriction[] = [];
  for (const r of osm.relations) {
    if (r.tags.type !== 'restriction') continue;
    const value = r.tags['restriction:motorcar'] ?? r.tags.restriction;
    if (!value) continue;
    if (/(^|;)\s*motorcar\s*($|;)/.test(r.tags.except ?? '')) continue;
    const kind = value.startsWith('no_') ? 'no' : value.startsWith('only_') ? 'only' : null;
    const from = r.members.filter((m) => m.type === 'way' && m.role === 'from');
    const via = r.members.filter((m) => m.role === 'via');
    const to = r.members.filter((m) => m.type === 'way' && m.role === 'to');
    // Via-way restrictions are rare and need a path-based model; they are skipped (see docs/routing.md).
    if (!kind || from.length !== 1 || to.length !== 1 || via.length !== 1 || via[0]!.type !== 'node') continue;
    out.push({ kind, fromWay: from[0]!.ref, via: via[0]!.ref, toWay: to[0]!.ref });
  }
  return out;
}

/** Builds the graph of one profile from an extract already in memory. `sourceId`: e.g. the extract's SHA-256. */
export function buildRoadGraph(osm: OsmData, profile: ProfileName, sourceId = 'unknown'): RoadGraph {
  const index = new Map<number, number>();
  const lonList: number[] = [];
  const latList: number[] = [];
  const osmList: number[] = [];
  const nodeOf = (id: number): number => {
    let i = index.get(id);
    if (i === undefined) {
      const p = osm.nodes.get(id)!;
      i = lonList.length;
      index.set(id, i);
      lonList.push(p[0]);
      latList.push(p[1]);
      osmList.push(id);
    }
    return i;
  };
  const from: number[] = [],
    to: number[] = [],
    length: number[] = [],
    time: number[] = [],
    way: number[] = [],
    name: number[] = [];
  const names: string[] = [''];
  const nameIndex = new Map<string, number>([['', 0]]);
  const segmentsOfWay = new Map<number, number[]>();
  const wayIds = [...osm.ways.keys()].sort((a, b) => a - b); // deterministic edge ids
  for (const wayId of wayIds) {
    const w = osm.ways.get(wayId)!;
    const rule = ruleOf(profile, w.tags);
    if (!rule || (!rule.forward && !rule.backward)) continue;
    const label = w.tags.name ?? w.tags.ref ?? '';
    let nameId = nameIndex.get(label);
    if (nameId === undefined) {
      nameId = names.length;
      names.push(label);
      nameIndex.set(label, nameId);
    }
    const mps = rule.speedKmh / 3.6;
    const refs = w.refs.filter((r) => osm.nodes.has(r));
    const mine: number[] = [];
    for (let i = 1; i < refs.length; i++) {
      if (refs[i] === refs[i - 1]) continue;
      const a = nodeOf(refs[i - 1]!),
        b = nodeOf(refs[i]!);
      const m = haversineM([lonList[a]!, latList[a]!], [lonList[b]!, latList[b]!]);
      const add = (x: number, y: number): void => {
        mine.push(from.length);
        from.push(x);
        to.push(y);
        length.push(m);
        time.push(m / mps);
        way.push(wayId);
        name.push(nameId);
      };
      if (rule.forward) add(a, b);
      if (rule.backward) add(b, a);
    }
    if (mine.length > 0) segmentsOfWay.set(wayId, mine);
  }
  const base = lonList.length;
  const segCount = from.length;

  const outOf: number[][] = Array.from({ length: base }, () => []);
  const inOf: number[][] = Array.from({ length: base }, () => []);
  for (let s = 0; s < segCount; s++) {
    outOf[from[s]!]!.push(s);
    inOf[to[s]!]!.push(s);
  }

  // Turn restrictions: restricted incoming segment → the out-segments still allowed after it.
  const allowedAfter = new Map<number, Set<number>>();
  let restrictionCount = 0;
  for (const r of restrictionsOf(osm, profile)) {
    const v = index.get(r.via);
    if (v === undefined) continue;
    const incoming = inOf[v]!.filter((s) => way[s] === r.fromWay);
    const outgoing = outOf[v]!;
    const toSegs = outgoing.filter((s) => way[s] === r.toWay);
    if (incoming.length === 0 || toSegs.length === 0) continue;
    restrictionCount++;
    for (const s of incoming) {
      const allowed = allowedAfter.get(s) ?? new Set(outgoing);
      for (const o of outgoing) if (r.kind === 'no' ? toSegs.includes(o) : !toSegs.includes(o)) allowed.delete(o);
      allowedAfter.set(s, allowed);
    }
  }
  const headOfSeg = Int32Array.from(to);
  const copyOrigin: number[] = [];
  const copiesOf = new Map<number, number[]>();
  const copyAllowed: Set<number>[] = [];
  for (const [s, allowed] of [...allowedAfter.entries()].sort((a, b) => a[0] - b[0])) {
    const c = base + copyOrigin.length;
    copyOrigin.push(to[s]!);
    copyAllowed.push(allowed);
    headOfSeg[s] = c;
    const list = copiesOf.get(to[s]!) ?? [];
    list.push(c);
    copiesOf.set(to[s]!, list);
  }
  const n = base + copyOrigin.length;

  // Edges: every segment leaves its OSM node, and each copy of that node that still allows it.
  const edgeTail: number[] = [];
  const edgeSeg: number[] = [];
  for (let s = 0; s < segCount; s++) {
    edgeTail.push(from[s]!);
    edgeSeg.push(s);
    for (const c of copiesOf.get(from[s]!) ?? []) {
      if (copyAllowed[c - base]!.has(s)) {
        edgeTail.push(c);
        edgeSeg.push(s);
      }
    }
  }
  const m = edgeTail.length;
  const firstOut = new Int32Array(n + 1),
    head = new Int32Array(m),
    outSeg = new Int32Array(m);
  const firstIn = new Int32Array(n + 1),
    tail = new Int32Array(m),
    inSeg = new Int32Array(m);
  for (let e = 0; e < m; e++) {
    firstOut[edgeTail[e]! + 1]!++;
    firstIn[headOfSeg[edgeSeg[e]!]! + 1]!++;
  }
  for (let v = 0; v < n; v++) {
    firstOut[v + 1]! += firstOut[v]!;
    firstIn[v + 1]! += firstIn[v]!;
  }
  const outFill = firstOut.slice(0, n),
    inFill = firstIn.slice(0, n);
  for (let e = 0; e < m; e++) {
    const t = edgeTail[e]!,
      s = edgeSeg[e]!,
      h = headOfSeg[s]!;
    const o = outFill[t]!++;
    head[o] = h;
    outSeg[o] = s;
    const i = inFill[h]!++;
    tail[i] = t;
    inSeg[i] = s;
  }

  const lon = new Float64Array(n),
    lat = new Float64Array(n),
    osmNode = new Float64Array(n),
    origin = new Int32Array(n);
  for (let v = 0; v < n; v++) {
    const o = v < base ? v : copyOrigin[v - base]!;
    origin[v] = o;
    lon[v] = lonList[o]!;
    lat[v] = latList[o]!;
    osmNode[v] = osmList[o]!;
  }
  const graphId = createHash('sha256').update(`${sourceId}|${profile}|${BUILDER_VERSION}`).digest('hex').slice(0, 16);
  const g: RoadGraph = {
    profile,
    graphId,
    nodeCount: n,
    baseNodeCount: base,
    lon,
    lat,
    osmNode,
    origin,
    copiesOf,
    firstOut,
    head,
    outSeg,
    firstIn,
    tail,
    inSeg,
    segmentCount: segCount,
    segFrom: Int32Array.from(from),
    segTo: Int32Array.from(to),
    segLength: Float64Array.from(length),
    segFreeTime: Float64Array.from(time),
    segWay: Float64Array.from(way),
    segName: Int32Array.from(name),
    names,
    segmentsOfWay,
    main: new Uint8Array(base),
    restrictions: restrictionCount,
  };
  markLargestComponent(g, outOf, inOf);
  return g;
}

/** Kosaraju on the OSM nodes (segments, restrictions ignored): marks the largest strongly connected component. */
function markLargestComponent(g: RoadGraph, outOf: number[][], inOf: number[][]): void {
  const n = g.baseNodeCount;
  const seen = new Uint8Array(n);
  const order: number[] = [];
  const stack: number[] = [];
  const pos: number[] = [];
  for (let r = 0; r < n; r++) {
    if (seen[r]) continue;
    seen[r] = 1;
    stack.push(r);
    pos.push(0);
    while (stack.length > 0) {
      const v = stack[stack.length - 1]!;
      const i = pos[pos.length - 1]!;
      const outs = outOf[v]!;
      if (i < outs.length) {
        pos[pos.length - 1] = i + 1;
        const w = g.segTo[outs[i]!]!;
        if (!seen[w]) {
          seen[w] = 1;
          stack.push(w);
          pos.push(0);
        }
      } else {
        order.push(v);
        stack.pop();
        pos.pop();
      }
    }
  }
  const comp = new Int32Array(n).fill(-1);
  const sizes: number[] = [];
  for (let k = order.length - 1; k >= 0; k--) {
    const r = order[k]!;
    if (comp[r] !== -1) continue;
    const c = sizes.length;
    let size = 0;
    const todo = [r];
    comp[r] = c;
    while (todo.length > 0) {
      const v = todo.pop()!;
      size++;
      for (const s of inOf[v]!) {
        const u = g.segFrom[s]!;
        if (comp[u] === -1) {
          comp[u] = c;
          todo.push(u);
        }
      }
    }
    sizes.push(size);
  }
  let best = 0;
  for (let c = 1; c < sizes.length; c++) if (sizes[c]! > sizes[best]!) best = c;
  for (let v = 0; v < n; v++) if (comp[v] === best) (g.main as Uint8Array)[v] = 1;
}
