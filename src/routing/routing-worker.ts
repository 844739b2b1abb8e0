import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { threadId } from 'node:worker_threads';
import { readOsm } from '../adapters/osm/osm-reader.js';
import type { Position } from '../kernel/geo.js';
import { assemblyPointsOf } from './assembly-points.js';
import { planEvacuation, type EvacuationInput, type EvacuationPlan } from './evacuation.js';
import type { AssemblyPoint } from './model.js';
import { PROFILES, type ProfileName } from './profiles.js';
import { buildRoadGraph, type RoadGraph } from './road-graph.js';
import { Router, type RouterState } from './router.js';
import { movedToCaller } from '../platform/heavy/move.js';

/**
 * Evacuation plans and coverage in a worker thread of the platform pool. A worker
 * builds the road graph of the extract once (same file, same hash, same builder as
 * the main thread, so edge ids agree) and takes the live weights — traffic and
 * closures as the main thread knows them — with every task.
 */
export interface GraphRef {
  file: string;
  sha256: string;
  profile: ProfileName;
  /** The main thread's live segment times when the request came (Infinity = closed). */
  time: Float64Array;
}

/** Routers of one extract, per profile (evacuation walks, coverage usually drives): built once per worker. */
const routers = new Map<string, Promise<Router>>();

async function routerFor(ref: GraphRef): Promise<Router> {
  const extract = `${ref.file}\n${ref.sha256}\n`;
  // Another extract (the city was re-imported): the old graphs go.
  for (const key of routers.keys()) if (!key.startsWith(extract)) routers.delete(key);
  const key = extract + ref.profile;
  let router = routers.get(key);
  if (!router) {
    const building = (async () => {
      const { size } = await stat(ref.file);
      return new Router(buildRoadGraph(await readOsm(ref.file, size), ref.profile, ref.sha256));
    })();
    routers.set(key, building);
    building.catch(() => routers.get(key) === building && routers.delete(key));
    router = building;
  }
  const ready = await router;
  if (ready.weights.time.length !== ref.time.length) throw new Error('the worker built a different road graph than the main thread');
  ready.weights.time.set(ref.time);
  return ready;
}

type OfBuildings = Omit<EvacuationInput, 'origins'> & { buildings: { revision: number | string; originsJson: string } };

/** The input with its origins: the city's buildings came as one JSON text (building-snapshot.ts), parsed here, not cloned object by object. */
function withOrigins(input: EvacuationInput | OfBuildings): EvacuationInput {
  if (!('buildings' in input)) return input;
  const { buildings, ...rest } = input;
  return { ...rest, origins: JSON.parse(buildings.originsJson) as EvacuationInput['origins'] };
}

/**
 * A plan the node keeps (an alert's guidance), with each planned origin's position
 * (lon, lat; NaN when unknown) in the plan's order, moved back: the main thread indexes
 * the routes by place without listing the city's buildings itself.
 */
export async function evacuationInWorker(task: {
  graph: GraphRef;
  input: EvacuationInput | OfBuildings;
}): Promise<{ plan: EvacuationPlan; positions: Float64Array; threadId: number }> {
  const input = withOrigins(task.input);
  const plan = planEvacuation(await routerFor(task.graph), input);
  const at = new Map(input.origins.map((o) => [o.id, o.position] as const));
  const positions = new Float64Array(plan.origins.length * 2).fill(Number.NaN);
  plan.origins.forEach((r, i) => {
    const p = at.get(r.originId);
    if (p) [positions[2 * i], positions[2 * i + 1]] = [p[0], p[1]];
  });
  return movedToCaller({ plan, positions, threadId }, [positions.buffer]);
}

/** The plan as the JSON an HTTP answer sends: a string crosses threads far cheaper than the object graph, and the main thread need not serialise it. */
export async function evacuationJsonInWorker(task: { graph: GraphRef; input: EvacuationInput | OfBuildings }): Promise<{ json: string; threadId: number }> {
  return { json: JSON.stringify(planEvacuation(await routerFor(task.graph), withOrigins(task.input))), threadId };
}

export type CoverageResult = ReturnType<Router['coverage']>;

export async function coverageInWorker(task: {
  graph: GraphRef;
  stations: Position[];
  /** [lon, lat, weight] triples (packWeightedPoints), transferred. */
  points: Float64Array;
  targetS: number;
}): Promise<{ coverage: CoverageResult; threadId: number }> {
  return { coverage: (await routerFor(task.graph)).coveragePacked(task.stations, task.points, task.targetS), threadId };
}

/** Per position (lon, lat pairs): 1 reached within targetS from a station, 0 not, -1 off the road graph. */
export async function reachedInWorker(task: {
  graph: GraphRef;
  stations: Position[];
  positions: Float64Array;
  targetS: number;
}): Promise<{ reached: Int8Array; threadId: number }> {
  const router = await routerFor(task.graph);
  const n = Math.floor(task.positions.length / 2);
  const positions: Position[] = new Array(n);
  for (let i = 0; i < n; i++) positions[i] = [task.positions[2 * i]!, task.positions[2 * i + 1]!];
  const out = router.reachedWithin(task.stations, positions, task.targetS);
  return { reached: Int8Array.from(out, (r) => (r === null ? -1 : r ? 1 : 0)), threadId };
}

/** The road graphs of an extract as built in a worker: everything the main thread's routers need, ready to use. */
export interface BuiltGraphs {
  file: string;
  sha256: string;
  profiles: { profile: ProfileName; graph: RoadGraph; state: RouterState }[];
  assemblyPoints: AssemblyPoint[];
  threadId: number;
}

/**
 * Reads the extract, hashes it, and builds every profile's graph, spatial grid and
 * landmarks here (seconds of CPU for a city), so the main thread only takes the result:
 * typed arrays transferred, not copied. This worker keeps the routers it built for
 * the evacuation plans and coverage that follow.
 */
export async function buildGraphsInWorker(task: { file: string }): Promise<BuiltGraphs> {
  const { built, transfer } = builtGraphsTransfer(await buildGraphs(task.file));
  return movedToCaller(built, transfer);
}

async function buildGraphs(file: string): Promise<BuiltGraphs> {
  const task = { file };
  const bytes = await readFile(task.file);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const osm = await readOsm(task.file, bytes.length);
  const extract = `${task.file}\n${sha256}\n`;
  for (const key of routers.keys()) if (!key.startsWith(extract)) routers.delete(key);
  const profiles: BuiltGraphs['profiles'] = [];
  for (const profile of PROFILES) {
    const router = new Router(buildRoadGraph(osm, profile, sha256));
    routers.set(extract + profile, Promise.resolve(router));
    profiles.push({ profile, graph: router.graph, state: router.toState() });
  }
  return { file: task.file, sha256, profiles, assemblyPoints: assemblyPointsOf(osm), threadId };
}

/**
 * The buffers of a built result, each once, to transfer. The worker's own routers keep
 * using theirs, so what is transferred is a copy made here, off the main thread.
 */
function builtGraphsTransfer(built: BuiltGraphs): { built: BuiltGraphs; transfer: ArrayBuffer[] } {
  const buffers = new Set<ArrayBuffer>();
  const copy = <T extends ArrayBufferView>(a: T): T => {
    const own = (a as unknown as { slice(): T }).slice();
    buffers.add(own.buffer as ArrayBuffer);
    return own;
  };
  const profiles = built.profiles.map(({ profile, graph, state }) => {
    const g: Record<string, unknown> = { ...graph };
    for (const [k, v] of Object.entries(g)) if (ArrayBuffer.isView(v)) g[k] = copy(v);
    return {
      profile,
      graph: g as unknown as RoadGraph,
      state: {
        grid: { ...state.grid, cellStart: copy(state.grid.cellStart), cellItems: copy(state.grid.cellItems) },
        landmarks: { ...state.landmarks, fromL: copy(state.landmarks.fromL), toL: copy(state.landmarks.toL) },
      },
    };
  });
  return { built: { ...built, profiles }, transfer: [...buffers] };
}
