import { stat } from 'node:fs/promises';
import { threadId } from 'node:worker_threads';
import { readOsm } from '../adapters/osm/osm-reader.js';
import type { Position } from '../kernel/geo.js';
import { planEvacuation, type EvacuationInput, type EvacuationPlan } from './evacuation.js';
import type { ProfileName } from './profiles.js';
import { buildRoadGraph } from './road-graph.js';
import { Router } from './router.js';

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

export async function evacuationInWorker(task: { graph: GraphRef; input: EvacuationInput }): Promise<{ plan: EvacuationPlan; threadId: number }> {
  return { plan: planEvacuation(await routerFor(task.graph), task.input), threadId };
}

/** The plan as the JSON an HTTP answer sends: a string crosses threads far cheaper than the object graph, and the main thread need not serialise it. */
export async function evacuationJsonInWorker(task: { graph: GraphRef; input: EvacuationInput }): Promise<{ json: string; threadId: number }> {
  return { json: JSON.stringify(planEvacuation(await routerFor(task.graph), task.input)), threadId };
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
