import { stat } from 'node:fs/promises';
import { VigilError, badRequest, notFound } from '../kernel/errors.js';
import { isValidPosition, type LineString, type Polygon, type Position } from '../kernel/geo.js';
import { newId } from '../kernel/ids.js';
import type { Principal } from '../platform/access.js';
import { decide } from '../platform/policy.js';
import type { AppContext } from '../platform/app-context.js';
import type { NewEvent } from '../platform/event-log.js';
import { segmentsClosedBy } from './closures.js';
import type { AssemblyPoint, Closure, RoutingEvents, SpeedUpdate } from './model.js';
import { JobGate } from '../platform/heavy/job-gate.js';
import { runInWorker } from '../platform/heavy/worker-pool.js';
import { PROFILES, type ProfileName } from './profiles.js';
import { edgeCount } from './road-graph.js';
import { Router } from './router.js';
import type { RoutingState } from './routing-state.js';
import type { BuiltGraphs, GraphRef } from './routing-worker.js';
import { OffThreadRouting } from './off-thread-routing.js';

export { assemblyPointsOf } from './assembly-points.js';

export const MAX_SPEED_UPDATES = 10_000;
const WORKER = new URL('./routing-worker.ts', import.meta.url);

function routingEvent<K extends keyof RoutingEvents>(type: K, subject: string, p: Principal, data: RoutingEvents[K]): NewEvent {
  return { type, subject, orgId: p.orgId, actor: p.actor, data };
}

export interface GraphInfo {
  file: string;
  sha256: string;
  builtMs: number;
  profiles: Record<ProfileName, { graphId: string; nodes: number; edges: number; segments: number; restrictions: number }>;
  assemblyPoints: number;
}

/**
 * Routing for the city: builds the road graphs from the extract at start, keeps
 * live traffic and closures applied from the log, and answers queries. Commands
 * are validated here and recorded; the graphs change when the event is projected,
 * so every node (and a restart) reaches the same weights.
 */
export class RoutingService {
  private routers: Map<ProfileName, Router> | null = null;
  private closedSegments = new Map<string, Map<ProfileName, number[]>>();
  assemblyPoints: AssemblyPoint[] = [];
  info: GraphInfo | null = null;
  loadError: string | null = null;

  private readonly weightListeners = new Set<() => void>();
  /** Evacuation plans and coverage for HTTP callers, in the worker pool. */
  readonly offThread = new OffThreadRouting((profile) => this.graphRef(profile));

  constructor(
    private readonly ctx: AppContext,
    readonly state: RoutingState,
  ) {
    state.onEvent = (type, data) => {
      if (!this.routers) return;
      this.applyEvent(type, data);
      for (const listener of this.weightListeners) listener();
    };
  }

  /** Called after traffic or a closure changed the weights (dispatch re-routes active units). */
  onWeightsChanged(listener: () => void): () => void {
    this.weightListeners.add(listener);
    return () => this.weightListeners.delete(listener);
  }

  /**
   * Reads the extract and builds both graphs, then applies every traffic update and closure already in the log.
   * The reading, hashing and building (graphs, spatial grids, landmarks: seconds of CPU for a city) run in the
   * worker pool; the main thread receives the typed arrays moved, not copied. One build at a time: a load of the
   * file being built joins that build (single flight), one of another file waits its turn (at most two waiting).
   */
  async load(file: string): Promise<GraphInfo> {
    const { size, mtimeMs } = await stat(file).catch(() => {
      throw new VigilError('not_found', `routing: no such extract ${file} (set VIGIL_ROUTING_OSM)`);
    });
    // The same file unchanged joins the build in progress; a file rewritten since is built again.
    return this.buildGate.run({ user: 'routing', key: `${file}\n${size}\n${mtimeMs}` }, () => this.loadNow(file));
  }

  /** Builds of the road graphs: one at a time, a few waiting (a city re-imported twice in a row). */
  readonly buildGate = new JobGate('road graph build', { concurrency: 1, queue: 2, perUser: 3, retryAfterSeconds: 10 });
  /** Thread of the last build (tests show it was not the main thread). */
  lastBuildThreadId: number | null = null;

  private async loadNow(file: string): Promise<GraphInfo> {
    const started = performance.now();
    const built = await runInWorker<BuiltGraphs>({ module: WORKER, fn: 'buildGraphsInWorker', input: { file } });
    this.lastBuildThreadId = built.threadId;
    const routers = new Map<ProfileName, Router>();
    for (const { profile, graph, state } of built.profiles) routers.set(profile, new Router(graph, { prebuilt: state }));
    this.assemblyPoints = built.assemblyPoints;
    this.routers = routers;
    this.closedSegments.clear();
    for (const entry of this.state.speeds.values()) this.applySpeeds([entry.update], entry.graphId);
    for (const c of this.state.closures.values()) this.applyClosure(c);
    const profiles = Object.fromEntries(
      [...routers].map(([p, r]) => [
        p,
        { graphId: r.graph.graphId, nodes: r.graph.nodeCount, edges: edgeCount(r.graph), segments: r.graph.segmentCount, restrictions: r.graph.restrictions },
      ]),
    ) as GraphInfo['profiles'];
    this.info = { file, sha256: built.sha256, builtMs: Math.round(performance.now() - started), profiles, assemblyPoints: this.assemblyPoints.length };
    return this.info;
  }

  router(profile: ProfileName): Router {
    if (!this.routers)
      throw new VigilError(
        'unavailable',
        this.loadError ? `routing is unavailable: ${this.loadError}` : 'the road graph is still being built; try again in a few seconds',
      );
    return this.routers.get(profile)!;
  }

  /** What a worker thread needs to route as this node does now: the extract and a copy of the live weights. */
  graphRef(profile: ProfileName): { ref: GraphRef; transfer: ArrayBuffer[] } {
    const router = this.router(profile);
    if (!this.info) throw new VigilError('unavailable', 'the road graph is still being built; try again in a few seconds');
    const time = Float64Array.from(router.weights.time);
    return { ref: { file: this.info.file, sha256: this.info.sha256, profile, time }, transfer: [time.buffer as ArrayBuffer] };
  }

  get ready(): boolean {
    return this.routers !== null;
  }

  private applyEvent(type: keyof RoutingEvents, data: unknown): void {
    if (type === 'routing.traffic.updated') {
      const d = data as RoutingEvents['routing.traffic.updated'];
      this.applySpeeds(d.updates, d.graphId);
    } else if (type === 'routing.closure.created') this.applyClosure(data as Closure);
    else if (type === 'routing.closure.removed') {
      const id = (data as RoutingEvents['routing.closure.removed']).closureId;
      for (const [profile, segs] of this.closedSegments.get(id) ?? []) this.routers!.get(profile)!.weights.reopen(segs);
      this.closedSegments.delete(id);
    }
  }

  private applySpeeds(updates: readonly SpeedUpdate[], graphId: string | null): void {
    const car = this.routers!.get('car')!;
    for (const u of updates) {
      if (u.wayId !== undefined) car.weights.setWaySpeed(u.wayId, u.speedKmh);
      else if (u.edgeId !== undefined && graphId === car.graph.graphId && u.edgeId < car.graph.segmentCount) car.weights.setSpeed(u.edgeId, u.speedKmh);
    }
  }

  private applyClosure(c: Closure): void {
    if (this.closedSegments.has(c.closureId)) return;
    const byProfile = new Map<ProfileName, number[]>();
    for (const profile of c.profiles) {
      const r = this.routers!.get(profile)!;
      const segs = segmentsClosedBy(r.graph, r.grid, c.geometry);
      r.weights.close(segs);
      byProfile.set(profile, segs);
    }
    this.closedSegments.set(c.closureId, byProfile);
  }

  /** Validates every update against the car graph, then records them as one event. */
  async updateTraffic(input: { source: string; observedAt?: string; updates: SpeedUpdate[] }, p: Principal): Promise<{ accepted: number; unknown: number[] }> {
    const car = this.router('car');
    if (input.updates.length === 0 || input.updates.length > MAX_SPEED_UPDATES) throw badRequest(`send between 1 and ${MAX_SPEED_UPDATES} speed updates`);
    const unknown: number[] = [];
    input.updates.forEach((u, i) => {
      if ((u.wayId === undefined) === (u.edgeId === undefined)) throw badRequest(`update ${i}: give exactly one of wayId or edgeId`);
      if (u.edgeId !== undefined && !(Number.isInteger(u.edgeId) && u.edgeId >= 0 && u.edgeId < car.graph.segmentCount))
        throw badRequest(`update ${i}: edge ${u.edgeId} is not in the car graph ${car.graph.graphId}`);
      if (u.wayId !== undefined && !car.graph.segmentsOfWay.has(u.wayId)) unknown.push(u.wayId);
    });
    if (unknown.length > 0) throw badRequest(`${unknown.length} way(s) are not roads of the car graph`, { unknownWayIds: unknown.slice(0, 100) });
    const updates = input.updates.map((u) => (u.wayId !== undefined ? { wayId: u.wayId, speedKmh: u.speedKmh } : { edgeId: u.edgeId!, speedKmh: u.speedKmh }));
    await this.ctx.record([
      routingEvent('routing.traffic.updated', `traffic:${input.source}`, p, {
        source: input.source,
        observedAt: input.observedAt ?? null,
        graphId: car.graph.graphId,
        updates,
      }),
    ]);
    return { accepted: updates.length, unknown };
  }

  async createClosure(
    input: { geometry: LineString | Polygon; reason: string; profiles?: ProfileName[] },
    p: Principal,
  ): Promise<Closure & { closedEdges: Record<string, number> }> {
    validateClosureGeometry(input.geometry);
    const profiles = input.profiles && input.profiles.length > 0 ? [...new Set(input.profiles)] : [...PROFILES];
    const counts: Record<string, number> = {};
    for (const profile of profiles) {
      const r = this.router(profile);
      counts[profile] = segmentsClosedBy(r.graph, r.grid, input.geometry).length;
    }
    if (Object.values(counts).every((n) => n === 0)) throw badRequest('the closure crosses no road: draw it across the roads to close');
    const closure: Closure = {
      closureId: newId('clo'),
      geometry: input.geometry,
      reason: input.reason.trim(),
      profiles,
      createdAt: new Date(this.ctx.clock.now()).toISOString(),
      createdBy: p.displayName,
      orgId: p.orgId,
    };
    await this.ctx.record([routingEvent('routing.closure.created', closure.closureId, p, closure)]);
    return { ...closure, closedEdges: counts };
  }

  async removeClosure(closureId: string, reason: string | null, p: Principal): Promise<void> {
    const closure = this.state.closures.get(closureId);
    if (!closure) throw notFound('closure', closureId);
    // Every closure is shown to all, but only its organisation (or one it shared with to act) reopens the roads.
    const d = decide(p, 'act', { orgId: closure.orgId });
    if (!d.allow) throw new VigilError('forbidden', `closure ${closureId}: ${d.reason}`, { relation: d.relation });
    await this.ctx.record([routingEvent('routing.closure.removed', closureId, p, { closureId, reason })]);
  }

  listClosures(): (Closure & { closedEdges: Record<string, number> })[] {
    return [...this.state.closures.values()].map((c) => ({
      ...c,
      closedEdges: Object.fromEntries([...(this.closedSegments.get(c.closureId) ?? new Map<ProfileName, number[]>())].map(([k, v]) => [k, v.length])),
    }));
  }
}

function validateClosureGeometry(g: LineString | Polygon): void {
  const isPosition = (p: unknown): boolean => Array.isArray(p) && p.length === 2 && isValidPosition(p);
  if (g.type === 'LineString') {
    if (!Array.isArray(g.coordinates) || g.coordinates.length < 2 || !g.coordinates.every(isPosition))
      throw badRequest('a closure line is at least two [lon, lat] positions');
    return;
  }
  if (!Array.isArray(g.coordinates) || g.coordinates.length > 20) throw badRequest('a closure polygon has 1 to 20 rings');
  for (const ring of g.coordinates as unknown[]) {
    if (!Array.isArray(ring) || ring.length > 5000 || !ring.every(isPosition)) throw badRequest('closure polygon rings are lists of [lon, lat] positions');
    const first = ring[0] as Position,
      last = ring[ring.length - 1] as Position;
    if (ring.length < 4 || first[0] !== last[0] || first[1] !== last[1])
      throw badRequest('a closure polygon ring is closed: at least 4 positions, the last equal to the first');
  }
}
