import { createHash } from 'node:crypto';
import type { Position } from '../kernel/geo.js';
import { JobGate } from '../platform/heavy/job-gate.js';
import { runInWorker } from '../platform/heavy/worker-pool.js';
import type { EvacuationInput, EvacuationPlan } from './evacuation.js';
import type { ProfileName } from './profiles.js';
import type { CoverageResult, GraphRef, coverageInWorker, evacuationInWorker, evacuationJsonInWorker, reachedInWorker } from './routing-worker.js';

/** The routing service's live graph for a worker (RoutingService.graphRef). */
export type GraphSource = (profile: ProfileName) => { ref: GraphRef; transfer: ArrayBuffer[] };

/**
 * An evacuation over origins given as one JSON text, parsed in the worker: the city's buildings (building-snapshot.ts,
 * named by the snapshot's revision) or a large body's origins (large-body-worker.ts, named by their hash).
 */
export type EvacuationOfBuildings = Omit<EvacuationInput, 'origins'> & { buildings: { revision: number | string; originsJson: string } };

const WORKER = new URL('./routing-worker.ts', import.meta.url);

function requestKey(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/**
 * Evacuation plans (up to 20 000 origins) and coverage (up to 200 000 points) for
 * any signed-in user: run in the worker pool behind a gate each, so the main thread
 * keeps answering alarms. Identical requests in flight share one run.
 */
export class OffThreadRouting {
  readonly evacuationGate = new JobGate('evacuation plan', { concurrency: 2, queue: 16, perUser: 2, retryAfterSeconds: 5 });
  readonly coverageGate = new JobGate('coverage', { concurrency: 2, queue: 16, perUser: 2, retryAfterSeconds: 5 });
  /** Thread of the last finished run (tests show it was not the main thread). */
  lastThreadId: number | null = null;
  /** The points of the last coverage run as they left for the worker (tests: a transferred typed array, detached after). */
  lastCoverageInput: Float64Array | null = null;

  constructor(private readonly graphRef: GraphSource) {}

  /** The plan as JSON text, ready to send (see evacuationJsonInWorker). */
  async evacuation(input: EvacuationInput | EvacuationOfBuildings, user: string): Promise<string> {
    // Over the city's buildings, the snapshot's revision names the origins: the main thread does not stringify them to key the run.
    const key =
      'buildings' in input ? requestKey(['evacuation-of-buildings', { ...input, buildings: input.buildings.revision }]) : requestKey(['evacuation', input]);
    return this.evacuationGate.run({ user, key }, async () => {
      const { ref, transfer } = this.graphRef('foot');
      const out = await runInWorker<Awaited<ReturnType<typeof evacuationJsonInWorker>>>({
        module: WORKER,
        fn: 'evacuationJsonInWorker',
        input: { graph: ref, input },
        transferList: transfer,
      });
      this.lastThreadId = out.threadId;
      return out.json;
    });
  }

  /**
   * A plan the node itself needs (an alert's guidance): no user quota, one run per alert (the caller keeps it);
   * with each planned origin's position (lon, lat; NaN when unknown) in the plan's order.
   */
  async planForSystem(input: EvacuationInput | EvacuationOfBuildings): Promise<{ plan: EvacuationPlan; positions: Float64Array }> {
    const { ref, transfer } = this.graphRef('foot');
    const out = await runInWorker<Awaited<ReturnType<typeof evacuationInWorker>>>({
      module: WORKER,
      fn: 'evacuationInWorker',
      input: { graph: ref, input },
      transferList: transfer,
    });
    this.lastThreadId = out.threadId;
    return { plan: out.plan, positions: out.positions };
  }

  /**
   * Up to 200 000 points: packed in one Float64Array (lon, lat, weight), keyed by a hash of
   * its bytes and transferred, so the main thread neither stringifies nor clones an object
   * per point (it did both: 200 000 points cost it tens of ms).
   */
  async coverage(
    profile: ProfileName,
    stations: Position[],
    points: Float64Array,
    targetS: number,
    user: string,
    /** What names `points` when they are the city's buildings (snapshot revision and weights): then their bytes are not hashed here. */
    pointsName?: string,
  ): Promise<CoverageResult> {
    const hash = createHash('sha256').update(JSON.stringify(['coverage', profile, stations, targetS, pointsName ?? null]));
    if (pointsName === undefined) hash.update(new Uint8Array(points.buffer, points.byteOffset, points.byteLength));
    const key = hash.digest('hex');
    return this.coverageGate.run({ user, key }, async () => {
      const { ref, transfer } = this.graphRef(profile);
      // Each run gets its own copy to transfer (joined requests share the run, not the buffer).
      const own = points.slice();
      this.lastCoverageInput = own;
      const out = await runInWorker<Awaited<ReturnType<typeof coverageInWorker>>>({
        module: WORKER,
        fn: 'coverageInWorker',
        input: { graph: ref, stations, points: own, targetS },
        transferList: [...transfer, own.buffer as ArrayBuffer],
      });
      this.lastThreadId = out.threadId;
      return out.coverage;
    });
  }

  /**
   * The node's own reach queries (the cockpit's fire-station coverage over every residential
   * building): in the pool, no user quota; per position reached, not, or null off the road graph.
   */
  async reachedWithin(profile: ProfileName, stations: readonly Position[], positions: readonly Position[], targetS: number): Promise<(boolean | null)[]> {
    const packed = new Float64Array(positions.length * 2);
    positions.forEach((p, i) => {
      packed[2 * i] = p[0];
      packed[2 * i + 1] = p[1];
    });
    const { ref, transfer } = this.graphRef(profile);
    const out = await runInWorker<Awaited<ReturnType<typeof reachedInWorker>>>({
      module: WORKER,
      fn: 'reachedInWorker',
      input: { graph: ref, stations: [...stations], positions: packed, targetS },
      transferList: [...transfer, packed.buffer as ArrayBuffer],
    });
    this.lastThreadId = out.threadId;
    return Array.from(out.reached, (r) => (r === -1 ? null : r === 1));
  }
}
